package dev.roster.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roster.sql.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.ws.rs.ClientErrorException;

/**
 * Makes, stores, lists and checks signed checkpoints of the chain head (AuditCheckpoint): on a schedule,
 * on every purge and on an admin's request. Each one is also written to the log, so a copy lives outside
 * the database; auditors download them and later hand one back to the verifier (docs/audit.md).
 */
@ApplicationScoped
public class AuditCheckpoints {

    private static final String COLUMNS = "id, created_at, reason, head_seq, head_hash, first_seq, first_prev, purged_count,"
            + " purged_sha256, key_id, signature, text";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Jdbc jdbc;
    @Inject
    AuditCheckpointKey key;
    @Inject
    AuditVerifier verifier;
    @Inject
    Clock clock;

    @Scheduled(every = "${roster.audit.checkpoint-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            AuditCheckpoint made = makeIfMoved();
            if (made == null) {
                Log.debug("audit checkpoint: the chain head has not moved since the last one");
            }
        } catch (RuntimeException e) {
            Log.errorf("audit checkpoint not made: %s", e.getMessage());
        }
    }

    /** A scheduled checkpoint, unless the newest one already signs the current head. */
    public AuditCheckpoint makeIfMoved() {
        return makeChecked("scheduled", true);
    }

    /** A checkpoint now (an admin's request). */
    public AuditCheckpoint makeNow() {
        return makeChecked("manual", false);
    }

    /**
     * Checks the chain since the last checkpoint first (a broken chain is not signed), then, holding the chain
     * lock, checks what was appended meanwhile and signs the head.
     */
    private AuditCheckpoint makeChecked(String reason, boolean onlyIfMoved) {
        AuditVerifier.Result check = verifier.verify();
        requireIntact(check);
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                AuditTrail.lockChain(c);
                long head = head(c)[0];
                if (onlyIfMoved) {
                    AuditCheckpoint latest = latestValid();
                    if (latest != null && latest.headSeq() == head) {
                        return null;
                    }
                }
                if (check.lastSeq() != null && head > check.lastSeq()) {
                    requireIntact(verifier.continueFrom(c, check.lastSeq() + 1, check.lastHash(), check.checked()));
                }
                return make(c, reason, null, null);
            } catch (SQLException e) {
                throw new IllegalStateException("audit checkpoint not made: " + e.getMessage(), e);
            }
        });
    }

    private static void requireIntact(AuditVerifier.Result check) {
        if (!check.ok()) {
            Log.errorf("audit checkpoint refused: the chain is broken at seq %d: %s", check.firstBroken().seq(),
                    check.firstBroken().reason());
            throw new ClientErrorException("The chain is broken at event " + check.firstBroken().seq() + " ("
                    + check.firstBroken().reason() + "): Roster does not sign a broken chain.", 409);
        }
    }

    /**
     * Signs the current head on the caller's connection, which holds the chain lock. A purge passes what it
     * removed (count and receipt hash); the anchor (first event left and its prev_hash) is read here. The
     * purge's own events are not re-verified here: they are uncommitted and written by Roster in this transaction.
     */
    AuditCheckpoint make(Connection c, String reason, Long purgedCount, String purgedSha256) throws SQLException {
        long[] head = head(c);
        String headHash = AuditHash.GENESIS;
        Long firstSeq = null;
        String firstPrev = null;
        if (head[0] > 0) {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT (SELECT hash FROM audit_event WHERE seq = ?), e.seq, e.prev_hash
                      FROM audit_event e ORDER BY e.seq LIMIT 1""")) {
                ps.setLong(1, head[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    headHash = rs.getString(1);
                    firstSeq = rs.getLong(2);
                    firstPrev = rs.getString(3);
                }
            }
        }
        UUID id = UUID.randomUUID();
        Instant now = AuditHash.storable(clock.instant());
        String text = AuditCheckpoint.signedText(id, now, reason, head[0], headHash, firstSeq, firstPrev, purgedCount,
                purgedSha256, key.keyId());
        AuditCheckpoint cp = new AuditCheckpoint(id, AuditHash.time(now), reason, head[0], headHash, firstSeq, firstPrev,
                purgedCount, purgedSha256, key.keyId(), key.sign(text), text);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_checkpoint (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, now.atOffset(ZoneOffset.UTC));
            ps.setString(3, reason);
            ps.setLong(4, cp.headSeq());
            ps.setString(5, cp.headHash());
            ps.setObject(6, firstSeq);
            ps.setString(7, firstPrev);
            ps.setObject(8, purgedCount);
            ps.setString(9, purgedSha256);
            ps.setString(10, cp.keyId());
            ps.setString(11, cp.signature());
            ps.setString(12, text);
            ps.executeUpdate();
        }
        // The log is a second home outside the database (ship it to your log store).
        Log.infof("audit checkpoint %s reason=%s headSeq=%d headHash=%s firstSeq=%s firstPrev=%s purgedCount=%s purgedSha256=%s"
                + " keyId=%s signature=%s", id, reason, cp.headSeq(), headHash, firstSeq, firstPrev, purgedCount, purgedSha256,
                cp.keyId(), cp.signature());
        return cp;
    }

    /** seq of the newest event (0 when empty). */
    private static long[] head(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_event");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] { rs.getLong(1) };
        }
    }

    /** Newest first. */
    public List<AuditCheckpoint> list(int limit) {
        return query("SELECT " + COLUMNS + " FROM audit_checkpoint ORDER BY created_at DESC, head_seq DESC LIMIT ?", limit);
    }

    public AuditCheckpoint find(UUID id) {
        List<AuditCheckpoint> found = query("SELECT " + COLUMNS + " FROM audit_checkpoint WHERE id = ?", id);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The newest stored checkpoint whose signature holds (an unsigned or forged row is skipped, and logged). */
    public AuditCheckpoint latestValid() {
        for (AuditCheckpoint cp : list(20)) {
            if (valid(cp)) {
                return cp;
            }
            Log.errorf("audit checkpoint %s in the database does not verify with this key: skipped", cp.id());
        }
        return null;
    }

    /** The signed purge checkpoints made at or after a time, oldest first. */
    List<AuditCheckpoint> purgesSince(String createdAt) {
        List<AuditCheckpoint> out = new ArrayList<>();
        for (AuditCheckpoint cp : query("SELECT " + COLUMNS + " FROM audit_checkpoint WHERE reason = 'purge'"
                + " AND created_at >= ?::timestamptz ORDER BY created_at", createdAt)) {
            if (valid(cp)) {
                out.add(cp);
            }
        }
        return out;
    }

    /** The signature holds over the text, and the stored columns say what the text says. */
    public boolean valid(AuditCheckpoint cp) {
        if (cp == null || !key.verifies(cp.text(), cp.signature())) {
            return false;
        }
        AuditCheckpoint signed = AuditCheckpoint.parse(cp.text(), cp.signature());
        return signed != null && signed.headSeq() == cp.headSeq() && signed.headHash().equals(cp.headHash());
    }

    private List<AuditCheckpoint> query(String sql, Object param) {
        return jdbc.withConnection(c -> Jdbc.list(c, sql, rs -> new AuditCheckpoint(rs.getObject(1, UUID.class),
                AuditHash.time(rs.getObject(2, OffsetDateTime.class).toInstant()), rs.getString(3), rs.getLong(4),
                rs.getString(5), (Long) rs.getObject(6), rs.getString(7), (Long) rs.getObject(8), rs.getString(9),
                rs.getString(10), rs.getString(11), rs.getString(12)), param));
    }
}
