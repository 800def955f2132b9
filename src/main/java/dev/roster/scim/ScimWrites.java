package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.batch.state.BatchSettings;
import dev.roster.reset.OwedInvitations;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** What every SCIM write shares: one request in one transaction with its audit events, and the four-eyes refusal. */
@ApplicationScoped
public class ScimWrites {

    /** The source SCIM's events name. */
    static final String SOURCE = "scim";

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    OwedInvitations owedInvitations;
    @Inject
    BatchSettings.Approval approval;

    /** One write of users or groups, in the caller's transaction; its audit events go to {@code drafts}. */
    @FunctionalInterface
    public interface Write {
        ScimOutcome run(Connection c, List<AuditEventDraft> drafts) throws SQLException;
    }

    /** Runs one write in its own transaction and records its audit events in it, with the actor given. */
    public ScimOutcome inTransaction(AuditActor actor, Write write) {
        return jdbc.inTransaction(c -> {
            List<AuditEventDraft> drafts = new ArrayList<>();
            ScimOutcome outcome = write.run(c, drafts);
            if (!drafts.isEmpty()) {
                audit.recordAll(c, actor, drafts.iterator());
                // active:true on a user created suspended by a file sends the invitation it waited for (decision 0037)
                owedInvitations.release(c, actor, null);
            }
            return outcome;
        });
    }

    /**
     * In four-eyes mode no SCIM request deletes on its own (security review M3): a deletion needs a second person,
     * which a token or a provisioning client is not. 403 with scimType mutability (the directory's current state,
     * four-eyes, does not allow it), even for a dry run, so the preview never promises what the request cannot do.
     */
    void refuseDeleteUnderFourEyes(String what, String how) {
        if (approval.enabled()) {
            throw new ScimException(403, "mutability", "Four-eyes mode is on: SCIM cannot delete " + what
                    + " directly. Instead, " + how + ".");
        }
    }
}
