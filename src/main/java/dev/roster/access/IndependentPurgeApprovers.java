package dev.roster.access;

import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditHash;
import dev.roster.audit.AuditRetention.PurgeRequest;
import dev.roster.audit.PurgeApprovers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ClientErrorException;

/**
 * Four eyes that mean four: the approver's admin account must predate the request and must not have been made
 * an admin (added, re-roled, re-enabled) by the requester, directly or through admins the requester made, so
 * that a second account the requester creates cannot approve (docs/decisions/0007-audit-database-roles.md).
 */
@ApplicationScoped
public class IndependentPurgeApprovers implements PurgeApprovers {

    @Override
    public void requireIndependent(AuditActor approver, PurgeRequest request) {
        AdminAccount account = AdminAccount.findById(approver.id());
        if (account == null || account.role != AdminRole.ADMIN || !account.enabled) {
            throw new ClientErrorException("Only an enabled admin may approve a purge. Nothing was removed.", 403);
        }
        if (account.adminSince == null || !account.adminSince.isBefore(request.requestedAt())) {
            throw new ClientErrorException("A purge needs a second, independent admin: your admin account is newer than this"
                    + " request (made " + AuditHash.time(request.requestedAt()) + "), so an admin who was one before it must"
                    + " approve. Nothing was removed.", 403);
        }
        AdminAccount.GrantLine line = AdminAccount.grantLine(account.id);
        if (line.loops()) {
            throw new ClientErrorException("A purge needs a second, independent admin: the admins who made your account an"
                    + " admin made each other admins in a circle, so who made them cannot be told. An admin made by the"
                    + " first admin or by the identity provider must approve. Nothing was removed.", 403);
        }
        if (line.admins().contains(request.requestedBy())) {
            throw new ClientErrorException("A purge needs a second, independent admin: " + request.requestedName()
                    + ", who requested it, made your account an admin (directly or through an admin they made), so"
                    + " another admin must approve it. Nothing was removed.", 403);
        }
    }
}
