package dev.roster.batch.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A plan's rows in line order, read a page at a time by line (keyset on the primary key (batch_id, line)), for the
 * apply's readers of its links and audit events (#27). As one cursor over the whole plan, PostgreSQL chose a bitmap
 * scan and a sort: nothing came out until every row was read and sorted (0.7–0.8 s on 100k rows), while the
 * apply's writer waited. A page of {@code LIMIT n} after a line is an ordered index scan that starts at once.
 *
 * <p>The statement's parameters are the batch id, the line to start after and the page size, in that order, and its
 * first column is the line: {@code ... WHERE p.batch_id = ? AND p.line > ? ... ORDER BY p.line LIMIT ?}.
 */
final class PlanPages implements AutoCloseable {

    private final PreparedStatement statement;
    private final UUID batchId;
    private final int pageSize;
    private ResultSet rows;
    /** Below every line: the groups a file creates are numbered before its first row, from -1 down. */
    private long lastLine = Long.MIN_VALUE;
    private int inPage;
    private boolean done;

    PlanPages(Connection c, String sql, UUID batchId, int pageSize) throws SQLException {
        this.statement = c.prepareStatement(sql);
        this.batchId = batchId;
        this.pageSize = pageSize;
    }

    /** Moves to the next row, reading the next page when this one is done; false at the end (and closed). */
    boolean next() throws SQLException {
        while (!done) {
            if (rows == null) {
                statement.setObject(1, batchId);
                statement.setLong(2, lastLine);
                statement.setInt(3, pageSize);
                rows = statement.executeQuery();
                inPage = 0;
            }
            if (rows.next()) {
                lastLine = rows.getLong(1);
                inPage++;
                return true;
            }
            rows.close();
            rows = null;
            if (inPage < pageSize) {
                done = true;
                close();
            }
        }
        return false;
    }

    /** The current row. */
    ResultSet row() {
        return rows;
    }

    @Override
    public void close() throws SQLException {
        if (rows != null) {
            rows.close();
            rows = null;
        }
        statement.close();
    }
}
