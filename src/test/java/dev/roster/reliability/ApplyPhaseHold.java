package dev.roster.reliability;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.roster.audit.AuditTrail;
import dev.roster.support.ItDatabase;

/**
 * Holds a packaged Roster's apply at one of its phases from outside, with nothing in Roster itself:
 * this test's own connection takes a lock that the apply's next statement needs, the apply waits
 * there inside its open transaction, and the test SIGKILLs Roster at that point (docs/decisions/0006).
 */
final class ApplyPhaseHold implements AutoCloseable {

    /** A phase: the lock that holds the apply after it, and the statement the apply then waits in. */
    enum Phase {
        /** Locks and the staleness check taken, nothing written: the users' INSERT waits. */
        LOCKED("LOCK TABLE directory_user IN SHARE MODE", "%INSERT INTO directory_user%"),
        /** Users written, no links yet: voiding older tokens waits. */
        WRITTEN("LOCK TABLE password_token IN SHARE MODE", "%password_token%"),
        /** Links and outbox rows written, no audit events yet: the audit chain's lock waits. */
        LINKED("SELECT pg_advisory_lock(" + AuditTrail.CHAIN_LOCK + ")", "%pg_advisory_xact_lock%"),
        /**
         * Audit events written, not yet APPLIED: the batch's status update waits (progress skips a locked
         * row). Taken once the apply was claimed (the claim updates the same row), while it writes.
         */
        AUDITED("SELECT 1 FROM batch WHERE id = '%s' FOR UPDATE", "%UPDATE batch SET status = 'APPLIED'%", true);

        final String lock;
        final String waitingQuery;
        /** Taken after the apply request was answered, not before it. */
        final boolean afterClaim;

        Phase(String lock, String waitingQuery) {
            this(lock, waitingQuery, false);
        }

        Phase(String lock, String waitingQuery, boolean afterClaim) {
            this.lock = lock;
            this.waitingQuery = waitingQuery;
            this.afterClaim = afterClaim;
        }
    }

    static final List<Phase> PHASES = List.of(Phase.values());

    private final Connection connection;
    private final String phase;
    private final String waitingQuery;

    private ApplyPhaseHold(Connection connection, String phase, String waitingQuery) {
        this.connection = connection;
        this.phase = phase;
        this.waitingQuery = waitingQuery;
    }

    /** Takes the phase's lock (in a transaction kept open until {@link #close()}). */
    static ApplyPhaseHold take(Phase phase, String batchId) {
        return take(phase.name(), phase.lock.formatted(UUID.fromString(batchId)), phase.waitingQuery);
    }

    /** A hold of one's own: the lock to take, and the statement (LIKE pattern) the apply then waits in. */
    static ApplyPhaseHold take(String phase, String lock, String waitingQuery) {
        try {
            Connection c = ItDatabase.connect();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(lock);
            }
            return new ApplyPhaseHold(c, phase, waitingQuery);
        } catch (SQLException e) {
            throw new IllegalStateException("could not hold the apply at " + phase + ": " + e.getMessage(), e);
        }
    }

    /** Waits until another session waits for this lock in the phase's statement: the apply is held there. */
    void awaitApplyWaiting(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (Connection c = ItDatabase.connectAsApp(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND wait_event_type = 'Lock' AND query LIKE ?""")) {
            ps.setString(1, waitingQuery);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("no apply waited at " + phase + " within " + timeout);
                }
                Thread.sleep(50);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Releases the lock: a killed Roster's backend then finds its client gone and rolls back. */
    @Override
    public void close() {
        try {
            connection.rollback();
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
