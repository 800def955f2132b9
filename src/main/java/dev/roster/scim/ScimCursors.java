package dev.roster.scim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.roster.audit.AuditCheckpointKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The cursors of RFC 9865 lists (decision 0043): a keyset position (the last sort key and id sent), sealed with
 * AES-256-GCM under a key derived from the audit checkpoint key, the query it belongs to (resource type, filter,
 * sortBy, sortOrder) as associated data. So a cursor reveals nothing (not the last userName of a page, in a URL
 * that proxies log), cannot be forged or moved to another query (400 invalidCursor), and works on every instance
 * and across restarts; it expires roster.scim.cursor-timeout after it was issued (400 expiredCursor). It carries
 * only a position: the filter always comes from the request, so no cursor reaches a row the filter excludes.
 */
@ApplicationScoped
public class ScimCursors {

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** base64url without padding: RFC 3986's unreserved characters only, as RFC 9865 §2 asks. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,2048}");

    /** Where a walk stands: before the first row, after a row with a sort key, or in the rows whose key is null. */
    enum Segment {
        START, KEYED, NULL_KEYS
    }

    /** A position: the segment, the last key sent (as text, by the sort attribute's type) and the last id sent. */
    record Position(Segment segment, String key, UUID id) {
        static final Position START = new Position(Segment.START, null, null);
    }

    @Inject
    AuditCheckpointKey auditKey;
    @Inject
    ScimSettings settings;
    @Inject
    Clock clock;

    private volatile SecretKeySpec key;

    /** The sealed, URL-safe cursor of a position within the query named by {@code query}. */
    String encode(String query, Position p) {
        byte[] keyText = p.key() == null ? new byte[0] : p.key().getBytes(StandardCharsets.UTF_8);
        ByteBuffer plain = ByteBuffer.allocate(1 + 8 + 1 + 16 + keyText.length).put(VERSION)
                .putLong(clock.instant().getEpochSecond()).put((byte) p.segment().ordinal());
        plain.putLong(p.id() == null ? 0 : p.id().getMostSignificantBits())
                .putLong(p.id() == null ? 0 : p.id().getLeastSignificantBits()).put(keyText);
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(query.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.array());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** The position a client's cursor names; empty: the first page. 400 invalidCursor or expiredCursor otherwise. */
    Position decode(String query, String cursor) {
        String c = cursor.strip();
        if (c.isEmpty()) {
            return Position.START;
        }
        if (!TOKEN.matcher(c).matches()) {
            throw invalid();
        }
        byte[] plain;
        try {
            byte[] raw = Base64.getUrlDecoder().decode(c);
            if (raw.length <= NONCE_BYTES + TAG_BITS / 8) {
                throw invalid();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            cipher.updateAAD(query.getBytes(StandardCharsets.UTF_8));
            plain = cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
        } catch (IllegalArgumentException | AEADBadTagException e) {
            throw invalid(); // not base64url, altered, made with another key, or given with another query
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
        ByteBuffer b = ByteBuffer.wrap(plain);
        if (plain.length < 26 || b.get() != VERSION) {
            throw invalid();
        }
        long issued = b.getLong();
        int segment = b.get();
        UUID id = new UUID(b.getLong(), b.getLong());
        byte[] keyText = new byte[b.remaining()];
        b.get(keyText);
        if (segment < 0 || segment >= Segment.values().length) {
            throw invalid();
        }
        if (Instant.ofEpochSecond(issued).plus(settings.cursorTimeout()).isBefore(clock.instant())) {
            throw new ScimException(400, "expiredCursor", "This cursor was issued more than "
                    + settings.cursorTimeout().toSeconds() + " s ago (cursorTimeout in /ServiceProviderConfig): start the "
                    + "walk again with an empty cursor.");
        }
        Segment s = Segment.values()[segment];
        return s == Segment.START ? Position.START
                : new Position(s, s == Segment.KEYED ? new String(keyText, StandardCharsets.UTF_8) : null, id);
    }

    /** What a cursor is bound to: the same list asked the same way (count and attributes may change between pages). */
    static String query(String resourceSchema, ScimSearch q) {
        return String.join("\n", resourceSchema, nullToEmpty(q.filter()), nullToEmpty(q.sortBy()), nullToEmpty(q.sortOrder()));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static ScimException invalid() {
        return new ScimException(400, "invalidCursor", "This cursor is not one Roster gave for this list (it was changed, "
                + "or the filter, sortBy or sortOrder differ from the request that returned it): send the nextCursor of the "
                + "previous answer with the same parameters, or an empty cursor for the first page.");
    }

    /** AES key of its own, derived from the audit checkpoint key (one secret to keep, shared by every instance). */
    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            byte[] derived = HexFormat.of().parseHex(auditKey.sign("roster scim cursor key v1"));
            k = new SecretKeySpec(derived, "AES");
            key = k;
        }
        return k;
    }
}
