package dev.roster.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import dev.roster.web.PageOf;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Reads audit events: a page, newest first, for browsing; or all matching, oldest first, streamed. */
@ApplicationScoped
public class AuditQuery {

    static final int FETCH_SIZE = 2000;

    @Inject
    AgroalDataSource dataSource;

    public PageOf<AuditRecord> page(AuditFilter filter, int page, int size) {
        AuditFilter.Sql sql = filter.sql();
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_event WHERE " + sql.where())) {
                bind(ps, sql.params());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<AuditRecord> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE "
                    + sql.where() + " ORDER BY seq DESC LIMIT ? OFFSET ?")) {
                int i = bind(ps, sql.params());
                ps.setInt(i++, size);
                ps.setLong(i, (long) (page - 1) * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(read(rs));
                    }
                }
            }
            return new PageOf<>(items, total, page, size);
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not read: " + e.getMessage(), e);
        }
    }

    /**
     * Streams every matching event, oldest first, from a server-side cursor in a read-only transaction
     * of its own. Returns the count.
     */
    public long stream(AuditFilter filter, Consumer<AuditRecord> each) {
        AuditFilter.Sql sql = filter.sql();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            long count = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE "
                    + sql.where() + " ORDER BY seq")) {
                ps.setFetchSize(FETCH_SIZE);
                bind(ps, sql.params());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        each.accept(read(rs));
                        count++;
                    }
                }
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
            return count;
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not read: " + e.getMessage(), e);
        }
    }

    /** The matching events as CSV rows written by PostgreSQL (AuditCsvCopy), oldest first; returns the count. */
    public long copyCsv(AuditFilter filter, java.io.OutputStream out) throws java.io.IOException {
        try (Connection c = dataSource.getConnection()) {
            return AuditCsvCopy.copy(c, filter.sql(), out);
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not read: " + e.getMessage(), e);
        }
    }

    static int bind(PreparedStatement ps, List<Object> params) throws SQLException {
        int i = 1;
        for (Object p : params) {
            ps.setObject(i++, p);
        }
        return i;
    }

    static AuditRecord read(ResultSet rs) throws SQLException {
        return new AuditRecord(rs.getLong(1), rs.getObject(2, UUID.class),
                rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4), rs.getObject(5, UUID.class),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getObject(10, UUID.class),
                rs.getString(11), rs.getObject(12, UUID.class), rs.getString(13), rs.getString(14), rs.getString(15));
    }
}
