package dev.roster.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.roster.sql.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/**
 * The one way events leave the audit trail: a governed retention purge of the oldest events (docs/audit.md).
 * One admin requests it (a cutoff neither in the future nor inside roster.audit.min-retention), a different
 * admin approves it; only then are the events before the cutoff exported (the receipt, kept with the request),
 * removed through the owner's audit_purge() function, and an audit.purged event plus a signed checkpoint
 * recording the receipt's SHA-256 appended. HTTP Basic requests are refused for every state change.
 */
@ApplicationScoped
public class AuditRetention {

    /** What a purge removed; count 0 when there was nothing older than the cutoff. */
    public record Purged(long count, Long fromSeq, Long toSeq, Instant fromTime, Instant toTime,
            String lastRemovedHash, Instant cutoff, UUID requestId, String receiptSha256, UUID checkpointId) {
    }

    /** A purge request and what became of it. */
    public record PurgeRequest(UUID id, Instant cutoff, UUID requestedBy, String requestedName, Instant requestedAt,
            String status, UUID decidedBy, String decidedName, Instant decidedAt, Long removedCount, String receiptSha256,
            UUID checkpointId) {

        public boolean pending() {
            return "REQUESTED".equals(status);
        }

        public boolean hasReceipt() {
            return receiptSha256 != null;
        }
    }

    private static final String REQUEST_COLUMNS = "id, cutoff, requested_by, requested_name, requested_at, status, decided_by,"
            + " decided_name, decided_at, removed_count, receipt_sha256, checkpoint_id";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail trail;
    @Inject
    AuditCheckpoints checkpoints;
    @Inject
    AuditConfig config;
    @Inject
    Clock clock;
    @Inject
    PurgeApprovers approvers;

    /**
     * Refuses a purge request that came with HTTP Basic credentials: a browser that once typed them replays
     * them on cross-site form posts, so only a signed-in session (with its CSRF token) or a bearer token may purge.
     */
    public static void refuseBasic(String authorization) {
        if (authorization != null && authorization.trim().toLowerCase(Locale.ROOT).startsWith("basic")) {
            throw new ClientErrorException("A purge must come from a signed-in admin's session (the Audit page) or a bearer"
                    + " token: HTTP Basic credentials, which a browser may replay from another site, are refused for purges.", 403);
        }
    }

    /** The newest cutoff a purge may have now. */
    public Instant newestCutoff() {
        return clock.instant().minus(config.minRetention());
    }

    public long minRetentionDays() {
        return config.minRetention().toDays();
    }

    /** Parses and checks a cutoff: 400 when missing or unreadable, 422 in the future or inside the retention period. */
    public Instant cutoff(String before) {
        if (before == null || before.isBlank()) {
            throw new BadRequestException("Give before=<date or time>: events older than it are removed.");
        }
        Instant cutoff = AuditHash.storable(AuditFilter.instant(before.trim(), false, "before"));
        checkCutoff(cutoff);
        return cutoff;
    }

    private void checkCutoff(Instant cutoff) {
        Instant now = clock.instant();
        if (cutoff.isAfter(now)) {
            throw new ClientErrorException("The cutoff " + AuditHash.time(cutoff) + " lies in the future: a purge only removes"
                    + " events older than the minimum retention of " + minRetentionDays() + " days (the newest cutoff allowed"
                    + " now is " + AuditHash.time(newestCutoff()) + "). Nothing was removed.", 422);
        }
        if (cutoff.isAfter(newestCutoff())) {
            throw new ClientErrorException("The cutoff " + AuditHash.time(cutoff) + " is inside the minimum retention of "
                    + minRetentionDays() + " days: the newest cutoff allowed now is " + AuditHash.time(newestCutoff())
                    + ". Nothing was removed.", 422);
        }
    }

    /** The first step: records the request (and an audit event); nothing is removed yet. */
    @Transactional
    public PurgeRequest request(Instant cutoff, AuditActor actor) {
        checkCutoff(cutoff);
        if (actor == null || !AuditActor.ADMIN.equals(actor.kind()) || actor.id() == null) {
            throw new ClientErrorException("Only a signed-in admin may request a purge.", 403);
        }
        UUID id = UUID.randomUUID();
        Instant now = AuditHash.storable(clock.instant());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_purge_request (id, cutoff, requested_by, requested_name, requested_at, status)"
                        + " VALUES (?, ?, ?, ?, ?, 'REQUESTED')")) {
            ps.setObject(1, id);
            ps.setObject(2, cutoff.atOffset(ZoneOffset.UTC));
            ps.setObject(3, actor.id());
            ps.setString(4, actor.name());
            ps.setObject(5, now.atOffset(ZoneOffset.UTC));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("purge request not recorded: " + e.getMessage(), e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("request", id.toString());
        details.put("cutoff", AuditHash.time(cutoff));
        jdbc.inCallersTransaction(c -> trail.record(c, actor, AuditEventDraft.of(AuditAction.AUDIT_PURGE_REQUESTED, details)));
        return find(id);
    }

    /** A second admin turns the request down (the requester may withdraw it the same way). */
    @Transactional
    public PurgeRequest reject(UUID id, AuditActor actor) {
        PurgeRequest request = pendingOr404(id);
        decide(id, "REJECTED", actor, null, null, null, null);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("request", id.toString());
        details.put("cutoff", AuditHash.time(request.cutoff()));
        jdbc.inCallersTransaction(c -> trail.record(c, actor, AuditEventDraft.of(AuditAction.AUDIT_PURGE_REJECTED, details)));
        return find(id);
    }

    /** The second step, by another admin: export (the receipt), remove, record, sign a checkpoint. */
    @Transactional
    public Purged approve(UUID id, AuditActor approver) {
        PurgeRequest request = pendingOr404(id);
        if (approver == null || approver.id() == null || !AuditActor.ADMIN.equals(approver.kind())) {
            throw new ClientErrorException("Only a signed-in admin may approve a purge.", 403);
        }
        if (approver.id().equals(request.requestedBy())) {
            throw new ClientErrorException("A purge needs a second admin: you requested this one, so another admin must approve it.", 403);
        }
        approvers.requireIndependent(approver, request);
        Instant cutoff = request.cutoff();
        checkCutoff(cutoff);
        try (Connection c = dataSource.getConnection()) {
            AuditTrail.lockChain(c);
            long lastSeq;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT coalesce((SELECT min(seq) - 1 FROM audit_event WHERE occurred_at >= ?),
                                    (SELECT max(seq) FROM audit_event), 0)""")) {
                ps.setObject(1, cutoff.atOffset(ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lastSeq = rs.getLong(1);
                }
            }
            Receipt receipt = receipt(c, lastSeq);
            if (receipt.count == 0) {
                decide(id, "DONE", approver, 0L, null, null, null);
                return new Purged(0, null, null, null, null, null, cutoff, id, null, null);
            }
            // The runtime role cannot DELETE: the owner's SECURITY DEFINER function removes the prefix (V8).
            try (PreparedStatement ps = c.prepareStatement("SELECT audit_purge(?, ?)")) {
                ps.setLong(1, lastSeq);
                ps.setObject(2, cutoff.atOffset(ZoneOffset.UTC));
                ps.execute();
            }
            Purged purged = new Purged(receipt.count, receipt.fromSeq, lastSeq, receipt.fromTime, receipt.toTime,
                    receipt.lastHash, cutoff, id, receipt.sha256, null);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("count", purged.count());
            details.put("fromSeq", purged.fromSeq());
            details.put("toSeq", purged.toSeq());
            details.put("fromTime", AuditHash.time(purged.fromTime()));
            details.put("toTime", AuditHash.time(purged.toTime()));
            details.put("lastRemovedHash", purged.lastRemovedHash());
            details.put("cutoff", AuditHash.time(cutoff));
            details.put("request", id.toString());
            details.put("requestedBy", request.requestedName());
            details.put("receiptSha256", receipt.sha256);
            trail.recordTrusted(c, approver, AuditEventDraft.of(AuditAction.AUDIT_PURGED, details), purged.toSeq(),
                    purged.lastRemovedHash());
            AuditCheckpoint checkpoint = checkpoints.make(c, "purge", receipt.count, receipt.sha256);
            decide(id, "DONE", approver, receipt.count, receipt.gzip, receipt.sha256, checkpoint.id());
            Log.infof("audit purge %s: %d events up to seq %d removed (requested by %s, approved by %s), receipt sha256 %s",
                    id, receipt.count, lastSeq, request.requestedName(), approver.name(), receipt.sha256);
            return new Purged(purged.count(), purged.fromSeq(), purged.toSeq(), purged.fromTime(), purged.toTime(),
                    purged.lastRemovedHash(), cutoff, id, receipt.sha256, checkpoint.id());
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new ClientErrorException("The database refused the purge: " + e.getMessage() + ". Nothing was removed.", 422);
            }
            throw new IllegalStateException("audit purge failed: " + e.getMessage(), e);
        }
    }

    private record Receipt(long count, Long fromSeq, Instant fromTime, Instant toTime, String lastHash, byte[] gzip,
            String sha256) {
    }

    /** The events to remove as JSON Lines (the export format), gzip; sha256 is over the uncompressed lines. */
    private static Receipt receipt(Connection c, long lastSeq) throws SQLException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long count = 0;
        Long fromSeq = null;
        Instant fromTime = null;
        Instant toTime = null;
        String lastHash = null;
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes);
                Writer writer = new OutputStreamWriter(new DigestOutputStream(gzip, sha), StandardCharsets.UTF_8);
                PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE seq <= ? ORDER BY seq")) {
            JsonGenerator json = AuditDetails.JSON.getFactory().createGenerator(writer);
            json.setRootValueSeparator(null);
            ps.setLong(1, lastSeq);
            ps.setFetchSize(AuditQuery.FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditRecord r = AuditQuery.read(rs);
                    AuditExport.writeJsonLine(json, r);
                    count++;
                    if (fromSeq == null) {
                        fromSeq = r.seq();
                    }
                    fromTime = fromTime == null || r.occurredAt().isBefore(fromTime) ? r.occurredAt() : fromTime;
                    toTime = toTime == null || r.occurredAt().isAfter(toTime) ? r.occurredAt() : toTime;
                    lastHash = r.hash();
                }
            }
            json.flush();
        } catch (IOException e) {
            throw new IllegalStateException("purge receipt not written: " + e.getMessage(), e);
        }
        return new Receipt(count, fromSeq, fromTime, toTime, lastHash, bytes.toByteArray(), HexFormat.of().formatHex(sha.digest()));
    }

    private void decide(UUID id, String status, AuditActor actor, Long removed, byte[] receipt, String sha256, UUID checkpoint) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE audit_purge_request SET status = ?, decided_by = ?, decided_name = ?, decided_at = ?, removed_count = ?,
                       receipt = ?, receipt_sha256 = ?, checkpoint_id = ?
                 WHERE id = ? AND status = 'REQUESTED'""")) {
            ps.setString(1, status);
            ps.setObject(2, actor == null ? null : actor.id());
            ps.setString(3, actor == null ? null : actor.name());
            ps.setObject(4, AuditHash.storable(clock.instant()).atOffset(ZoneOffset.UTC));
            ps.setObject(5, removed);
            ps.setBytes(6, receipt);
            ps.setString(7, sha256);
            ps.setObject(8, checkpoint);
            ps.setObject(9, id);
            if (ps.executeUpdate() != 1) {
                throw new ClientErrorException("This purge request was decided already.", 409);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("purge request not updated: " + e.getMessage(), e);
        }
    }

    private PurgeRequest pendingOr404(UUID id) {
        PurgeRequest request = find(id);
        if (request == null) {
            throw new NotFoundException("No purge request " + id + ".");
        }
        if (!request.pending()) {
            throw new ClientErrorException("This purge request is " + request.status().toLowerCase(Locale.ROOT) + " already.", 409);
        }
        return request;
    }

    public PurgeRequest find(UUID id) {
        List<PurgeRequest> found = requests("SELECT " + REQUEST_COLUMNS + " FROM audit_purge_request WHERE id = ?", id);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Newest first. */
    public List<PurgeRequest> list() {
        return requests("SELECT " + REQUEST_COLUMNS + " FROM audit_purge_request ORDER BY requested_at DESC LIMIT ?", 50);
    }

    /** The gzip JSON Lines of what a purge removed, or null. */
    public byte[] receipt(UUID id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT receipt FROM audit_purge_request WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("purge receipt not read: " + e.getMessage(), e);
        }
    }

    /** On the caller's JTA connection when there is a transaction (Agroal enlists it), else autocommit. */
    private List<PurgeRequest> requests(String sql, Object param) {
        return jdbc.withConnection(c -> Jdbc.list(c, sql, rs -> new PurgeRequest(rs.getObject(1, UUID.class), instant(rs, 2),
                rs.getObject(3, UUID.class), rs.getString(4), instant(rs, 5), rs.getString(6), rs.getObject(7, UUID.class),
                rs.getString(8), instant(rs, 9), (Long) rs.getObject(10), rs.getString(11), rs.getObject(12, UUID.class)),
                param));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
