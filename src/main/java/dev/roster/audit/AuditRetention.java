package dev.roster.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The one way events leave the audit trail: an explicit retention purge of the oldest events, up to
 * a cutoff time. It removes a prefix of the chain (every event before the first one at or after the
 * cutoff), then appends an audit.purged checkpoint recording the count, the seq and time ranges and
 * the last removed hash, which is where the verifier anchors the remaining chain (docs/audit.md).
 */
@ApplicationScoped
public class AuditRetention {

    /** What a purge removed; count 0 when there was nothing older than the cutoff. */
    public record Purged(long count, Long fromSeq, Long toSeq, Instant fromTime, Instant toTime,
            String lastRemovedHash, Instant cutoff) {
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    AuditTrail trail;

    @Transactional
    public Purged purge(Instant requestedCutoff, AuditActor actor) {
        Instant cutoff = AuditHash.storable(requestedCutoff);
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
            Purged purged;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT count(*), min(seq), min(occurred_at), max(occurred_at),
                           (SELECT hash FROM audit_event WHERE seq = ?)
                      FROM audit_event WHERE seq <= ?""")) {
                ps.setLong(1, lastSeq);
                ps.setLong(2, lastSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long count = rs.getLong(1);
                    if (count == 0) {
                        return new Purged(0, null, null, null, null, null, cutoff);
                    }
                    purged = new Purged(count, rs.getLong(2), lastSeq, rs.getObject(3, OffsetDateTime.class).toInstant(),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5), cutoff);
                }
            }
            // The runtime role cannot DELETE: the owner's SECURITY DEFINER function removes the prefix (V8).
            try (PreparedStatement ps = c.prepareStatement("SELECT audit_purge(?, ?)")) {
                ps.setLong(1, lastSeq);
                ps.setObject(2, cutoff.atOffset(ZoneOffset.UTC));
                ps.execute();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("count", purged.count());
            details.put("fromSeq", purged.fromSeq());
            details.put("toSeq", purged.toSeq());
            details.put("fromTime", AuditHash.time(purged.fromTime()));
            details.put("toTime", AuditHash.time(purged.toTime()));
            details.put("lastRemovedHash", purged.lastRemovedHash());
            details.put("cutoff", AuditHash.time(cutoff));
            trail.recordTrusted(actor, AuditEventDraft.of(AuditAction.AUDIT_PURGED, details), purged.toSeq(),
                    purged.lastRemovedHash());
            return purged;
        } catch (SQLException e) {
            throw new IllegalStateException("audit purge failed: " + e.getMessage(), e);
        }
    }
}
