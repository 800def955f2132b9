package dev.roster.batch.planning;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.plan.ChangeKind;
import dev.roster.plan.FieldDiff;
import dev.roster.plan.PlanMessage;
import dev.roster.plan.PlanSink;
import dev.roster.plan.PlannedChange;
import dev.roster.plan.Severity;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams planned changes into plan_item with COPY: one round trip per 256 KiB of rows rather
 * than one per row, which keeps planning close to PostgreSQL's own write speed.
 */
final class PlanItemCopyWriter implements PlanSink, AutoCloseable {

    private static final int FLUSH_BYTES = 256 * 1024;

    /** Called with rows read so far, after each chunk. */
    interface ProgressListener {
        void rowsRead(long rows);
    }

    private final UUID batchId;
    private final ObjectMapper json;
    private final ProgressListener progress;
    private final CopyIn copy;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH_BYTES + 64 * 1024);
    private final StringBuilder row = new StringBuilder(512);
    private final Map<ChangeKind, Long> counts = new EnumMap<>(ChangeKind.class);
    private long warnings;
    private long ord;

    PlanItemCopyWriter(Connection connection, UUID batchId, ObjectMapper json, ProgressListener progress) throws SQLException {
        this(batchId, json, progress, connection.unwrap(PGConnection.class).getCopyAPI().copyIn("""
                COPY plan_item (batch_id, line, kind, key, user_id, planned_version, fields, messages, has_warning,
                                send_invite, password_hash, original, ord, kind_ord, warning_ord, group_id) FROM STDIN (FORMAT csv)"""));
    }

    private PlanItemCopyWriter(UUID batchId, ObjectMapper json, ProgressListener progress, CopyIn copy) {
        this.batchId = batchId;
        this.json = json;
        this.progress = progress;
        this.copy = copy;
    }

    /** Builds every row as a plan's writer does and sends none: the start-up warm-up's (PlanningWarmUp). */
    static PlanItemCopyWriter discarding(ObjectMapper json) {
        return new PlanItemCopyWriter(UUID.randomUUID(), json, rows -> {
        }, null);
    }

    @Override
    public void accept(PlannedChange change) {
        long kindOrd = counts.merge(change.kind(), 1L, Long::sum);
        boolean hasWarning = change.messages().stream().anyMatch(m -> m.severity() == Severity.WARNING);
        if (hasWarning) {
            warnings++;
        }
        ord++;
        row.setLength(0);
        row.append(batchId).append(',').append(change.line()).append(',').append(change.kind().name()).append(',');
        quoted(change.key()).append(',');
        row.append(change.userId() == null ? "" : change.userId().toString()).append(',');
        row.append(change.plannedVersion() == null ? "" : change.plannedVersion().toString()).append(',');
        fieldsCsv(row, change.fields()).append(',');
        messagesCsv(row, change.messages()).append(',');
        row.append(hasWarning).append(',').append(change.sendInvite()).append(',');
        quoted(change.passwordHash()).append(',');
        quoted(change.kind() == ChangeKind.ERROR ? toJson(change.originalCells()) : null).append(',');
        // Positions for the diff pages' index ranges (V6): in the batch, in the kind, among rows with warnings.
        row.append(ord).append(',').append(kindOrd).append(',');
        if (hasWarning) {
            row.append(warnings);
        }
        row.append(',');
        if (change.groupId() != null) {
            row.append(change.groupId());
        }
        row.append('\n');
        buffer.writeBytes(row.toString().getBytes(StandardCharsets.UTF_8));
        if (buffer.size() >= FLUSH_BYTES) {
            flush();
        }
    }

    @Override
    public void progress(long rowsRead) {
        progress.rowsRead(rowsRead);
    }

    Map<ChangeKind, Long> counts() {
        return counts;
    }

    long warnings() {
        return warnings;
    }

    /** Items written so far. */
    long written() {
        return ord;
    }

    /** Sends what is buffered and ends the COPY; returns the rows written. */
    long finish() {
        flush();
        if (copy == null) {
            return ord;
        }
        try {
            return copy.endCopy();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the plan: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (copy != null && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException ignored) {
                // the transaction is rolled back anyway
            }
        }
    }

    private void flush() {
        if (buffer.size() == 0) {
            return;
        }
        if (copy == null) {
            buffer.reset();
            return;
        }
        try {
            byte[] bytes = buffer.toByteArray();
            copy.writeToCopy(bytes, 0, bytes.length);
            buffer.reset();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the plan: " + e.getMessage(), e);
        }
    }

    private StringBuilder quoted(String value) {
        if (value == null) {
            return row;
        }
        row.append('"');
        if (value.indexOf('"') < 0 && value.indexOf(0) < 0) {
            return row.append(value).append('"'); // the common case, without a char-by-char copy
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"') {
                row.append('"');
            }
            if (ch != 0) {
                row.append(ch);
            }
        }
        return row.append('"');
    }

    /**
     * The fields as a JSON array inside a quoted CSV cell, written directly: Jackson per row was the
     * planner's largest CPU item. Same JSON as {@link #fieldsJson} serialised (nulls included).
     */
    static StringBuilder fieldsCsv(StringBuilder row, List<FieldDiff> fields) {
        row.append("\"[");
        for (int i = 0; i < fields.size(); i++) {
            FieldDiff f = fields.get(i);
            row.append(i == 0 ? "{" : ",{");
            member(row, "name", f.name()).append(',');
            member(row, "before", f.before()).append(',');
            member(row, "after", f.after()).append('}');
        }
        return row.append("]\"");
    }

    /** The messages like {@link #fieldsCsv}; the same JSON as {@link #messagesJson} serialised. */
    static StringBuilder messagesCsv(StringBuilder row, List<PlanMessage> messages) {
        row.append("\"[");
        for (int i = 0; i < messages.size(); i++) {
            PlanMessage m = messages.get(i);
            row.append(i == 0 ? "{" : ",{");
            member(row, "severity", m.severity().name()).append(',');
            member(row, "column", m.column()).append(',');
            member(row, "text", m.text()).append('}');
        }
        return row.append("]\"");
    }

    /** "name":value in JSON, its quotes doubled for the CSV cell around it. */
    private static StringBuilder member(StringBuilder row, String name, String value) {
        string(row, name).append(':');
        return value == null ? row.append("null") : string(row, value);
    }

    /** A JSON string (escaped as Jackson does), its quotes doubled for the CSV cell around it. */
    private static StringBuilder string(StringBuilder row, String value) {
        row.append("\"\"");
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> row.append("\\\"\"");
                case '\\' -> row.append("\\\\");
                case '\n' -> row.append("\\n");
                case '\r' -> row.append("\\r");
                case '\t' -> row.append("\\t");
                case 0 -> {
                    // jsonb cannot hold U+0000; the CSV reader does not pass it either
                }
                default -> {
                    if (ch < 0x20) {
                        row.append(String.format("\\u%04X", (int) ch));
                    } else {
                        row.append(ch);
                    }
                }
            }
        }
        return row.append("\"\"");
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Map<String, String>> fieldsJson(List<FieldDiff> fields) {
        List<Map<String, String>> out = new ArrayList<>(fields.size());
        for (FieldDiff f : fields) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("name", f.name());
            m.put("before", f.before());
            m.put("after", f.after());
            out.add(m);
        }
        return out;
    }

    static List<Map<String, String>> messagesJson(List<PlanMessage> messages) {
        List<Map<String, String>> out = new ArrayList<>(messages.size());
        for (PlanMessage pm : messages) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("severity", pm.severity().name());
            m.put("column", pm.column());
            m.put("text", pm.text());
            out.add(m);
        }
        return out;
    }
}
