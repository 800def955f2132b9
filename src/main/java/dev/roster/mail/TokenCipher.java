package dev.roster.mail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Encrypts the raw token of a link while its mail waits in the outbox (AES-256-GCM, the message
 * id as associated data so a ciphertext cannot be moved to another row). The key never lives in
 * the database that holds the ciphertexts: it comes from roster.mail.token-key (Base64 of 32
 * bytes) or the file roster.mail.token-key-file; production refuses to start without one
 * ({@link MailStartupChecks}). Outside production a missing key file is created, and with no
 * file either (the tests) the key lives in memory. A key that earlier versions kept in the
 * mail_token_key table is used once, at start-up, to re-encrypt the links it protects under the
 * key from outside, and is then deleted ({@link #retireDatabaseKey()}).
 */
@ApplicationScoped
public class TokenCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    MailConfig config;
    @Inject
    EntityManager em;

    private volatile SecretKeySpec key;
    /** Cipher.getInstance looks the provider up each time: one instance per thread, re-initialised per message. */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    });

    public byte[] encrypt(UUID messageId, String token) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = GCM.get();
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(messageId));
            byte[] sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** The raw token, or empty when it cannot be opened (the key changed since it was queued). */
    public Optional<String> decrypt(UUID messageId, byte[] secret) {
        return decrypt(key(), messageId, secret);
    }

    private static Optional<String> decrypt(SecretKeySpec key, UUID messageId, byte[] secret) {
        if (secret == null || secret.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, secret, 0, NONCE_BYTES));
            cipher.updateAAD(aad(messageId));
            return Optional.of(new String(cipher.doFinal(secret, NONCE_BYTES, secret.length - NONCE_BYTES),
                    StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** Loads the key now (in its own transaction when it comes from the database). */
    public void ensureKey() {
        key();
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    key = new SecretKeySpec(loadKey(), "AES");
                }
                k = key;
            }
        }
        return k;
    }

    private byte[] loadKey() {
        return resolveKey(LaunchMode.current() == LaunchMode.NORMAL, config.tokenKey(), config.tokenKeyFile());
    }

    /**
     * The key: the configured one, else the key file's (created outside production when missing),
     * else, outside production only, a fresh one for this JVM.
     */
    static byte[] resolveKey(boolean production, Optional<String> configured, Optional<Path> file) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return decode(configured.get(), "roster.mail.token-key (ROSTER_MAIL_TOKEN_KEY)");
        }
        if (file.isPresent()) {
            Path path = file.get();
            try {
                if (Files.exists(path)) {
                    return decode(Files.readString(path, StandardCharsets.US_ASCII), "the key file " + path);
                }
                if (production) {
                    throw new MailStartupChecks.RefusedStart("roster.mail.token-key-file names " + path
                            + ", which does not exist. Make it with `openssl rand -base64 32 > " + path + "` (readable by Roster only).");
                }
                byte[] fresh = fresh();
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
                Files.writeString(path, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
                restrict(path);
                Log.infof("Made a new key for the links of queued mails in %s", path);
                return fresh;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read or write the mail link key file " + path + ": " + e.getMessage(), e);
            }
        }
        if (production) {
            throw new MailStartupChecks.RefusedStart("No key for the links of queued mails: set ROSTER_MAIL_TOKEN_KEY or "
                    + "ROSTER_MAIL_TOKEN_KEY_FILE (make a key with `openssl rand -base64 32`).");
        }
        return fresh();
    }

    /**
     * Upgrade from versions that kept the key in the database: re-encrypts every kept link under the
     * current key and deletes the stored one. Links it cannot open stay as they are (they were
     * already unreadable). Safe with several instances starting at once: the row is locked.
     */
    public int retireDatabaseKey() {
        SecretKeySpec current = key();
        return QuarkusTransaction.requiringNew().timeout(600).call(() -> {
            @SuppressWarnings("unchecked")
            List<byte[]> stored = em.createNativeQuery("SELECT key_bytes FROM mail_token_key WHERE id = 1 FOR UPDATE")
                    .getResultList();
            if (stored.isEmpty()) {
                return 0;
            }
            SecretKeySpec old = new SecretKeySpec(stored.get(0), "AES");
            int moved = 0;
            if (!java.util.Arrays.equals(old.getEncoded(), current.getEncoded())) {
                @SuppressWarnings("unchecked")
                List<Object[]> rows = em.createNativeQuery("SELECT id, token_secret FROM mail_outbox WHERE token_secret IS NOT NULL")
                        .getResultList();
                for (Object[] row : rows) {
                    UUID id = (UUID) row[0];
                    Optional<String> token = decrypt(old, id, (byte[]) row[1]);
                    if (token.isPresent()) {
                        em.createNativeQuery("UPDATE mail_outbox SET token_secret = ?1 WHERE id = ?2")
                                .setParameter(1, encrypt(id, token.get())).setParameter(2, id).executeUpdate();
                        moved++;
                    }
                }
            }
            em.createNativeQuery("DELETE FROM mail_token_key").executeUpdate();
            Log.infof("The link key kept in the database (mail_token_key) is retired: %d queued link(s) re-encrypted under "
                    + "the key from outside the database", moved);
            return moved;
        });
    }

    private static byte[] decode(String base64, String where) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != 32) {
            throw new MailStartupChecks.RefusedStart(where + " must hold the Base64 of 32 random bytes (make it with "
                    + "`openssl rand -base64 32`)");
        }
        return bytes;
    }

    private static byte[] fresh() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void restrict(Path path) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the directory's permissions protect it
        }
    }

    private static byte[] aad(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }
}
