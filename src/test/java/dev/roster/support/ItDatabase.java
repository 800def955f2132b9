package dev.roster.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database of the integration tests' forked Roster JVMs: roster_it, or ROSTER_IT_DB (made by
 * .ci/db-setup). Emptied before each test class; Roster's Flyway builds the schema at its start.
 */
public final class ItDatabase {

    private ItDatabase() {
    }

    public static String jdbcUrl() {
        String db = System.getenv().getOrDefault("ROSTER_IT_DB", "roster_it");
        return "jdbc:postgresql://127.0.0.1:5432/" + db;
    }

    /** A connection of the test's own, e.g. to hold a lock a packaged Roster will wait for. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "roster", "roster");
    }

    /**
     * A connection as the role the forked Roster runs as (RosterProcess): PostgreSQL shows a session's query and
     * wait only to its own role (or a superuser), so a test that watches Roster's statements connects as it.
     */
    public static Connection connectAsApp() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "roster_app", "roster_app");
    }

    /** Drops every table, so the next Roster start migrates an empty database. */
    public static void clean() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS public CASCADE");
            s.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the IT database " + jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    public static long count(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static java.util.Set<String> strings(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            java.util.Set<String> out = new java.util.HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static String text(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
