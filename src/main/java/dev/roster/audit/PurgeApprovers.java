package dev.roster.audit;

import dev.roster.audit.AuditRetention.PurgeRequest;

/**
 * Who may approve an audit purge. The rule is about admin accounts, which live above the audit trail
 * (access/IndependentPurgeApprovers), so the trail asks through this interface and imports no feature.
 */
public interface PurgeApprovers {

    /**
     * Throws a 403 {@code ClientErrorException} that says why, unless {@code approver} may approve {@code request};
     * called inside the purge's transaction.
     */
    void requireIndependent(AuditActor approver, PurgeRequest request);
}
