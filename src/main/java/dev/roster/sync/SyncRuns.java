package dev.roster.sync;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.sql.Jdbc;
import dev.roster.web.PageOf;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The record of sources' runs: started RUNNING, finished once with its status and an audit event. */
@ApplicationScoped
public class SyncRuns {

    private static final String COLUMNS = """
            r.id, r.source_id, r.status, r.reason, r.trigger, r.batch_id, r.started_at, r.finished_at, r.file_name,
            r.file_size, r.file_modified, r.sha256, r.file_rows, r.counts::text,
            CASE WHEN r.applied_by IS NOT NULL THEN r.applied_by
                 WHEN b.status = 'APPLIED' THEN b.applied_by_name END, b.status""";
    private static final String FROM = " FROM sync_run r LEFT JOIN batch b ON b.id = r.batch_id ";

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    AuditTrail audit;

    public PageOf<SyncRun> page(UUID sourceId, int page, int size) {
        long total = jdbc.one("SELECT count(*) FROM sync_run WHERE source_id = ?", rs -> rs.getLong(1), sourceId).orElse(0L);
        List<SyncRun> items = jdbc.list("SELECT " + COLUMNS + FROM + " WHERE r.source_id = ? ORDER BY r.started_at DESC, r.id"
                + " LIMIT ? OFFSET ?", this::map, sourceId, size, (long) (page - 1) * size);
        return new PageOf<>(items, total, page, size);
    }

    /** The newest runs first, for the page's chart and list. */
    public List<SyncRun> recent(UUID sourceId, int max) {
        return jdbc.list("SELECT " + COLUMNS + FROM + " WHERE r.source_id = ? ORDER BY r.started_at DESC, r.id LIMIT ?",
                this::map, sourceId, max);
    }

    public Optional<SyncRun> find(UUID runId) {
        return jdbc.one("SELECT " + COLUMNS + FROM + " WHERE r.id = ?", this::map, runId);
    }

    public Optional<SyncRun> last(UUID sourceId) {
        return jdbc.one("SELECT " + COLUMNS + FROM + " WHERE r.source_id = ? ORDER BY r.started_at DESC, r.id LIMIT 1",
                this::map, sourceId);
    }

    /** The last run whose file was planned (applied, held, or found to change nothing): the guards compare with it. */
    public Optional<SyncRun> lastProcessed(UUID sourceId) {
        return jdbc.one("SELECT " + COLUMNS + FROM + """
                 WHERE r.source_id = ? AND r.status IN ('APPLIED', 'HELD', 'NO_CHANGES')
                 ORDER BY r.started_at DESC, r.id LIMIT 1""", this::map, sourceId);
    }

    public List<SyncRun> running(UUID sourceId) {
        return jdbc.list("SELECT " + COLUMNS + FROM + " WHERE r.source_id = ? AND r.status = 'RUNNING'", this::map, sourceId);
    }

    /** A new RUNNING run with its file. */
    UUID start(UUID sourceId, String trigger, SourceFetcher.Got file, UUID triggeredBy) {
        UUID id = UUID.randomUUID();
        jdbc.runInTransaction(c -> insertRunning(c, id, sourceId, trigger, file, triggeredBy));
        return id;
    }

    /** The run also records who pressed Run now and who last set the source up: four-eyes counts both as uploaders. */
    private static void insertRunning(Connection c, UUID id, UUID sourceId, String trigger, SourceFetcher.Got file,
            UUID triggeredBy) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO sync_run (id, source_id, status, trigger, instance, file_name, file_size, file_modified, sha256,
                                      triggered_by, configured_by)
                VALUES (?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, (SELECT updated_by FROM sync_source WHERE id = ?))""",
                id, sourceId, trigger, instance(),
                file == null ? null : file.name(), file == null ? null : file.size(),
                file == null || file.modified() == null ? null : java.sql.Timestamp.from(file.modified()),
                file == null ? null : file.sha256(), triggeredBy, sourceId);
    }

    /** Links the run to its batch, and gives the batch who ran and who set up the source (four-eyes). */
    void batch(UUID runId, UUID batchId) {
        jdbc.runInTransaction(c -> {
            Jdbc.update(c, "UPDATE sync_run SET batch_id = ?, heartbeat = now() WHERE id = ?", batchId, runId);
            Jdbc.update(c, """
                    UPDATE batch b SET sync_triggered_by = r.triggered_by, sync_configured_by = r.configured_by
                      FROM sync_run r WHERE r.id = ? AND b.id = ?""", runId, batchId);
            // Whoever created the source set it up as much as its last editor: barred too, on the batch, so the bar
            // outlives the source.
            Jdbc.update(c, """
                    UPDATE batch b SET barred_approvers = array_append(b.barred_approvers, s.created_by)
                      FROM sync_source s
                     WHERE b.id = ? AND s.id = b.sync_source_id AND s.created_by IS NOT NULL
                       AND NOT s.created_by = ANY (b.barred_approvers)""", batchId);
        });
    }

    /** What the run ends with. */
    record Outcome(SyncRun.Status status, String reason, Long fileRows, Map<String, Long> counts, String appliedBy) {
    }

    /** Ends a RUNNING run, with its sync.run event, on the caller's transaction; false when it had ended already. */
    boolean finish(Connection c, UUID runId, SyncSource source, Outcome o, UUID batchId) throws SQLException {
        int n = Jdbc.update(c, """
                UPDATE sync_run SET status = ?, reason = ?, file_rows = coalesce(?, file_rows), counts = ?::jsonb,
                                    applied_by = ?, finished_at = now(), heartbeat = now()
                 WHERE id = ? AND status = 'RUNNING'""", o.status().name(), o.reason(), o.fileRows(),
                toJson(o.counts() == null ? Map.of() : o.counts()), o.appliedBy(), runId);
        if (n != 1) {
            return false;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sourceId", source.id().toString());
        details.put("source", source.name());
        details.put("runId", runId.toString());
        details.put("status", o.status().name());
        if (o.reason() != null) {
            details.put("reason", o.reason());
        }
        if (batchId != null) {
            details.put("batchId", batchId.toString());
        }
        audit.record(c, AuditActor.source(source.id(), source.name()), new AuditEventDraft(AuditAction.SYNC_RUN, null, null,
                batchId, details));
        return true;
    }

    /** A run with nothing to plan (skipped, refused, failed before a file): recorded finished at once. */
    UUID recordFinished(Connection c, SyncSource source, String trigger, SourceFetcher.Got file, Outcome o) throws SQLException {
        UUID id = UUID.randomUUID();
        insertRunning(c, id, source.id(), trigger, file, null);
        finish(c, id, source, o, null);
        return id;
    }

    private static String instance() {
        String host = System.getenv("HOSTNAME");
        return (host == null ? "" : host + ":") + ProcessHandle.current().pid();
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private SyncRun map(ResultSet rs) throws SQLException {
        Map<String, Long> counts;
        try {
            counts = json.readValue(rs.getString(14), new TypeReference<LinkedHashMap<String, Long>>() {
            });
        } catch (JsonProcessingException e) {
            counts = Map.of();
        }
        long size = rs.getLong(10);
        Long fileSize = rs.wasNull() ? null : size;
        long rows = rs.getLong(13);
        Long fileRows = rs.wasNull() ? null : rows;
        return new SyncRun(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), SyncRun.Status.valueOf(rs.getString(3)),
                rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class), SyncSources.instant(rs, 7),
                SyncSources.instant(rs, 8), rs.getString(9), fileSize, SyncSources.instant(rs, 11), rs.getString(12),
                fileRows, counts, rs.getString(15), rs.getString(16));
    }
}
