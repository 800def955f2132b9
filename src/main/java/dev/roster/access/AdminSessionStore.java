package dev.roster.access;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import dev.roster.credentials.SecureTokens;
import dev.roster.sql.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Server-side admin sessions in PostgreSQL: any instance can check a cookie, and signing out
 * revokes the session everywhere. Only the SHA-256 of the cookie value is stored.
 * Plain JDBC because it runs inside the authentication mechanism, outside any request context.
 */
@ApplicationScoped
public class AdminSessionStore {

    /** What a valid session says about its admin. */
    public record SessionAdmin(UUID adminId, String email, String displayName, AdminRole role) {
    }

    private static final Duration TOUCH_INTERVAL = Duration.ofSeconds(60);

    private final DataSource dataSource;
    private final Duration idleTimeout;
    private final Duration maxLifetime;

    AdminSessionStore(AgroalDataSource dataSource, SessionConfig config) {
        this.dataSource = dataSource;
        this.idleTimeout = config.idleTimeout();
        this.maxLifetime = config.maxLifetime();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The absolute lifetime: the session cookie's max-age too. */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** Opens a session and returns the cookie value (the only copy of the raw token). */
    public String open(UUID adminId, String ip, String userAgent) {
        String token = SecureTokens.newToken(32);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO admin_session (token_hash, admin_id, ip, user_agent) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, SecureTokens.sha256Hex(token));
            ps.setObject(2, adminId);
            ps.setString(3, ip);
            ps.setString(4, userAgent == null ? null : userAgent.substring(0, Math.min(userAgent.length(), 400)));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not open a session", e);
        }
        return token;
    }

    /**
     * The admin behind a cookie, when the session exists, is neither idle too long nor older than its absolute
     * lifetime, and the admin is enabled.
     */
    public Optional<SessionAdmin> find(String token) {
        if (token == null || token.isBlank() || token.length() > 100) {
            return Optional.empty();
        }
        String hash = SecureTokens.sha256Hex(token);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT a.id, a.email, a.display_name, a.role, s.last_seen_at, s.created_at
                          FROM admin_session s JOIN admin_account a ON a.id = s.admin_id
                         WHERE s.token_hash = ? AND a.enabled""")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Instant lastSeen = rs.getTimestamp(5).toInstant();
                Instant now = Instant.now();
                Instant created = rs.getTimestamp(6).toInstant();
                if (lastSeen.plus(idleTimeout).isBefore(now) || created.plus(maxLifetime).isBefore(now)) {
                    close(token);
                    return Optional.empty();
                }
                if (lastSeen.plus(TOUCH_INTERVAL).isBefore(now)) {
                    touch(c, hash, now);
                }
                return Optional.of(new SessionAdmin(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        AdminRole.valueOf(rs.getString(4))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the session", e);
        }
    }

    public void close(String token) {
        if (token == null) {
            return;
        }
        execute("DELETE FROM admin_session WHERE token_hash = ?", SecureTokens.sha256Hex(token));
    }

    /** Signs an admin out everywhere (used when an admin is disabled or re-roled). */
    public void closeAllOf(UUID adminId) {
        execute("DELETE FROM admin_session WHERE admin_id = ?", adminId);
    }

    /** Signs an admin out everywhere but the session of keepToken (null: everywhere); after a password change. */
    public void closeAllOfExcept(UUID adminId, String keepToken) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM admin_session WHERE admin_id = ? AND token_hash IS DISTINCT FROM ?")) {
            ps.setObject(1, adminId);
            ps.setString(2, keepToken == null ? null : SecureTokens.sha256Hex(keepToken));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("session store: " + e.getMessage(), e);
        }
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void removeIdleSessions() {
        execute("DELETE FROM admin_session WHERE last_seen_at < ?", Timestamp.from(Instant.now().minus(idleTimeout)));
        execute("DELETE FROM admin_session WHERE created_at < ?", Timestamp.from(Instant.now().minus(maxLifetime)));
    }

    private void touch(Connection c, String hash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE admin_session SET last_seen_at = ? WHERE token_hash = ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, hash);
            ps.executeUpdate();
        }
    }

    private void execute(String sql, Object parameter) {
        try (Connection c = dataSource.getConnection()) {
            Jdbc.update(c, sql, parameter);
        } catch (SQLException e) {
            throw new IllegalStateException("session store: " + e.getMessage(), e);
        }
    }
}
