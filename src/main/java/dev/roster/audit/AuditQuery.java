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

import dev.roster.sql.Jdbc;
import dev.roster.web.PageOf;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Reads audit events: a page, newest first, for browsing; or all matching, oldest first, streamed. */
@ApplicationScoped
public class AuditQuery {

    static final int FETCH_SIZE = 2000;

    @Inject
    Jdbc jdbc;

    public PageOf<AuditRecord> page(AuditFilter filter, int page, int size) {
        AuditFilter.Sql sql = filter.sql();
        Object[] params = sql.params().toArray();
        List<Object> paged = new ArrayList<>(sql.params());
        paged.add(size);
        paged.add((long) (page - 1) * size);
        return jdbc.withConnection(c -> {
            long total = Jdbc.one(c, "SELECT count(*) FROM audit_event WHERE " + sql.where(), rs -> rs.getLong(1), params)
                    .orElse(0L);
            List<AuditRecord> items = Jdbc.list(c, "SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE "
                    + sql.where() + " ORDER BY seq DESC LIMIT ? OFFSET ?", AuditQuery::read, paged.toArray());
            return new PageOf<>(items, total, page, size);
        });
    }

    /**
     * Streams every matching event, oldest first, from a server-side cursor in a read-only transaction
     * of its own. Returns the count.
     */
    public long stream(AuditFilter filter, Consumer<AuditRecord> each) {
        AuditFilter.Sql sql = filter.sql();
        return jdbc.readOnly(c -> {
            long count = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE "
                    + sql.where() + " ORDER BY seq")) {
                ps.setFetchSize(FETCH_SIZE);
                Jdbc.bind(ps, sql.params().toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        each.accept(read(rs));
                        count++;
                    }
                }
            }
            return count;
        });
    }

    /** The matching events as CSV rows written by PostgreSQL (AuditCsvCopy), oldest first; returns the count. */
    public long copyCsv(AuditFilter filter, java.io.OutputStream out) throws java.io.IOException {
        try (Connection c = jdbc.connection()) {
            return AuditCsvCopy.copy(c, filter.sql(), out);
        } catch (SQLException e) {
            throw new IllegalStateException("audit events not read: " + e.getMessage(), e);
        }
    }

    static AuditRecord read(ResultSet rs) throws SQLException {
        return new AuditRecord(rs.getLong(1), rs.getObject(2, UUID.class),
                rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4), rs.getObject(5, UUID.class),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getObject(10, UUID.class),
                rs.getString(11), rs.getObject(12, UUID.class), rs.getString(13), rs.getString(14), rs.getString(15));
    }
}
