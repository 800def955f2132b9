package dev.roster.token;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.roster.access.AdminAccessReduced;
import dev.roster.access.AdminRole;
import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.SecureTokens;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/**
 * API tokens: bearer credentials for SCIM clients and scripts (docs/decisions/0016-api-tokens.md). The secret
 * ({@value #PREFIX} + 256 random bits) is returned once by {@link #create}; PostgreSQL keeps only its SHA-256.
 * A token acts as a viewer or an operator (never as an admin), only where its scopes reach ({@link TokenScopes}).
 */
@ApplicationScoped
public class ApiTokens {

    /** Every secret starts with this, so a leaked one is recognisable (secret scanners) and never taken for a JWT. */
    public static final String PREFIX = "rst_";
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(365);
    public static final Duration MAX_LIFETIME = Duration.ofDays(3 * 365);
    /** last_used_at is written at most this often per token, so a busy client costs no write per request. */
    static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    /**
     * What a token may do (decision 0026): {@code read} reads /api and /scim/v2 like a viewer; {@code scim} is SCIM
     * provisioning only (/scim/v2, reads and writes); {@code batches} the batch API (/api/batches); {@code directory}
     * the users and groups API's writes. Sync sources, mapping profiles and their limits no token changes.
     */
    public enum Scope {
        READ, SCIM, BATCHES, DIRECTORY;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a read-write token (before V23) could do, and what the label "read-write" still asks for. */
    public static final Set<Scope> READ_WRITE = Collections.unmodifiableSet(EnumSet.allOf(Scope.class));
    static final String READ_WRITE_LABEL = "read-write";

    /**
     * The scopes a request names: {@code scope} as space- or comma-separated labels ("scim", "read batches",
     * "read-write" for every scope), or {@code scopes} as a list of labels.
     */
    public static Set<Scope> parseScopes(String scope, List<String> scopes) {
        List<String> words = new ArrayList<>();
        if (scopes != null) {
            scopes.forEach(w -> words.add(w == null ? "" : w));
        }
        if (scope != null && !scope.isBlank()) {
            words.addAll(Arrays.asList(scope.strip().split("[\\s,]+")));
        }
        EnumSet<Scope> out = EnumSet.noneOf(Scope.class);
        for (String word : words) {
            String w = word.strip().toLowerCase(Locale.ROOT);
            if (w.equals(READ_WRITE_LABEL)) {
                out.addAll(READ_WRITE);
                continue;
            }
            Scope found = Arrays.stream(Scope.values()).filter(s -> s.label().equals(w)).findFirst()
                    .orElseThrow(() -> new BadRequestException("Unknown scope \"" + word + "\": use scim (SCIM "
                            + "provisioning only), batches (the batch API), read, directory (users and groups writes), "
                            + "or read-write (all four)."));
            out.add(found);
        }
        if (out.isEmpty()) {
            throw new BadRequestException("Give the token a scope: scim (SCIM provisioning only), batches (the batch API), "
                    + "read, directory, or several separated by spaces.");
        }
        return Collections.unmodifiableSet(out);
    }

    /** "read", "read-write" (every scope, as before V23), or the labels separated by spaces ("read batches"). */
    public static String label(Set<Scope> scopes) {
        if (scopes.equals(READ_WRITE)) {
            return READ_WRITE_LABEL;
        }
        return String.join(" ", scopes.stream().sorted().map(Scope::label).toList());
    }

    /** The role a token acts with: an operator when it may write anything, else a viewer; never an admin. */
    public static AdminRole role(Set<Scope> scopes) {
        return scopes.stream().anyMatch(s -> s != Scope.READ) ? AdminRole.OPERATOR : AdminRole.VIEWER;
    }

    /** A token as lists show it: never its secret. */
    public record Token(UUID id, String name, Set<Scope> scopes, String createdByName, Instant createdAt, Instant expiresAt,
            Instant lastUsedAt, Instant revokedAt, String revokedByName, UUID createdBy, String revokedReason) {

        public boolean active(Instant now) {
            return revokedAt == null && expiresAt.isAfter(now);
        }

        public String state() {
            return revokedAt != null ? "revoked" : expiresAt.isAfter(Instant.now()) ? "active" : "expired";
        }

        public String scopeLabel() {
            return label(scopes);
        }

        public List<String> scopeLabels() {
            return scopes.stream().sorted().map(Scope::label).toList();
        }

        public AdminRole role() {
            return ApiTokens.role(scopes);
        }
    }

    /** A token just made, with its secret: the only time anyone sees it. */
    public record Created(Token token, String secret) {
    }

    private static final String COLUMNS = "id, name, scopes, created_by_name, created_at, expires_at, last_used_at, "
            + "revoked_at, revoked_by_name, created_by, revoked_reason";

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    Clock clock;
    @Inject
    Event<TokensRevoked> revokedEvent;
    @Inject
    TransactionSynchronizationRegistry transactions;

    public Created create(String name, Set<Scope> scopes, Instant expiresAt, Operator who) {
        String clean = name == null ? "" : name.strip();
        if (clean.isEmpty() || clean.length() > 100 || clean.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequestException("Give the token a name of 1 to 100 characters that says who uses it, "
                    + "e.g. \"Entra ID provisioning\".");
        }
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
            Token t = Jdbc.one(c, "INSERT INTO api_token (id, name, scopes, secret_sha256, created_by, created_by_name, "
                    + "created_at, expires_at) VALUES (?, ?, ?::text[], ?, ?, ?, ?, ?) RETURNING " + COLUMNS, ApiTokens::token,
                    id, clean, pgArray(scopes), SecureTokens.sha256Hex(secret), who.id(), who.name(), Timestamp.from(now),
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

    /**
     * Revokes a token at once, on every instance (each request looks the token up), and pauses the sync sources it
     * created or last changed ({@link TokensRevoked}), in the same transaction.
     */
    public Token revoke(UUID id, Operator who) {
        List<Runnable> afterCommit = new ArrayList<>();
        Token revoked = jdbc.inTransaction(c -> {
            Token t = Jdbc.one(c, "UPDATE api_token SET revoked_at = now(), revoked_by_name = ? WHERE id = ? "
                    + "AND revoked_at IS NULL RETURNING " + COLUMNS, ApiTokens::token, who.name(), id).orElse(null);
            if (t == null) {
                Token existing = find(id);
                throw new ClientErrorException("The token \"" + existing.name() + "\" is already revoked.", 409);
            }
            audit.record(c, who.actor(), AuditEventDraft.of(AuditAction.TOKEN_REVOKED, details(t)));
            revokedEvent.fire(new TokensRevoked(c, List.of(t.id()), who, afterCommit));
            return t;
        });
        afterCommit.forEach(Runnable::run);
        return revoked;
    }

    /**
     * Revokes the active tokens an admin minted that need more than the role they now hold (null: disabled), in the
     * caller's JTA transaction (the admin change's), each with a token.revoked event that says why.
     */
    void creatorReduced(@Observes AdminAccessReduced change) {
        List<Runnable> afterCommit = new ArrayList<>();
        jdbc.inCallersTransaction(c -> {
            List<Token> active = Jdbc.list(c, "SELECT " + COLUMNS + " FROM api_token WHERE created_by = ? "
                    + "AND revoked_at IS NULL FOR UPDATE", ApiTokens::token, change.adminId());
            List<UUID> ids = new ArrayList<>();
            String reason = change.role() == null ? "its creator was disabled"
                    : "its creator is now " + change.role().label();
            for (Token t : active) {
                if (change.role() != null && t.role().compareTo(change.role()) <= 0) {
                    continue;
                }
                Token r = Jdbc.one(c, "UPDATE api_token SET revoked_at = now(), revoked_by_name = ?, revoked_reason = ? "
                        + "WHERE id = ? RETURNING " + COLUMNS, ApiTokens::token, change.who().name(), reason, t.id())
                        .orElseThrow();
                Map<String, Object> d = details(r);
                d.put("reason", reason);
                audit.record(c, change.who().actor(), AuditEventDraft.of(AuditAction.TOKEN_REVOKED, d));
                ids.add(r.id());
            }
            if (!ids.isEmpty()) {
                revokedEvent.fire(new TokensRevoked(c, ids, change.who(), afterCommit));
            }
        });
        if (!afterCommit.isEmpty()) {
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        afterCommit.forEach(Runnable::run);
                    }
                }
            });
        }
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
        d.put("scope", t.scopeLabel());
        d.put("expiresAt", t.expiresAt().toString());
        return d;
    }

    private static Token token(ResultSet rs) throws SQLException {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String label : (String[]) rs.getArray(3).getArray()) {
            scopes.add(Scope.valueOf(label.toUpperCase(Locale.ROOT)));
        }
        return new Token(rs.getObject(1, UUID.class), rs.getString(2), Collections.unmodifiableSet(scopes), rs.getString(4),
                instant(rs, 5), instant(rs, 6), instant(rs, 7), instant(rs, 8), rs.getString(9),
                rs.getObject(10, UUID.class), rs.getString(11));
    }

    /** {read,scim} as PostgreSQL reads a text[] literal. */
    private static String pgArray(Set<Scope> scopes) {
        return "{" + String.join(",", scopes.stream().sorted().map(Scope::label).toList()) + "}";
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
