package dev.roster.ldap;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
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
 * LDAP service accounts (docs/ldap.md): the applications that bind as {@code cn=<name>,ou=services,<base>} and search.
 * The secret ({@value #PREFIX} + 256 random bits) is returned once by {@link #create}; PostgreSQL keeps its SHA-256.
 * A {@code read-only} account searches and compares; a {@code password-manager} account may also set other users'
 * passwords through Password Modify (RFC 3062). Every change is audited.
 */
@ApplicationScoped
public class ServiceAccounts {

    public static final String PREFIX = "rsl_";
    /** last_bind_at is written at most this often per account, so a busy application costs no write per bind. */
    static final Duration LAST_BIND_PRECISION = Duration.ofMinutes(1);

    /** What an account may do. */
    public enum Right {
        READ_ONLY, PASSWORD_MANAGER;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Right parse(String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Right r : values()) {
                if (r.label().equals(v)) {
                    return r;
                }
            }
            throw new BadRequestException("Unknown right \"" + value + "\": use read-only (search and compare) or "
                    + "password-manager (also set other users' passwords through Password Modify).");
        }
    }

    /** An account as lists show it: never its secret. */
    public record Account(UUID id, String name, String description, Right right, String createdByName, Instant createdAt,
            Instant lastBindAt, Instant revokedAt, String revokedByName, String dn) {

        public boolean active() {
            return revokedAt == null;
        }

        public String rightLabel() {
            return right.label();
        }

        public String state() {
            return revokedAt == null ? "active" : "revoked";
        }
    }

    /** An account just made, with its secret: the only time anyone sees it. */
    public record Created(Account account, String secret) {
    }

    private static final String COLUMNS = "id, name, description, access_right, created_by_name, created_at, last_bind_at, "
            + "revoked_at, revoked_by_name";

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    Clock clock;
    @Inject
    LdapSettings settings;

    private volatile LdapTree tree;

    private LdapTree tree() {
        if (tree == null) {
            tree = new LdapTree(settings.baseDn(), false);
        }
        return tree;
    }

    public Created create(String name, String description, Right right, Operator who) {
        String clean = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (!clean.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new BadRequestException("Give the service account a name of 1 to 63 lower-case letters, digits, dots, "
                    + "dashes or underscores that says which application uses it, e.g. \"keycloak\" (its DN becomes "
                    + "cn=NAME,ou=services," + settings.baseDn() + ").");
        }
        String desc = description == null || description.isBlank() ? null : description.strip();
        if (desc != null && (desc.length() > 200 || desc.chars().anyMatch(Character::isISOControl))) {
            throw new BadRequestException("Keep the description to one line of at most 200 characters.");
        }
        if (right == null) {
            throw new BadRequestException("Give the service account a right: read-only or password-manager.");
        }
        String secret = PREFIX + SecureTokens.newToken(32);
        Account account = jdbc.inTransaction(c -> {
            if (Jdbc.one(c, "SELECT 1 FROM ldap_service_account WHERE name = ? AND revoked_at IS NULL", rs -> 1, clean).isPresent()) {
                throw new ClientErrorException("An active service account \"" + clean + "\" exists; revoke it first or "
                        + "choose another name.", 409);
            }
            Account a = Jdbc.one(c, "INSERT INTO ldap_service_account (id, name, description, access_right, secret_sha256, "
                    + "created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS,
                    this::account, UUID.randomUUID(), clean, desc, right.name(), SecureTokens.sha256Hex(secret), who.id(),
                    who.name(), Timestamp.from(clock.instant())).orElseThrow();
            audit.record(c, who.actor(), AuditEventDraft.of(AuditAction.LDAP_SERVICE_CREATED, details(a)));
            return a;
        });
        return new Created(account, secret);
    }

    public List<Account> list() {
        return jdbc.list("SELECT " + COLUMNS + " FROM ldap_service_account ORDER BY revoked_at IS NOT NULL, name, created_at DESC",
                this::account);
    }

    public boolean any() {
        return jdbc.one("SELECT 1 FROM ldap_service_account LIMIT 1", rs -> 1).isPresent();
    }

    public Account revoke(UUID id, Operator who) {
        return jdbc.inTransaction(c -> {
            Account a = Jdbc.one(c, "UPDATE ldap_service_account SET revoked_at = ?, revoked_by_name = ? WHERE id = ? "
                    + "AND revoked_at IS NULL RETURNING " + COLUMNS, this::account, Timestamp.from(clock.instant()),
                    who.name(), id).orElse(null);
            if (a == null) {
                Account existing = Jdbc.one(c, "SELECT " + COLUMNS + " FROM ldap_service_account WHERE id = ?", this::account, id)
                        .orElseThrow(() -> new NotFoundException("No LDAP service account with id " + id + "."));
                throw new ClientErrorException("The service account \"" + existing.name() + "\" is already revoked.", 409);
            }
            audit.record(c, who.actor(), AuditEventDraft.of(AuditAction.LDAP_SERVICE_REVOKED, details(a)));
            return a;
        });
    }

    /** The active account the name and secret belong to, noting the bind (at most once a minute); empty otherwise. */
    Optional<Account> authenticate(String name, String secret) {
        if (name == null || secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        record Stored(Account account, String hash) {
        }
        Optional<Stored> found = jdbc.one("SELECT " + COLUMNS + ", secret_sha256 FROM ldap_service_account "
                + "WHERE name = ? AND revoked_at IS NULL", rs -> new Stored(account(rs), rs.getString(10)),
                name.toLowerCase(Locale.ROOT));
        if (found.isEmpty() || !MessageDigest.isEqual(found.get().hash().getBytes(StandardCharsets.US_ASCII),
                SecureTokens.sha256Hex(secret).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        Account a = found.get().account();
        Instant now = clock.instant();
        if (a.lastBindAt() == null || a.lastBindAt().isBefore(now.minus(LAST_BIND_PRECISION))) {
            jdbc.update("UPDATE ldap_service_account SET last_bind_at = ? WHERE id = ?", Timestamp.from(now), a.id());
        }
        return Optional.of(a);
    }

    private static Map<String, Object> details(Account a) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", a.id().toString());
        d.put("name", a.name());
        d.put("right", a.right().label());
        d.put("dn", a.dn());
        return d;
    }

    private Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), Right.valueOf(rs.getString(4)),
                rs.getString(5), instant(rs, 6), instant(rs, 7), instant(rs, 8), rs.getString(9),
                tree().serviceDn(rs.getString(2)));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
