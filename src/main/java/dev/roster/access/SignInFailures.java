package dev.roster.access;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Failed and throttled sign-ins in bounded form (issue #12): identifiers are truncated, and the
 * attempts of one account from one IP are aggregated per window. The first failure of a window is
 * written at once (so the audit trail shows an attack as it starts); the rest only raise a counter
 * in {@code sign_in_failure_window}, and once the window has closed one summary event carries
 * their count. Whatever an attacker types, and however often, each (account, IP, window) costs at
 * most two audit events; past roster.sign-in.audit-accounts-per-ip accounts per IP and window, further
 * addresses share one row.
 */
@ApplicationScoped
public class SignInFailures {

    static final int MAX_IDENTIFIER = 200;
    static final String OTHER_ACCOUNTS = "(more addresses from this IP)";
    /** Past this many (account, IP) rows in one window, every further failure shares one row: a client that can
     *  pick its IP (an appending proxy, an IPv6 /64) cannot turn failures into unbounded audit events. */
    static final int MAX_ROWS_PER_WINDOW = 1_000;
    static final String OTHER_SOURCES = "(more addresses and IPs)";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    SignInAudit audit;
    @Inject
    Clock clock;
    @Inject
    SignInConfig config;

    /** The page of directory users asking for a reset link ("Forgot your password?"). */
    public static final String FORGOT = "forgot";
    /** The page of directory users changing their own password. */
    public static final String PASSWORD_CHANGE = "password-change";
    /**
     * Keys of directory users' failures start with this and the page ({@code user:forgot:}, {@code user:change:}), so
     * they never share a row with an admin of the same name, nor the two pages one row (and one reason) with each other.
     */
    static final String DIRECTORY_KEY = "user:";

    /** The channels of directory users' self-service pages (decision 0036); every other channel is an admin sign-in. */
    public static boolean forDirectoryUsers(String channel) {
        return FORGOT.equals(channel) || PASSWORD_CHANGE.equals(channel);
    }

    /** The account as typed, without the prefix that keeps directory users' rows apart. */
    static String accountOf(String key) {
        if (key == null || !key.startsWith(DIRECTORY_KEY)) {
            return key;
        }
        for (String page : new String[] {"forgot:", "change:"}) {
            if (key.startsWith(DIRECTORY_KEY + page)) {
                return key.substring(DIRECTORY_KEY.length() + page.length());
            }
        }
        return key.substring(DIRECTORY_KEY.length());
    }

    /** The key prefix of a channel's failures: none for admins, the page's for directory users. */
    static String keyPrefix(String channel) {
        if (FORGOT.equals(channel)) {
            return DIRECTORY_KEY + "forgot:";
        }
        return PASSWORD_CHANGE.equals(channel) ? DIRECTORY_KEY + "change:" : "";
    }

    /** Records one failure in the caller's transaction; writes the audit event when it opens a window. */
    public void record(String email, AdminAccount admin, String reason, String ip, String userAgent, String channel) {
        String prefix = keyPrefix(channel);
        String account = bounded(prefix + (email == null ? "" : email.trim().toLowerCase(Locale.ROOT)));
        String ipKey = ip == null ? "" : bounded(ip, 64);
        String agent = userAgent == null ? null : bounded(userAgent);
        Timestamp window = Timestamp.from(windowStart(clock.instant()));
        try (Connection c = dataSource.getConnection()) {
            if (tooManyAccounts(c, window, ipKey, account, config.auditAccountsPerIp())) {
                account = prefix + OTHER_ACCOUNTS;
            }
            if (tooManyRows(c, window, ipKey, account)) {
                account = prefix + OTHER_SOURCES;
                ipKey = "";
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sign_in_failure_window AS w (window_start, account_key, ip, attempts, recorded, channel,
                                                            last_reason, known_admin, user_agent)
                    VALUES (?, ?, ?, 1, 1, ?, ?, ?, ?)
                    ON CONFLICT (window_start, ip, account_key) DO UPDATE
                       SET attempts = w.attempts + 1, last_reason = EXCLUDED.last_reason,
                           known_admin = w.known_admin OR EXCLUDED.known_admin
                    RETURNING attempts""")) {
                ps.setTimestamp(1, window);
                ps.setString(2, account);
                ps.setString(3, ipKey);
                ps.setString(4, bounded(channel, 16));
                ps.setString(5, bounded(reason, 64));
                ps.setBoolean(6, admin != null);
                ps.setString(7, agent);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 1) {
                        audit.record(new SignInService.SignInAttempt(account, admin, false, reason, ip == null ? null : ipKey,
                                agent, channel, 1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not record a failed sign-in", e);
        }
    }

    /** Writes one summary event per closed window with more failures than were recorded, and forgets the window. */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    public void summariseClosedWindows() {
        record Closed(String account, String ip, int repeated, String channel, String reason, boolean known, String agent) {
        }
        List<Closed> closed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        DELETE FROM sign_in_failure_window WHERE window_start < ?
                        RETURNING account_key, ip, attempts - recorded, channel, last_reason, known_admin, user_agent""")) {
            ps.setTimestamp(1, Timestamp.from(windowStart(clock.instant())));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(3) > 0) {
                        closed.add(new Closed(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                                rs.getString(5), rs.getBoolean(6), rs.getString(7)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not summarise failed sign-ins", e);
        }
        for (Closed w : closed) {
            AdminAccount admin = w.known() ? AdminAccount.findByEmail(w.account()).orElse(null) : null;
            audit.record(new SignInService.SignInAttempt(w.account(), admin, false, w.reason(),
                    w.ip().isEmpty() ? null : w.ip(), w.agent(), w.channel(), w.repeated()));
        }
    }

    Instant windowStart(Instant now) {
        long window = config.auditWindow().toMillis();
        return Instant.ofEpochMilli(now.toEpochMilli() - Math.floorMod(now.toEpochMilli(), window));
    }

    private static boolean tooManyRows(Connection c, Timestamp window, String ip, String account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), count(*) FILTER (WHERE ip = ? AND account_key = ?)
                  FROM (SELECT ip, account_key FROM sign_in_failure_window WHERE window_start = ? LIMIT ?) w""")) {
            ps.setString(1, ip);
            ps.setString(2, account);
            ps.setTimestamp(3, window);
            ps.setInt(4, MAX_ROWS_PER_WINDOW + 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(2) == 0 && rs.getInt(1) >= MAX_ROWS_PER_WINDOW;
            }
        }
    }

    private static boolean tooManyAccounts(Connection c, Timestamp window, String ip, String account, int bound)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), count(*) FILTER (WHERE account_key = ?)
                  FROM sign_in_failure_window WHERE window_start = ? AND ip = ?""")) {
            ps.setString(1, account);
            ps.setTimestamp(2, window);
            ps.setString(3, ip);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(2) == 0 && rs.getInt(1) >= bound;
            }
        }
    }

    static String bounded(String value) {
        return bounded(value, MAX_IDENTIFIER);
    }

    static String bounded(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        return value.substring(0, max - 1) + "…";
    }
}
