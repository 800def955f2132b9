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

import dev.roster.access.AdminAccount;
import dev.roster.access.CurrentAdmin;
import dev.roster.sql.CopyText;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

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
    private static final int COPY_CHUNK = 1 << 20;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    Instance<CurrentAdmin> currentAdmin;
    @Inject
    Instance<CurrentVertxRequest> currentRequest;

    /** Appends one event in the caller's transaction (joins it; starts one if there is none). */
    @Transactional(Transactional.TxType.REQUIRED)
    public void record(AuditActor actor, AuditEventDraft draft) {
        recordAll(actor, List.of(draft).iterator());
    }

    /**
     * Appends many events in the caller's transaction, set-based: one lock, one read of the last hash,
     * then COPY streaming through the iterator (memory stays flat for 100k events). Returns the count.
     */
    @Transactional(Transactional.TxType.REQUIRED)
    public long recordAll(AuditActor actor, Iterator<AuditEventDraft> drafts) {
        return append(actor, drafts, false, 0, AuditHash.GENESIS);
    }

    /**
     * Appends one event through a plain JDBC transaction the caller owns (for work done outside
     * JTA, such as an apply's own connection). The chain lock is held until that transaction ends.
     */
    public void record(Connection connection, AuditActor actor, AuditEventDraft draft) {
        recordAll(connection, actor, List.of(draft).iterator());
    }

    /** {@link #recordAll(AuditActor, Iterator)} on a JDBC transaction the caller owns. */
    public long recordAll(Connection connection, AuditActor actor, Iterator<AuditEventDraft> drafts) {
        try {
            return append(connection, actor, drafts, false, 0, AuditHash.GENESIS);
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not written: " + e.getMessage(), e);
        }
    }

    /** The actor of the current request (admin + IP + user agent), or system outside a request. */
    public AuditActor currentActor() {
        if (!Arc.container().requestContext().isActive()) {
            return AuditActor.system();
        }
        String ip = null;
        String userAgent = null;
        RoutingContext routing = currentRequest.isResolvable() ? currentRequest.get().getCurrent() : null;
        if (routing != null) {
            HttpServerRequest request = routing.request();
            ip = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
            userAgent = request.getHeader("User-Agent");
        }
        CurrentAdmin admin = currentAdmin.get();
        try {
            if (admin.isSignedIn() && admin.id() != null) {
                return AuditActor.admin(admin.id(), admin.displayName(), ip, userAgent);
            }
        } catch (RuntimeException e) {
            // No identity can be resolved here (e.g. on the I/O thread): the request still names its origin.
        }
        return new AuditActor(AuditActor.SYSTEM, null, AuditActor.SYSTEM, ip, userAgent);
    }

    /** The actor for an admin known by id, with the display name from their account and this request's origin. */
    public AuditActor adminActor(UUID adminId, String fallbackName) {
        AuditActor origin = currentActor();
        if (adminId == null) {
            return origin;
        }
        AdminAccount account = AdminAccount.findById(adminId);
        String name = account != null ? account.displayName : fallbackName;
        return AuditActor.admin(adminId, name, origin.ip(), origin.userAgent());
    }

    /** Appends Roster's own checkpoint event, whose details name hashes on purpose (not stripped). */
    @Transactional(Transactional.TxType.MANDATORY)
    void recordTrusted(AuditActor actor, AuditEventDraft draft, long emptyHeadSeq, String emptyHeadHash) {
        append(actor, List.of(draft).iterator(), true, emptyHeadSeq, emptyHeadHash);
    }

    /** emptyHeadSeq/Hash: where the chain continues when the table is empty (0 and genesis, or after a full purge). */
    private long append(AuditActor actor, Iterator<AuditEventDraft> drafts, boolean trusted, long emptyHeadSeq,
            String emptyHeadHash) {
        try (Connection c = dataSource.getConnection()) {
            return append(c, actor, drafts, trusted, emptyHeadSeq, emptyHeadHash);
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not written: " + e.getMessage(), e);
        }
    }

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
            while (drafts.hasNext()) {
                AuditEventDraft d = drafts.next();
                String details = trusted ? AuditDetails.canonicalTrusted(d.details() == null ? Map.of() : d.details())
                        : AuditDetails.canonical(d.details());
                AuditRecord r = new AuditRecord(++seq, UUID.randomUUID(), AuditHash.storable(clock.instant()),
                        who.kind(), who.id(), clean(who.name()), clean(who.ip()), clean(who.userAgent()), d.action(),
                        d.targetUserId(), clean(d.targetEmail()), d.batchId(), details, prevHash, null);
                String hash = AuditHash.compute(digest, r);
                rows.value(r.seq()).value(r.id()).value(AuditHash.time(r.occurredAt())).value(r.actorKind())
                        .value(r.actorId()).value(r.actorName()).value(r.actorIp()).value(r.actorUserAgent())
                        .value(r.action()).value(r.targetUserId()).value(r.targetEmail()).value(r.batchId())
                        .value(r.details()).value(r.prevHash()).value(hash).endRow();
                prevHash = hash;
                count++;
                if (rows.length() >= COPY_CHUNK) {
                    rows.copyInto(c, table);
                }
            }
            rows.copyInto(c, table);
            return count;
        }
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
