package dev.roster.sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.mail.MailOutbox;
import dev.roster.mail.MailRenderer;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Tells the operators (enabled admin accounts with the operator or admin role) by mail when a run is
 * held, refused or failed: the summary, the reason and links to the diff and the source, queued in the
 * outbox in the transaction that records the run.
 */
@ApplicationScoped
public class SyncNotices {

    @Inject
    MailOutbox outbox;
    @Inject
    MailRenderer renderer;

    void tell(Connection c, SyncSource source, UUID runId, SyncRun.Status status, String reason, UUID batchId,
            Map<String, Long> counts) throws SQLException {
        String what = switch (status) {
            case HELD -> "held for your approval";
            case REFUSED -> "refused";
            case FAILED -> "failed";
            default -> status.name().toLowerCase();
        };
        StringBuilder body = new StringBuilder("The run of the sync source \"").append(source.name()).append("\" was ")
                .append(what).append('.').append("\n\n");
        if (reason != null) {
            body.append("Why: ").append(reason).append("\n\n");
        }
        if (!counts.isEmpty()) {
            body.append("Planned: ").append(counts.getOrDefault("create", 0L)).append(" to create, ")
                    .append(counts.getOrDefault("update", 0L)).append(" to update, ")
                    .append(counts.getOrDefault("suspend", 0L)).append(" to suspend, ")
                    .append(counts.getOrDefault("delete", 0L)).append(" to delete, ")
                    .append(counts.getOrDefault("unchanged", 0L)).append(" unchanged, ")
                    .append(counts.getOrDefault("error", 0L)).append(" with errors.\n\n");
        }
        if (status == SyncRun.Status.FAILED || status == SyncRun.Status.REFUSED) {
            body.append("This is the only mail until a run of this source succeeds: further failed or refused runs are "
                    + "recorded on the source's page, not mailed, and scheduled runs back off while the failures go on.\n\n");
        }
        String base = renderer.publicBase();
        if (batchId != null && status == SyncRun.Status.HELD) {
            body.append("Review the changes and apply or discard them: ").append(base).append("/batches/").append(batchId)
                    .append("\n");
        }
        body.append("The source and its runs: ").append(base).append("/sources/").append(source.id()).append("\n");
        body.append("Run ").append(runId).append('.');
        mailOperators(c, "Roster sync \"" + source.name() + "\": " + what, body.toString(), batchId);
    }

    /** A day's scheduled changes held for approval (#26): what is due, why it waits, and the link to the batch. */
    void scheduledHeld(Connection c, UUID batchId, String reason) throws SQLException {
        mailOperators(c, "Roster scheduled changes: held for your approval", "Today's scheduled activations and "
                + "suspensions were held for your approval.\n\nWhy: " + reason + "\n\nReview the changes and apply or "
                + "discard them: " + renderer.publicBase() + "/batches/" + batchId + "\n", batchId);
    }

    /** Queues one notice to every enabled operator and admin with an address, in the caller's transaction. */
    private void mailOperators(Connection c, String subject, String body, UUID batchId) throws SQLException {
        List<MailOutbox.Notice> mails = Jdbc.list(c, """
                SELECT email, display_name FROM admin_account
                 WHERE enabled AND role IN ('OPERATOR', 'ADMIN') AND email LIKE '%@%' ORDER BY lower(email)""",
                rs -> new MailOutbox.Notice(rs.getString(1), rs.getString(2), subject, body, batchId));
        outbox.enqueueNotices(c, mails);
    }
}
