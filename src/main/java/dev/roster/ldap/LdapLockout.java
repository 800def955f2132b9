package dev.roster.ldap;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.directory.BindLockouts;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;

/**
 * Failed LDAP binds of a directory user lock their binds (roster.ldap.lockout.*): max-failures within the window (which
 * starts at the first failure) lock them for the duration; a success forgets the failures; an admin may unlock early on
 * the user's page. Locking and unlocking are audited (one event each, so a flood costs one event per lockout).
 */
@ApplicationScoped
public class LdapLockout implements BindLockouts {

    @Inject
    LdapSettings settings;
    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    Clock clock;

    @Override
    public Optional<String> policy() {
        LdapSettings.Lockout l = settings.lockout();
        if (!settings.enabled() || l.maxFailures() <= 0) {
            return Optional.empty();
        }
        return Optional.of(l.maxFailures() + " failed LDAP binds within " + words(l.window()) + " lock the account for "
                + words(l.duration()) + ".");
    }

    @Override
    public Optional<State> stateOf(UUID userId) {
        return jdbc.one("SELECT failures, locked_until, window_start FROM ldap_bind_lockout WHERE user_id = ?", rs -> {
            Timestamp until = rs.getTimestamp(2);
            Instant windowStart = rs.getTimestamp(3).toInstant();
            Instant now = clock.instant();
            boolean locked = until != null && until.toInstant().isAfter(now);
            boolean counting = windowStart.plus(settings.lockout().window()).isAfter(now);
            if (!locked && !counting) {
                return null;
            }
            return new State(locked ? 0 : rs.getInt(1), locked ? until.toInstant() : null);
        }, userId);
    }

    /** Whether the user's binds are locked now (in the caller's transaction). */
    boolean locked(UUID userId) {
        return stateOf(userId).map(State::locked).orElse(false);
    }

    /** Counts a failed bind; locks the user when it is the max-failures-th in the window. In the caller's transaction. */
    void failed(UUID userId, String email, String ip) {
        LdapSettings.Lockout l = settings.lockout();
        if (l.maxFailures() <= 0) {
            return;
        }
        Instant now = clock.instant();
        Timestamp at = Timestamp.from(now);
        Timestamp windowOpen = Timestamp.from(now.minus(l.window()));
        jdbc.inCallersTransaction(c -> {
            int failures = Jdbc.one(c, """
                    INSERT INTO ldap_bind_lockout AS l (user_id, failures, window_start) VALUES (?, 1, ?)
                    ON CONFLICT (user_id) DO UPDATE
                       SET failures = CASE WHEN l.window_start < ? OR l.locked_until <= ? THEN 1 ELSE l.failures + 1 END,
                           window_start = CASE WHEN l.window_start < ? OR l.locked_until <= ? THEN ? ELSE l.window_start END,
                           locked_until = CASE WHEN l.locked_until <= ? THEN NULL ELSE l.locked_until END
                    RETURNING CASE WHEN l.locked_until IS NULL THEN l.failures ELSE 0 END""", rs -> rs.getInt(1),
                    userId, at, windowOpen, at, windowOpen, at, at, at).orElse(0);
            if (failures >= l.maxFailures()) {
                Instant until = now.plus(l.duration());
                Jdbc.update(c, "UPDATE ldap_bind_lockout SET locked_until = ?, failures = ?, window_start = ? WHERE user_id = ?",
                        Timestamp.from(until), failures, at, userId);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("failures", failures);
                d.put("lockedUntil", until.toString());
                audit.record(c, new AuditActor(AuditActor.SYSTEM, null, AuditActor.SYSTEM, ip, null),
                        new AuditEventDraft(AuditAction.LDAP_ACCOUNT_LOCKED, userId, email, null, d));
            }
        });
    }

    /** A successful bind forgets the failures (a lockout in force stays). */
    void succeeded(UUID userId) {
        jdbc.inCallersTransaction(c -> Jdbc.update(c, "DELETE FROM ldap_bind_lockout WHERE user_id = ? AND "
                + "(locked_until IS NULL OR locked_until <= ?)", userId, Timestamp.from(clock.instant())));
    }

    /** An admin lifts a lockout in force (409 when there is none), audited. */
    public void unlock(UUID userId, Operator who) {
        jdbc.runInTransaction(c -> {
            var email = Jdbc.one(c, "SELECT email FROM directory_user WHERE id = ?", rs -> Optional.ofNullable(rs.getString(1)),
                    userId).orElseThrow(() -> new jakarta.ws.rs.NotFoundException("No directory user with id " + userId + "."));
            int removed = Jdbc.update(c, "DELETE FROM ldap_bind_lockout WHERE user_id = ? AND locked_until > ?", userId,
                    Timestamp.from(clock.instant()));
            if (removed == 0) {
                throw new ClientErrorException("This user's LDAP binds are not locked.", 409);
            }
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.LDAP_ACCOUNT_UNLOCKED, userId, email.orElse(null),
                    null, Map.of()));
        });
    }

    static String words(Duration d) {
        if (d.toSeconds() % 3600 == 0) {
            long h = d.toHours();
            return h + (h == 1 ? " hour" : " hours");
        }
        if (d.toSeconds() % 60 == 0) {
            long m = d.toMinutes();
            return m + (m == 1 ? " minute" : " minutes");
        }
        return d.toSeconds() + " seconds";
    }
}
