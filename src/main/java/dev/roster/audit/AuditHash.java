package dev.roster.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The canonical serialisation of an audit event and its SHA-256 hash (docs/audit.md, "Canonical form").
 * The bytes are the line {@code roster-audit-v1\n} followed by each field in a fixed order, each written
 * as {@code <length in UTF-8 bytes>:<UTF-8 bytes>\n}, or {@code ~\n} for null. Length prefixes make the
 * form unambiguous whatever a field contains, and it is a few lines of code in any language.
 */
public final class AuditHash {

    public static final String FORMAT = "roster-audit-v1";
    /** The prev_hash of the very first event of the chain. */
    public static final String GENESIS = "0".repeat(64);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final byte[] HEADER = (FORMAT + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "~\n".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    private AuditHash() {
    }

    /** The canonical text of a time: UTC, always six fractional digits (PostgreSQL keeps microseconds). */
    public static String time(Instant instant) {
        long seconds = instant.getEpochSecond();
        // By hand for the years audit events have: DateTimeFormatter was a tenth of an apply's audit CPU.
        if (seconds < 0 || seconds >= 253402300800L) {
            return TIME.format(instant);
        }
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(seconds, instant.getNano(), ZoneOffset.UTC);
        char[] c = new char[27];
        digits(c, 0, t.getYear(), 4);
        c[4] = '-';
        digits(c, 5, t.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, t.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, t.getHour(), 2);
        c[13] = ':';
        digits(c, 14, t.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, t.getSecond(), 2);
        c[19] = '.';
        digits(c, 20, t.getNano() / 1000, 6);
        c[26] = 'Z';
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Truncates to what PostgreSQL stores, so the hash of the written event equals the hash of the read one. */
    public static Instant storable(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    public static String compute(AuditRecord r) {
        return compute(digest(), r);
    }

    static String compute(MessageDigest digest, AuditRecord r) {
        digest.reset();
        digest.update(HEADER);
        field(digest, Long.toString(r.seq()));
        field(digest, uuid(r.id()));
        field(digest, r.occurredAt() == null ? null : time(r.occurredAt()));
        field(digest, r.actorKind());
        field(digest, uuid(r.actorId()));
        field(digest, r.actorName());
        field(digest, r.actorIp());
        field(digest, r.actorUserAgent());
        field(digest, r.action());
        field(digest, uuid(r.targetUserId()));
        field(digest, r.targetEmail());
        field(digest, uuid(r.batchId()));
        field(digest, r.details());
        field(digest, r.prevHash());
        return HEX.formatHex(digest.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void field(MessageDigest digest, String value) {
        if (value == null) {
            digest.update(NULL);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
        digest.update((byte) '\n');
    }

    private static String uuid(UUID id) {
        return id == null ? null : id.toString();
    }
}
