package dev.roster.audit;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.sql.CopyText;
import dev.roster.sql.Jdbc;
import dev.roster.sql.WriteBehind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Appends audit events to the hash chain, in the caller's transaction. Every append takes one
 * transaction-scoped advisory lock, reads the last event once, then streams the new events through
 * COPY with their hashes computed in order, so the chain stays linear however many instances write.
 * The lock is held until the caller's transaction ends: write events late in long transactions.
 */
@ApplicationScoped
public class AuditTrail {

    /** pg_advisory_xact_lock key serialising appends to audit_event ("audit" in ASCII, arbitrary but fixed). */
    public static final long CHAIN_LOCK = 0x6175646974L;
    static final String COLUMNS = "seq, id, occurred_at, actor_kind, actor_id, actor_name, actor_ip, actor_user_agent, "
            + "action, target_user_id, target_email, batch_id, details, prev_hash, hash";
    /** Characters per COPY: small enough that storing one overlaps building the next, large enough to stream. */
    private static final int COPY_CHUNK = 1 << 19;
    private static final int WRITE_BEHIND_DEPTH = 3;

    @Inject
    Jdbc jdbc;
    @Inject
    Clock clock;

    /**
     * Appends one event on the connection of the caller's transaction: a JDBC one ({@code Jdbc.inTransaction}),
     * or a JTA one's through {@code Jdbc.inCallersTransaction}. It commits or rolls back with the change it
     * describes; the chain lock is held until that transaction ends. The only way in, with {@link #recordAll}.
     */
    public void record(Connection connection, AuditActor actor, AuditEventDraft draft) {
        recordAll(connection, actor, List.of(draft).iterator());
    }

    /**
     * Appends many events on the caller's connection, set-based: one lock, one read of the last hash, then
     * COPY streaming through the iterator (memory stays flat for 100k events). Returns the count. When the events
     * fill more than one chunk, the COPYs run behind, on a thread of their own ({@link WriteBehind}), while the
     * iterator produces the next chunk: so the iterator must not read from {@code connection} (an apply's reads its
     * plan on a second one).
     */
    public long recordAll(Connection connection, AuditActor actor, Iterator<AuditEventDraft> drafts) {
        try {
            return append(connection, actor, drafts, false, 0, AuditHash.GENESIS);
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not written: " + e.getMessage(), e);
        }
    }

    /**
     * Appends Roster's own purge event, whose details name hashes on purpose (not stripped), on the purge's
     * connection; emptyHeadSeq/Hash: where the chain continues if the purge left the table empty.
     */
    void recordTrusted(Connection connection, AuditActor actor, AuditEventDraft draft, long emptyHeadSeq,
            String emptyHeadHash) throws SQLException {
        append(connection, actor, List.of(draft).iterator(), true, emptyHeadSeq, emptyHeadHash);
    }

    /** emptyHeadSeq/Hash: where the chain continues when the table is empty (0 and genesis, or after a full purge). */
    private long append(Connection c, AuditActor actor, Iterator<AuditEventDraft> drafts, boolean trusted,
            long emptyHeadSeq, String emptyHeadHash) throws SQLException {
        AuditActor who = actor == null ? AuditActor.system() : actor;
        {
            lockChain(c);
            long seq = emptyHeadSeq;
            String prevHash = emptyHeadHash;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1");
                    ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    seq = rs.getLong(1);
                    prevHash = rs.getString(2);
                }
            }
            if (!drafts.hasNext()) {
                return 0;
            }
            // Rows in COPY's text format (sql/CopyText), sent a chunk at a time: one COPY per chunk.
            String table = "audit_event (" + COLUMNS + ")";
            CopyText rows = new CopyText();
            long count = 0;
            MessageDigest digest = AuditHash.digest();
            WriteBehind behind = null;
            try {
                while (drafts.hasNext()) {
                    prevHash = row(rows, digest, who, drafts.next(), trusted, ++seq, prevHash);
                    count++;
                    if (rows.length() >= COPY_CHUNK) {
                        if (behind == null) {
                            behind = new WriteBehind(c, WRITE_BEHIND_DEPTH, "audit");
                        }
                        behind.copy(table, rows);
                    }
                }
                if (behind == null) {
                    rows.copyInto(c, table);
                } else {
                    behind.copy(table, rows);
                    behind.finish();
                }
                return count;
            } finally {
                if (behind != null) {
                    behind.close();
                }
            }
        }
    }

    /** One event as a COPY row, chained to {@code prevHash}; returns its hash. */
    private String row(CopyText rows, MessageDigest digest, AuditActor who, AuditEventDraft d, boolean trusted, long seq,
            String prevHash) {
        String details = trusted ? AuditDetails.canonicalTrusted(d.details() == null ? Map.of() : d.details())
                : AuditDetails.canonical(d.details());
        AuditRecord r = new AuditRecord(seq, UUID.randomUUID(), AuditHash.storable(clock.instant()),
                who.kind(), who.id(), clean(who.name()), clean(who.ip()), clean(who.userAgent()), d.action(),
                d.targetUserId(), clean(d.targetEmail()), d.batchId(), details, prevHash, null);
        String hash = AuditHash.compute(digest, r);
        rows.value(r.seq()).value(r.id()).value(AuditHash.time(r.occurredAt())).value(r.actorKind())
                .value(r.actorId()).value(r.actorName()).value(r.actorIp()).value(r.actorUserAgent())
                .value(r.action()).value(r.targetUserId()).value(r.targetEmail()).value(r.batchId())
                .value(r.details()).value(r.prevHash()).value(hash).endRow();
        return hash;
    }

    /**
     * The work of {@link #recordAll} for each event (canonical details, hash, COPY row), with nothing stored: the
     * start-up warm-up (batch/StartupWarmUp) runs it so that the first apply after a start is not interpreted
     * bytecode. Returns how many events it went through.
     */
    public long exercise(AuditActor actor, Iterator<AuditEventDraft> drafts) {
        AuditActor who = actor == null ? AuditActor.system() : actor;
        CopyText rows = new CopyText();
        MessageDigest digest = AuditHash.digest();
        String prevHash = AuditHash.GENESIS;
        long count = 0;
        while (drafts.hasNext()) {
            prevHash = row(rows, digest, who, drafts.next(), false, ++count, prevHash);
            if (rows.length() >= COPY_CHUNK) {
                rows.discard();
            }
        }
        return count;
    }

    static void lockChain(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, CHAIN_LOCK);
            ps.execute();
        }
    }

    /** PostgreSQL text cannot hold NUL; it never belongs in an audit field anyway. */
    private static String clean(String value) {
        return value == null || value.indexOf('\0') < 0 ? value : value.replace("\0", "");
    }
}
