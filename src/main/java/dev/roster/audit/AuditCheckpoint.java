package dev.roster.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A signed checkpoint of the chain head: the head's seq and hash, the anchor of the remaining chain
 * (after a purge: the first event left and its prev_hash), and for a purge what it removed and the
 * SHA-256 of its receipt. {@code text} is the canonical signed form; {@code signature} its hex
 * HMAC-SHA256. An auditor keeps the whole JSON; Roster trusts only {@code text} and {@code signature}.
 */
public record AuditCheckpoint(UUID id, String createdAt, String reason, long headSeq, String headHash, Long firstSeq,
        String firstPrev, Long purgedCount, String purgedSha256, String keyId, String signature, String text) {

    static final String FORMAT = "roster-audit-checkpoint-v1";

    static String signedText(UUID id, Instant createdAt, String reason, long headSeq, String headHash, Long firstSeq,
            String firstPrev, Long purgedCount, String purgedSha256, String keyId) {
        return FORMAT + "\nid=" + id + "\ncreatedAt=" + AuditHash.time(createdAt) + "\nreason=" + reason + "\nheadSeq="
                + headSeq + "\nheadHash=" + headHash + "\nfirstSeq=" + orDash(firstSeq) + "\nfirstPrev=" + orDash(firstPrev)
                + "\npurgedCount=" + orDash(purgedCount) + "\npurgedSha256=" + orDash(purgedSha256) + "\nkeyId=" + keyId + "\n";
    }

    /** The checkpoint as its signed text says it, with this signature; null when the text is not a checkpoint. */
    static AuditCheckpoint parse(String text, String signature) {
        if (text == null || !text.startsWith(FORMAT + "\n")) {
            return null;
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            return new AuditCheckpoint(UUID.fromString(f.get("id")), f.get("createdAt"), f.get("reason"),
                    Long.parseLong(f.get("headSeq")), f.get("headHash"), longOrNull(f.get("firstSeq")),
                    dashToNull(f.get("firstPrev")), longOrNull(f.get("purgedCount")), dashToNull(f.get("purgedSha256")),
                    f.get("keyId"), signature, text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String orDash(Object value) {
        return value == null ? "-" : value.toString();
    }

    private static String dashToNull(String value) {
        return value == null || value.equals("-") ? null : value;
    }

    private static Long longOrNull(String value) {
        return dashToNull(value) == null ? null : Long.valueOf(value);
    }
}
