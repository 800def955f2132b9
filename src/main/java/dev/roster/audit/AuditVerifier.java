package dev.roster.audit;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.core.Response;

/**
 * Checks the chain in seq order from a server-side cursor (one snapshot, constant memory) and reports the
 * first event whose hash or prev_hash does not hold. By default it starts at the newest signed checkpoint
 * (its head event must still carry the signed hash), so a call rehashes only what came since; a full
 * verification from the start of the chain runs one at a time and at most once per interval. Given an
 * auditor's saved checkpoint it reports a truncated tail or a rewritten history (docs/audit.md).
 */
@ApplicationScoped
public class AuditVerifier {

    /** The first event that breaks the chain and why (id null when the event is missing). */
    public record Broken(UUID id, long seq, String reason) {
    }

    /** The outcome: ok, how many events were checked, the first broken one, the head, and where checking began. */
    public record Result(boolean ok, long checked, Broken firstBroken, Long lastSeq, String lastHash, String from) {
    }

    @Inject
    Jdbc jdbc;
    @Inject
    AuditCheckpoints checkpoints;
    @Inject
    AuditConfig config;
    @Inject
    Clock clock;

    /** One walk at a time per instance: verification reads the whole table in the worst case. */
    private final Semaphore walking = new Semaphore(1);
    private volatile Instant lastFull = Instant.EPOCH;

    /** From the newest signed checkpoint, or from the start when there is none yet. */
    public Result verify() {
        AuditCheckpoint latest = checkpoints.latestValid();
        return latest == null ? bounded(() -> inSnapshot(c -> full(c))) : bounded(() -> inSnapshot(c -> anchored(c, latest)));
    }

    /** From the start of the chain (or the newest purge's anchor): at most once per full-verify-interval. */
    public Result verifyFull() {
        Instant now = clock.instant();
        if (now.isBefore(lastFull.plus(config.fullVerifyInterval()))) {
            long wait = Math.max(1, lastFull.plus(config.fullVerifyInterval()).getEpochSecond() - now.getEpochSecond());
            throw new ClientErrorException(Response.status(429).header("Retry-After", wait).entity(java.util.Map.of(
                    "status", 429, "error", "A full verification ran less than " + config.fullVerifyInterval().toSeconds()
                            + " s ago: try again in " + wait + " s, or verify from the latest checkpoint.")).build());
        }
        lastFull = now;
        return bounded(() -> inSnapshot(this::full));
    }

    /** Against a checkpoint an auditor saved: its signature must hold, and the chain must still pass through its head. */
    public Result verifyAgainst(String text, String signature) {
        AuditCheckpoint saved = AuditCheckpoint.parse(text, signature);
        if (saved == null || !checkpoints.valid(saved)) {
            return new Result(false, 0, new Broken(null, saved == null ? 0 : saved.headSeq(),
                    "the checkpoint is not one this Roster signed (its text or signature was altered, or another key made it)"),
                    null, null, "the given checkpoint");
        }
        return bounded(() -> inSnapshot(c -> anchored(c, saved)));
    }

    private interface Walk {
        Result run(Connection c) throws SQLException;
    }

    private Result bounded(java.util.function.Supplier<Result> walk) {
        boolean acquired;
        try {
            acquired = walking.tryAcquire(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ClientErrorException("Another verification is running: try again in a minute.", 429);
        }
        try {
            return walk.get();
        } finally {
            walking.release();
        }
    }

    private Result inSnapshot(Walk walk) {
        return jdbc.snapshot(walk::run);
    }

    private Result full(Connection c) throws SQLException {
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
        return walk(c, 1, expectedSeq, expectedPrev, anchorNote, 0, "the start of the chain");
    }

    /** From a signed checkpoint: its head must still be there with the signed hash, then every later event links on. */
    private Result anchored(Connection c, AuditCheckpoint cp) throws SQLException {
        String from = "checkpoint " + cp.id() + " (" + cp.createdAt() + ", seq " + cp.headSeq() + ")";
        if (cp.headSeq() == 0) {
            return walk(c, 1, 1, AuditHash.GENESIS, "the genesis hash", 0, from);
        }
        AuditRecord head = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE seq = ?")) {
            ps.setLong(1, cp.headSeq());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    head = AuditQuery.read(rs);
                }
            }
        }
        if (head != null) {
            if (!AuditHash.compute(head).equals(head.hash())) {
                return new Result(false, 1, new Broken(head.id(), head.seq(),
                        "hash mismatch: the event's fields do not give its stored hash"), null, null, from);
            }
            if (!head.hash().equals(cp.headHash())) {
                return new Result(false, 1, new Broken(head.id(), head.seq(), "rewritten history: event " + head.seq()
                        + " no longer has the hash " + from + " signed; the chain up to it was rewritten"), null, null, from);
            }
            return walk(c, cp.headSeq() + 1, cp.headSeq() + 1, cp.headHash(), "the head of " + from, 1, from);
        }
        long min;
        long max;
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM audit_event");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            min = rs.getLong(1);
            max = rs.getLong(2);
        }
        if (max < cp.headSeq()) {
            return new Result(false, 0, new Broken(null, cp.headSeq(), "truncated tail: the chain now ends at seq " + max
                    + " but " + from + " signed events up to seq " + cp.headSeq() + ": events were removed from the end"),
                    max == 0 ? null : max, null, from);
        }
        if (min > cp.headSeq()) {
            // Removed by a purge? Only a signed purge checkpoint made since, anchoring the chain where it now starts, says so.
            List<AuditCheckpoint> purges = checkpoints.purgesSince(cp.createdAt());
            for (AuditCheckpoint purge : purges) {
                if (purge.firstSeq() != null && purge.firstSeq() == min) {
                    return walk(c, min, min, purge.firstPrev(), "the anchor of purge checkpoint " + purge.id(), 0,
                            from + ", purged since by checkpoint " + purge.id());
                }
            }
            return new Result(false, 0, new Broken(null, cp.headSeq(), "events up to seq " + (min - 1)
                    + " are gone, with no signed purge checkpoint made since " + from + " that accounts for them"), null, null, from);
        }
        return new Result(false, 0, new Broken(null, cp.headSeq(), "event " + cp.headSeq() + " signed by " + from
                + " is missing from the chain"), null, null, from);
    }

    /** Continues a walk on the caller's connection (which holds the chain lock): the events from seq on must link to hash. */
    Result continueFrom(Connection c, long seq, String hash, long alreadyChecked) throws SQLException {
        return walk(c, seq, seq, hash, "the hash of event " + (seq - 1), alreadyChecked, "seq " + seq);
    }

    private Result walk(Connection c, long fromSeq, long expectedSeq, String expectedPrev, String anchorNote, long alreadyChecked,
            String from) throws SQLException {
        MessageDigest digest = AuditHash.digest();
        long checked = alreadyChecked;
        Long lastSeq = alreadyChecked > 0 && fromSeq > 1 ? fromSeq - 1 : null;
        String lastHash = lastSeq != null ? expectedPrev : null;
        boolean first = true;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE seq >= ? ORDER BY seq")) {
            ps.setLong(1, fromSeq);
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
                                + (first ? anchorNote : "the hash of event " + (r.seq() - 1));
                    }
                    if (reason != null) {
                        return new Result(false, checked, new Broken(r.id(), r.seq(), reason), lastSeq, lastHash, from);
                    }
                    first = false;
                    expectedSeq = r.seq() + 1;
                    expectedPrev = r.hash();
                    lastSeq = r.seq();
                    lastHash = r.hash();
                }
            }
        }
        return new Result(true, checked, null, lastSeq, lastHash, from);
    }
}
