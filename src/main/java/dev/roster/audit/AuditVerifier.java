package dev.roster.audit;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Walks the whole chain in seq order from a server-side cursor (one snapshot, constant memory) and
 * reports the first event whose hash or prev_hash does not hold. The first event must link to the
 * genesis hash, or, after a retention purge, to the last removed hash the newest checkpoint recorded.
 */
@ApplicationScoped
public class AuditVerifier {

    /** The first event that breaks the chain and why. */
    public record Broken(UUID id, long seq, String reason) {
    }

    /** The outcome: ok, how many events were checked, the first broken one, and the head of the chain. */
    public record Result(boolean ok, long checked, Broken firstBroken, Long lastSeq, String lastHash) {
    }

    @Inject
    AgroalDataSource dataSource;

    public Result verify() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return walk(c);
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("audit chain not verified: " + e.getMessage(), e);
        }
    }

    private Result walk(Connection c) throws SQLException {
        long expectedSeq = 1;
        String expectedPrev = AuditHash.GENESIS;
        String anchorNote = "the genesis hash";
        try (PreparedStatement ps = c.prepareStatement("SELECT details FROM audit_event WHERE action = ? ORDER BY seq DESC LIMIT 1")) {
            ps.setString(1, AuditAction.AUDIT_PURGED);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    JsonNode checkpoint = AuditDetails.JSON.readTree(rs.getString(1));
                    expectedSeq = checkpoint.path("toSeq").asLong() + 1;
                    expectedPrev = checkpoint.path("lastRemovedHash").asText();
                    anchorNote = "the last removed hash of the newest purge checkpoint";
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                anchorNote = "an unreadable purge checkpoint";
            }
        }
        MessageDigest digest = AuditHash.digest();
        long checked = 0;
        Long lastSeq = null;
        String lastHash = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event ORDER BY seq")) {
            ps.setFetchSize(AuditQuery.FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditRecord r = AuditQuery.read(rs);
                    checked++;
                    String reason = null;
                    if (!AuditHash.compute(digest, r).equals(r.hash())) {
                        reason = "hash mismatch: the event's fields do not give its stored hash";
                    } else if (r.seq() != expectedSeq) {
                        reason = "seq gap: expected seq " + expectedSeq + " but found " + r.seq()
                                + " (events missing before it)";
                    } else if (!r.prevHash().equals(expectedPrev)) {
                        reason = "prev_hash mismatch: it does not link to "
                                + (checked == 1 ? anchorNote : "the hash of event " + (r.seq() - 1));
                    }
                    if (reason != null) {
                        return new Result(false, checked, new Broken(r.id(), r.seq(), reason), lastSeq, lastHash);
                    }
                    expectedSeq = r.seq() + 1;
                    expectedPrev = r.hash();
                    lastSeq = r.seq();
                    lastHash = r.hash();
                }
            }
        }
        return new Result(true, checked, null, lastSeq, lastHash);
    }
}
