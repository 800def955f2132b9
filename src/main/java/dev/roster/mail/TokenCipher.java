package dev.roster.mail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Encrypts the raw token of a link while its mail waits in the outbox (AES-256-GCM, the message
 * id as associated data so a ciphertext cannot be moved to another row). The key comes from
 * roster.mail.token-key (Base64 of 32 bytes) or, when that is unset, is made once and kept in
 * the mail_token_key table.
 */
@ApplicationScoped
public class TokenCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    @ConfigProperty(name = "roster.mail.token-key")
    Optional<String> configuredKey;
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
        if (secret == null || secret.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, secret, 0, NONCE_BYTES));
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
        if (configuredKey.isPresent() && !configuredKey.get().isBlank()) {
            byte[] bytes = Base64.getDecoder().decode(configuredKey.get().trim());
            if (bytes.length != 32) {
                throw new IllegalStateException("roster.mail.token-key must be the Base64 of 32 random bytes (openssl rand -base64 32)");
            }
            return bytes;
        }
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("INSERT INTO mail_token_key (id, key_bytes) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING")
                    .setParameter(1, fresh).executeUpdate();
            return (byte[]) em.createNativeQuery("SELECT key_bytes FROM mail_token_key WHERE id = 1").getSingleResult();
        });
    }

    private static byte[] aad(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }
}
