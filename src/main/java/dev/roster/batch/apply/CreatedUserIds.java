package dev.roster.batch.apply;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The id a CREATE row gives its user, the same as SQL's roster_created_user_id(batch, line):
 * derived from the batch and line, so users, audit events and invitations of one apply agree
 * on it without reading uncommitted rows back.
 */
public final class CreatedUserIds {

    private CreatedUserIds() {
    }

    public static UUID of(UUID batchId, long line) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5")
                    .digest((batchId + ":" + line).getBytes(StandardCharsets.UTF_8));
            String hex = HexFormat.of().formatHex(md5);
            return UUID.fromString(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                    + hex.substring(16, 20) + "-" + hex.substring(20));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
