package dev.roster.reset;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.UserWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sends the invitations that waited for an activation (users created suspended, decision 0037), in the caller's
 * transaction, after its writes: each user once, through the outbox, audited as invite.issued.
 */
@ApplicationScoped
public class OwedInvitations {

    @Inject
    PasswordLinks links;
    @Inject
    AuditTrail audit;

    /** Issues the invitations of the users this transaction activated; returns how many. */
    public long release(Connection c, AuditActor actor, UUID batchId) throws SQLException {
        List<UserWriter.OwedInvitation> owed = UserWriter.releaseOwedInvitations(c);
        if (owed.isEmpty()) {
            return 0;
        }
        links.issueAll(c, owed.stream().map(u -> new LinkRequest(u.id(), u.email(), u.displayName(), TokenPurpose.INVITE,
                batchId)).iterator());
        for (UserWriter.OwedInvitation u : owed) {
            audit.record(c, actor, new AuditEventDraft(AuditAction.INVITE_ISSUED, u.id(), u.email(), batchId,
                    Map.of("on", "activation")));
        }
        return owed.size();
    }
}
