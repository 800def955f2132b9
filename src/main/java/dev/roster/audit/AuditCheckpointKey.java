package dev.roster.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The HMAC-SHA256 key that signs audit checkpoints. It comes from outside the database (configuration,
 * environment or a key file), so a database dump or the database's owner cannot forge a checkpoint.
 * Without one Roster refuses to start, except where checkpoint-key-generate allows making one into a file.
 */
@Startup
@ApplicationScoped
public class AuditCheckpointKey {

    static final String HOW = "Make one with `openssl rand -base64 32` and set ROSTER_AUDIT_CHECKPOINT_KEY (roster.audit.checkpoint-key)"
            + " or put it in a file named by ROSTER_AUDIT_CHECKPOINT_KEY_FILE (roster.audit.checkpoint-key-file); keep it"
            + " outside the database and its backups (docs/audit.md).";

    @Inject
    AuditConfig config;

    private byte[] key;
    private String keyId;

    @PostConstruct
    void load() {
        String encoded = config.checkpointKey().filter(k -> !k.isBlank()).orElse(null);
        if (encoded == null && config.checkpointKeyFile().filter(f -> !f.isBlank()).isPresent()) {
            Path file = Path.of(config.checkpointKeyFile().get());
            try {
                if (!Files.exists(file) && config.checkpointKeyGenerate()) {
                    generate(file);
                }
                encoded = Files.readString(file, StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                throw new IllegalStateException("Roster cannot read the audit checkpoint key file " + file + ": " + e.getMessage()
                        + ". " + HOW, e);
            }
        }
        if (encoded == null) {
            throw new IllegalStateException("Roster needs a key to sign audit checkpoints. " + HOW);
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The audit checkpoint key is not base64. " + HOW, e);
        }
        if (decoded.length < 32) {
            throw new IllegalStateException("The audit checkpoint key is " + decoded.length + " bytes; it needs at least 32. " + HOW);
        }
        key = decoded;
        try {
            keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    ("roster-checkpoint-key-id\n" + encoded).getBytes(StandardCharsets.US_ASCII))).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void generate(Path file) throws IOException {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps its default permissions
        }
        Log.infof("Made a key for signing audit checkpoints in %s (local default only; production needs its own)", file);
    }

    /** A short, non-secret name of the key, recorded in each checkpoint so a key change is visible. */
    public String keyId() {
        return keyId;
    }

    /** Hex HMAC-SHA256 of the text. */
    public String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean verifies(String text, String signature) {
        return signature != null && MessageDigest.isEqual(sign(text).getBytes(StandardCharsets.US_ASCII),
                signature.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
