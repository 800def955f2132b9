package dev.roster.sql;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows in COPY's text format for the bulk writers (tokens, outbox rows): one COPY per chunk instead of
 * a batch of INSERTs, which PostgreSQL must parse and plan (a third of the cost, docs/performance.md).
 */
public final class CopyText {

    private static final HexFormat HEX = HexFormat.of();
    private final StringBuilder rows = new StringBuilder(1 << 16);
    private boolean lineStarted;

    /** Appends one column; null becomes \N, the separators and backslash are escaped. */
    public CopyText value(Object value) {
        if (lineStarted) {
            rows.append('\t');
        }
        lineStarted = true;
        if (value == null) {
            rows.append("\\N");
            return this;
        }
        if (value instanceof byte[] bytes) {
            rows.append("\\\\x").append(HEX.formatHex(bytes));
            return this;
        }
        if (value instanceof Instant i) {
            rows.append(timestamp(i));
        } else if (value instanceof OffsetDateTime t) {
            rows.append(timestamp(t.toInstant()));
        } else {
            escape(rows, value.toString());
        }
        return this;
    }

    /**
     * Microseconds rounded half up, as pgjdbc sends a bound timestamp: the same instant written here and
     * bound elsewhere (a due-time comparison with the clock's now) must compare equal.
     */
    static String timestamp(Instant i) {
        int belowMicro = i.getNano() % 1000;
        Instant micros = i.minusNanos(belowMicro);
        if (belowMicro >= 500) {
            micros = micros.plusNanos(1000);
        }
        return OffsetDateTime.ofInstant(micros, ZoneOffset.UTC).toString();
    }

    /** Characters buffered since the last {@link #copyInto}: callers send a chunk when it grows large. */
    public int length() {
        return rows.length();
    }

    /** Ends the current row. */
    public CopyText endRow() {
        rows.append('\n');
        lineStarted = false;
        return this;
    }

    /** Drops the rows buffered so far (a warm-up builds rows it never sends). */
    public void discard() {
        rows.setLength(0);
        lineStarted = false;
    }

    /** The rows buffered so far as UTF-8, and the buffer emptied (for {@link WriteBehind}). */
    byte[] takeBytes() {
        byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
        rows.setLength(0);
        lineStarted = false;
        return bytes;
    }

    /** Sends the rows with {@code COPY table (columns) FROM STDIN}; returns the rows written. */
    public long copyInto(Connection c, String tableAndColumns) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + tableAndColumns + " FROM STDIN");
        try {
            byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            rows.setLength(0);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** COPY text escaping of one value: backslash, tab, newline and carriage return; NUL dropped (text cannot hold it). */
    public static void escape(StringBuilder b, String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char ch = s.charAt(i);
            if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r' || ch == 0) {
                break;
            }
            i++;
        }
        if (i == n) {
            b.append(s); // the common case: nothing to escape
            return;
        }
        b.append(s, 0, i);
        for (; i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case 0 -> {
                }
                default -> b.append(ch);
            }
        }
    }
}
