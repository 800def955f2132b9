package dev.roster.credentials;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.roster.sql.BulkWrites;
import dev.roster.sql.CopyText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Mints tokens set-based on the caller's JDBC connection: voids the users' open tokens of the
 * purpose, then inserts the new ones (only their SHA-256) with one COPY.
 */
@ApplicationScoped
public class PasswordTokens {

    /** 256 random bits. */
    static final int TOKEN_BYTES = 32;

    /** What to mint a token for. */
    public record Want(UUID userId, TokenPurpose purpose, UUID batchId) {
    }

    /** A new token: the raw value exists only in memory (and encrypted in its outbox row). */
    public record Minted(UUID tokenId, String rawToken, Instant expiresAt) {
    }

    @Inject
    LinkConfig config;

    public Duration ttl(TokenPurpose purpose) {
        return purpose == TokenPurpose.INVITE ? config.inviteTtl() : config.resetTtl();
    }

    /** Mints one token per want, in order. Wants must not repeat a (user, purpose) pair. */
    public List<Minted> mint(Connection connection, List<Want> wants, Instant now) throws SQLException {
        return mint(connection, wants, now, java.util.EnumSet.allOf(TokenPurpose.class));
    }

    /**
     * As {@link #mint(Connection, List, Instant)}, voiding earlier tokens only for the given purposes:
     * an apply's invitations go to users it created in the same transaction, who cannot have any.
     */
    public List<Minted> mint(Connection connection, List<Want> wants, Instant now, java.util.Set<TokenPurpose> voidFor)
            throws SQLException {
        try {
            return mint(BulkWrites.direct(connection), wants, now, voidFor);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw e;
        }
    }

    /** As above, the writes sent to {@code writes} (an apply's are written behind while it reads on). */
    public List<Minted> mint(BulkWrites writes, List<Want> wants, Instant now, java.util.Set<TokenPurpose> voidFor) {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        Map<TokenPurpose, List<UUID>> byPurpose = wants.stream().filter(w -> voidFor.contains(w.purpose()))
                .collect(Collectors.groupingBy(Want::purpose, Collectors.mapping(Want::userId, Collectors.toList())));
        if (!byPurpose.isEmpty()) {
            writes.run(connection -> {
                try (PreparedStatement voiding = connection.prepareStatement(
                        "UPDATE password_token SET voided_at = ? WHERE purpose = ? AND user_id = ANY (?) AND used_at IS NULL AND voided_at IS NULL")) {
                    for (Map.Entry<TokenPurpose, List<UUID>> e : byPurpose.entrySet()) {
                        voiding.setObject(1, at);
                        voiding.setString(2, e.getKey().name());
                        voiding.setArray(3, connection.createArrayOf("uuid", e.getValue().toArray()));
                        voiding.addBatch();
                    }
                    voiding.executeBatch();
                }
            });
        }
        List<Minted> minted = new ArrayList<>(wants.size());
        CopyText rows = new CopyText();
        for (Want want : wants) {
            String raw = SecureTokens.newToken(TOKEN_BYTES);
            Instant expires = now.plus(ttl(want.purpose()));
            UUID id = UUID.randomUUID();
            rows.value(id).value(want.userId()).value(want.purpose().name()).value(SecureTokens.sha256Hex(raw))
                    .value(want.batchId()).value(at).value(OffsetDateTime.ofInstant(expires, ZoneOffset.UTC)).endRow();
            minted.add(new Minted(id, raw, expires));
        }
        writes.copy("password_token (id, user_id, purpose, token_hash, batch_id, created_at, expires_at)", rows);
        return minted;
    }
}
