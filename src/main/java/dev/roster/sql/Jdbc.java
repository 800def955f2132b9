package dev.roster.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The one JDBC helper for the places where Panache does not fit (set-based and streamed work): a
 * transaction on one connection, and update / one / list with a row mapper. The transaction rule
 * (docs/architecture.md): a service opens the transaction with {@link #inTransaction}; everything it
 * calls, the audit append included, takes that {@link Connection}; resources never open one.
 */
@ApplicationScoped
public class Jdbc {

    /** Work done on the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Work without a result. */
    @FunctionalInterface
    public interface VoidWork {
        void run(Connection c) throws SQLException;
    }

    /** One row of a result to one value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @Inject
    AgroalDataSource dataSource;

    /**
     * Runs the work in one transaction: commits when it returns, rolls back when it throws (an
     * unchecked exception passes through unchanged; an SQLException becomes an IllegalStateException).
     */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database work failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads in a read-only transaction of their own, always rolled back: for a server-side cursor (which
     * PostgreSQL keeps only inside a transaction) streaming more rows than fit in memory.
     */
    public <T> T readOnly(Work<T> work) {
        return reading(Connection.TRANSACTION_READ_COMMITTED, work);
    }

    /** {@link #readOnly} in one snapshot (REPEATABLE READ): every statement sees the same committed state. */
    public <T> T snapshot(Work<T> work) {
        return reading(Connection.TRANSACTION_REPEATABLE_READ, work);
    }

    private <T> T reading(int isolation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            int before = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setTransactionIsolation(isolation);
            c.setReadOnly(true);
            try {
                return work.run(c);
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setTransactionIsolation(before);
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database work failed: " + e.getMessage(), e);
        }
    }

    /** {@link #inTransaction(Work)} for work without a result. */
    public void runInTransaction(VoidWork work) {
        inTransaction(c -> {
            work.run(c);
            return null;
        });
    }

    /**
     * Work on a connection in autocommit mode, each statement its own transaction: for reads and for
     * writes that must be seen at once beside a longer transaction (a planning run's heartbeat).
     */
    public <T> T withConnection(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("database work failed: " + e.getMessage(), e);
        }
    }

    /**
     * Work on the connection of the caller's JTA transaction ({@code @Transactional}, Panache), which must
     * exist: Agroal hands out the connection it enlisted in that transaction, so the work commits or rolls
     * back with the caller's change. How a JTA service appends its audit event (AuditTrail takes a Connection).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void inCallersTransaction(VoidWork work) {
        withConnection(c -> {
            work.run(c);
            return null;
        });
    }

    /** A connection in autocommit mode for the caller to close, for reads that run several statements. */
    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** One statement in its own transaction. */
    public int update(String sql, Object... args) {
        return inTransaction(c -> update(c, sql, args));
    }

    public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) {
        return inTransaction(c -> one(c, sql, mapper, args));
    }

    public <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) {
        return inTransaction(c -> list(c, sql, mapper, args));
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** The first row mapped, or empty. */
    public static <T> Optional<T> one(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(mapper.map(rs)) : Optional.empty();
            }
        }
    }

    public static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        }
    }

    /** Binds positional parameters; null binds as SQL NULL of an unspecified type. */
    public static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }
}
