package dev.roster.directory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/**
 * Deletes are soft: a deleted user can be restored within the retention period
 * (roster.users.delete-retention, 30 days by default); after it, a scheduled purge erases the
 * user's personal data, keeping only the id the audit trail refers to.
 */
@ApplicationScoped
public class DirectoryLifecycle {

    private static final int PURGE_CHUNK = 5000;

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    private final Duration retention;

    DirectoryLifecycle(DirectorySettings settings) {
        this.retention = settings.deleteRetention();
    }

    public Duration retention() {
        return retention;
    }

    /**
     * Restores a soft-deleted user to the status they had before the delete; refused (409, naming the holder) when
     * another user has taken its email, username or external id since (decisions/0031).
     */
    public void restore(UUID userId, AuditActor actor) {
        jdbc.runInTransaction(c -> {
            // the row lock keeps a concurrent restore of the same user out; the unique indexes catch any other race
            Jdbc.one(c, "SELECT 1 FROM directory_user WHERE id = ? FOR UPDATE", rs -> 1, userId);
            List<IdentifierHolders.Taken> taken = IdentifierHolders.taken(c, List.of(userId));
            if (!taken.isEmpty()) {
                throw identifiersTaken(taken);
            }
            Savepoint beforeRestore = c.setSavepoint();
            Map<String, String> restored;
            try {
                restored = Jdbc.one(c, """
                        UPDATE directory_user SET status = coalesce(status_before_delete, 'ACTIVE'), status_before_delete = NULL,
                                                  deleted_at = NULL, version = version + 1, updated_at = now()
                         WHERE id = ? AND status = 'DELETED' AND purged_at IS NULL
                           AND deleted_at > now() - make_interval(secs => ?)
                        RETURNING coalesce(email, username), status""",
                        rs -> Map.of("email", rs.getString(1), "status", rs.getString(2)), userId, retention.toSeconds())
                        .orElse(null);
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                // another user took an identifier between the check and the update: name it as the check would
                c.rollback(beforeRestore);
                throw identifiersTaken(IdentifierHolders.taken(c, List.of(userId)));
            }
            if (restored == null) {
                throw refusal(c, userId);
            }
            audit.record(c, actor, UserEvents.restored(userId, restored.get("email"), restored.get("status")));
        });
    }

    private static ClientErrorException identifiersTaken(List<IdentifierHolders.Taken> taken) {
        if (taken.isEmpty()) {
            return new ClientErrorException("This user cannot be restored: another user took one of its identifiers "
                    + "meanwhile. Reload the page and try again.", 409);
        }
        return new ClientErrorException("This user cannot be restored: its " + taken.stream()
                .map(IdentifierHolders.Taken::describe).collect(java.util.stream.Collectors.joining("; "))
                + ". Change or delete that user's identifier first, then restore this one.", 409);
    }

    private RuntimeException refusal(Connection c, UUID userId) throws SQLException {
        return Jdbc.one(c, "SELECT status, purged_at IS NOT NULL FROM directory_user WHERE id = ?", rs -> {
            if (!"DELETED".equals(rs.getString(1))) {
                return new ClientErrorException("This user is " + rs.getString(1) + ", not deleted: nothing to restore.", 409);
            }
            if (rs.getBoolean(2)) {
                return new ClientErrorException("This user was purged: the personal data is gone and cannot be restored.", 409);
            }
            return (RuntimeException) new ClientErrorException("This user was deleted more than " + retention.toDays()
                    + " days ago, past the retention period; it cannot be restored.", 409);
        }, userId).orElseGet(() -> new NotFoundException("No directory user with id " + userId + "."));
    }

    @Scheduled(every = "${roster.users.purge-every}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledPurge() {
        purgeExpired();
    }

    /** Erases the personal data of users deleted longer ago than the retention period; returns how many. */
    public long purgeExpired() {
        long total = 0;
        while (true) {
            int n = purgeChunk();
            total += n;
            if (n < PURGE_CHUNK) {
                break;
            }
        }
        if (total > 0) {
            Log.infof("purged the personal data of %d users deleted more than %s ago", total, retention);
        }
        return total;
    }

    private int purgeChunk() {
        return jdbc.inTransaction(c -> {
            List<AuditEventDraft> drafts = Jdbc.list(c, """
                    WITH victims AS (
                        SELECT id, coalesce(email, username) AS identifier, deleted_at FROM directory_user
                         WHERE status = 'DELETED' AND purged_at IS NULL AND deleted_at < now() - make_interval(secs => ?)
                         ORDER BY deleted_at LIMIT ? FOR UPDATE SKIP LOCKED),
                    erased AS (
                        UPDATE directory_user u SET email = 'purged-' || u.id || '@purged.invalid', external_id = NULL,
                               username = NULL, given_name = NULL, family_name = NULL, display_name = NULL, phone = NULL,
                               department = NULL, title = NULL, locale = NULL, attributes = '{}'::jsonb,
                               middle_name = NULL, honorific_prefix = NULL, honorific_suffix = NULL, formatted_name = NULL,
                               nick_name = NULL, profile_url = NULL, user_type = NULL, preferred_language = NULL,
                               timezone = NULL, employee_number = NULL, cost_center = NULL, organization = NULL,
                               division = NULL, emails = NULL, phone_numbers = NULL, addresses = NULL,
                               password_hash = NULL, purged_at = now(), version = u.version + 1, updated_at = now()
                          FROM victims v WHERE u.id = v.id RETURNING u.id)
                    SELECT v.id, v.identifier, v.deleted_at FROM victims v JOIN erased e ON e.id = v.id""",
                    rs -> UserEvents.purged(rs.getObject(1, UUID.class), rs.getString(2),
                            rs.getTimestamp(3).toInstant().toString(), retention.toString()),
                    retention.toSeconds(), PURGE_CHUNK);
            if (!drafts.isEmpty()) {
                audit.recordAll(c, AuditActor.system(), drafts.iterator());
            }
            return drafts.size();
        });
    }
}
