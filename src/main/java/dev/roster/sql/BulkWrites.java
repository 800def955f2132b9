package dev.roster.sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a bulk writer sends its statements and COPY chunks, in order: straight to the caller's connection
 * ({@link #direct}), or behind, on a thread of its own ({@link WriteBehind}) while the writer builds the next chunk.
 */
public interface BulkWrites {

    /** A statement (or several) on the connection, in order with the chunks. */
    interface Statement {
        void run(Connection c) throws SQLException;
    }

    void run(Statement statement);

    /** {@code COPY tableAndColumns FROM STDIN} of the rows; the chunk is emptied for reuse. */
    void copy(String tableAndColumns, CopyText rows);

    /** Nothing written: rows are built (and encoded) and dropped, for the start-up warm-up. */
    static BulkWrites discard() {
        return new BulkWrites() {
            @Override
            public void run(Statement statement) {
            }

            @Override
            public void copy(String tableAndColumns, CopyText rows) {
                rows.takeBytes();
            }
        };
    }

    /** Each write on the caller's thread, at once. */
    static BulkWrites direct(Connection c) {
        return new BulkWrites() {
            @Override
            public void run(Statement statement) {
                try {
                    statement.run(c);
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            @Override
            public void copy(String tableAndColumns, CopyText rows) {
                try {
                    rows.copyInto(c, tableAndColumns);
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        };
    }
}
