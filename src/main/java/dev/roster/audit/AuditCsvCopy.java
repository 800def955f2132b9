package dev.roster.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Utils;

/**
 * The audit CSV written by PostgreSQL itself: {@code COPY (SELECT ...) TO STDOUT (FORMAT csv)} with the
 * formula neutralising of {@link dev.roster.csv.SpreadsheetSafeCell} done in SQL, so no event passes
 * through Java objects (about 5× the events per second of a cursor and a CSV writer, docs/performance.md).
 * The bytes equal what the writer made: every cell quoted, quotes doubled, CRLF between records.
 */
final class AuditCsvCopy {

    private AuditCsvCopy() {
    }

    /** Streams the rows of the filter (no header) to {@code out}; returns how many. */
    static long copy(Connection c, AuditFilter.Sql sql, OutputStream out) throws SQLException, IOException {
        // details is canonical JSON of an object (always "{...}") and the hashes are hex: neither can start
        // like a formula, so only the other text columns pay for the check.
        String query = "COPY (SELECT seq, " + text("id::text") + ", "
                + "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                + safe("actor_kind") + ", " + text("actor_id::text") + ", " + safe("actor_name") + ", "
                + safe("actor_ip") + ", " + safe("actor_user_agent") + ", " + safe("action") + ", "
                + text("target_user_id::text") + ", " + safe("target_email") + ", " + text("batch_id::text") + ", "
                + "details, prev_hash, hash"
                + " FROM audit_event WHERE " + inline(c, sql) + " ORDER BY seq) TO STDOUT (FORMAT csv, FORCE_QUOTE *)";
        CrlfRecords records = new CrlfRecords(out);
        long rows = c.unwrap(PGConnection.class).getCopyAPI().copyOut(query, records);
        records.flush();
        return rows;
    }

    /** A column as the CSV shows it: a leading =, +, -, @, tab or CR gets an apostrophe; null is empty. */
    private static String safe(String column) {
        return "CASE WHEN left(" + column + ", 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || " + column
                + " ELSE coalesce(" + column + ", '') END";
    }

    /** A column that cannot start with a formula character (ids, numbers): null is empty. */
    private static String text(String column) {
        return "coalesce(" + column + ", '')";
    }

    /** COPY takes no parameters: the filter's values become literals, escaped by the driver. */
    static String inline(Connection c, AuditFilter.Sql sql) throws SQLException {
        boolean standard = c.unwrap(BaseConnection.class).getStandardConformingStrings();
        String where = sql.where();
        List<Object> params = sql.params();
        StringBuilder b = new StringBuilder(where.length() + 64 * params.size());
        int next = 0;
        for (int i = 0; i < where.length(); i++) {
            char ch = where.charAt(i);
            if (ch != '?') {
                b.append(ch);
                continue;
            }
            if (next >= params.size()) {
                throw new IllegalStateException("more placeholders than values in " + where);
            }
            Object p = params.get(next++);
            b.append(standard ? "'" : "E'");
            Utils.escapeLiteral(b, p.toString(), standard);
            b.append('\'');
            if (p instanceof UUID) {
                b.append("::uuid");
            } else if (p instanceof OffsetDateTime) {
                b.append("::timestamptz");
            } else if (!(p instanceof String)) {
                throw new IllegalStateException("no literal form for " + p.getClass());
            }
        }
        if (next != params.size()) {
            throw new IllegalStateException("more values than placeholders in " + where);
        }
        return b.toString();
    }

    /**
     * Turns COPY's LF record ends into CRLF (RFC 4180) and buffers its one-write-per-row output. A line
     * feed inside a quoted cell stays as it is, as the CSV writer left it; in UTF-8 the bytes of '"'
     * and '\n' never occur inside other characters, so a byte scan is enough.
     */
    static final class CrlfRecords extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer = new byte[1 << 16];
        private int size;
        private boolean quoted;

        CrlfRecords(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                byte x = b[i];
                if (size + 2 > buffer.length) {
                    drain();
                }
                if (x == '"') {
                    quoted = !quoted;
                } else if (x == '\n' && !quoted) {
                    buffer[size++] = '\r';
                }
                buffer[size++] = x;
            }
        }

        private void drain() throws IOException {
            out.write(buffer, 0, size);
            size = 0;
        }

        @Override
        public void flush() throws IOException {
            drain();
            out.flush();
        }
    }

    static byte[] header() {
        return (String.join(",", AuditExport.HEADER) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
