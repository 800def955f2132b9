package dev.roster.token;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.SecureTokens;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/**
 * API tokens: bearer credentials for SCIM clients and scripts (docs/decisions/0016-api-tokens.md). The secret
 * ({@value #PREFIX} + 256 random bits) is returned once by {@link #create}; PostgreSQL keeps only its SHA-256.
 * A read token acts as a viewer, a read-write token as an operator, never as an admin.
 */
@ApplicationScoped
public class ApiTokens {

    /** Every secret starts with this, so a leaked one is recognisable (secret scanners) and never taken for a JWT. */
    public static final String PREFIX = "rst_";
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(365);
    public static final Duration MAX_LIFETIME = Duration.ofDays(3 * 365);
    /** last_used_at is written at most this often per token, so a busy client costs no write per request. */
    static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    public enum Scope {
        READ, READ_WRITE;

        public AdminRole role() {
            return this == READ ? AdminRole.VIEWER : AdminRole.OPERATOR;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Scope parse(String value) {
            String v = value == null ? "" : value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Scope s : values()) {
                if (s.name().equals(v)) {
                    return s;
                }
            }
            throw new BadRequestException("Unknown scope \"" + value + "\": use read or read-write.");
        }
    }

    /** A token as lists show it: never its secret. */
    public record Token(UUID id, String name, Scope scope, String createdByName, Instant createdAt, Instant expiresAt,
            Instant lastUsedAt, Instant revokedAt, String revokedByName) {

        public boolean active(Instant now) {
            return revokedAt == null && expiresAt.isAfter(now);
        }

        public String state() {
            return revokedAt != null ? "revoked" : expiresAt.isAfter(Instant.now()) ? "active" : "expired";
        }

        public String scopeLabel() {
            return scope.label();
        }
    }

    /** A token just made, with its secret: the only time anyone sees it. */
    public record Created(Token token, String secret) {
    }

    private static final String COLUMNS = "id, name, scope, created_by_name, created_at, expires_at, last_used_at, "
            + "revoked_at, revoked_by_name";

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    Clock clock;

    public Created create(String name, String scope, Instant expiresAt, Operator who) {
        String clean = name == null ? "" : name.strip();
        if (clean.isEmpty() || clean.length() > 100 || clean.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequestException("Give the token a name of 1 to 100 characters that says who uses it, "
                    + "e.g. \"Entra ID provisioning\".");
        }
        Scope s = Scope.parse(scope);
        Instant now = clock.instant();
        Instant expires = expiresAt == null ? now.plus(DEFAULT_LIFETIME) : expiresAt;
        if (!expires.isAfter(now)) {
            throw new BadRequestException("expiresAt " + expires + " is in the past; choose a later time.");
        }
        if (expires.isAfter(now.plus(MAX_LIFETIME))) {
            throw new BadRequestException("expiresAt " + expires + " is more than " + MAX_LIFETIME.toDays()
                    + " days ahead; tokens must expire within three years.");
        }
        UUID id = UUID.randomUUID();
        String secret = PREFIX + SecureTokens.newToken(32);
        Token token = jdbc.inTransaction(c -> {
            Token t = Jdbc.one(c, "INSERT INTO api_token (id, name, scope, secret_sha256, created_by, created_by_name, "
                    + "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS, ApiTokens::token,
                    id, clean, s.name(), SecureTokens.sha256Hex(secret), who.id(), who.name(), Timestamp.from(now),
                    Timestamp.from(expires)).orElseThrow();
            audit.record(c, who.actor(), AuditEventDraft.of(AuditAction.TOKEN_CREATED, details(t)));
            return t;
        });
        return new Created(token, secret);
    }

    public List<Token> list() {
        return jdbc.list("SELECT " + COLUMNS + " FROM api_token ORDER BY revoked_at IS NOT NULL, created_at DESC",
                ApiTokens::token);
    }

    public Token find(UUID id) {
        return jdbc.one("SELECT " + COLUMNS + " FROM api_token WHERE id = ?", ApiTokens::token, id)
                .orElseThrow(() -> new NotFoundException("No API token with id " + id + "."));
    }

    /** Revokes a token at once, on every instance (each request looks the token up). */
    public Token revoke(UUID id, Operator who) {
        return jdbc.inTransaction(c -> {
            Token t = Jdbc.one(c, "UPDATE api_token SET revoked_at = now(), revoked_by_name = ? WHERE id = ? "
                    + "AND revoked_at IS NULL RETURNING " + COLUMNS, ApiTokens::token, who.name(), id).orElse(null);
            if (t == null) {
                Token existing = find(id);
                throw new ClientErrorException("The token \"" + existing.name() + "\" is already revoked.", 409);
            }
            audit.record(c, who.actor(), AuditEventDraft.of(AuditAction.TOKEN_REVOKED, details(t)));
            return t;
        });
    }

    /**
     * The active token a presented secret belongs to, and notes its use (at most once a minute). Empty for an
     * unknown, revoked or expired secret.
     */
    public Optional<Token> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        Optional<Token> found = jdbc.one("SELECT " + COLUMNS + " FROM api_token WHERE secret_sha256 = ?",
                ApiTokens::token, SecureTokens.sha256Hex(secret));
        Instant now = clock.instant();
        if (found.isEmpty() || !found.get().active(now)) {
            return Optional.empty();
        }
        Token t = found.get();
        if (t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minus(LAST_USED_PRECISION))) {
            jdbc.update("UPDATE api_token SET last_used_at = ? WHERE id = ?", Timestamp.from(now), t.id());
        }
        return found;
    }

    private static Map<String, Object> details(Token t) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", t.id().toString()); // not "tokenId": AuditDetails redacts names with "token"
        d.put("name", t.name());
        d.put("scope", t.scope().label());
        d.put("expiresAt", t.expiresAt().toString());
        return d;
    }

    private static Token token(ResultSet rs) throws SQLException {
        return new Token(rs.getObject(1, UUID.class), rs.getString(2), Scope.valueOf(rs.getString(3)), rs.getString(4),
                instant(rs, 5), instant(rs, 6), instant(rs, 7), instant(rs, 8), rs.getString(9));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
