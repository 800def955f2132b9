package dev.roster.batch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import dev.roster.plan.ChangeKind;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.PlanResult;
import dev.roster.plan.Planner;
import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Plans batches in the background. A planning run claims its batch with a heartbeat, writes the
 * whole plan in one transaction and flips the batch to PLANNED (or REJECTED) at its end; a run
 * that dies leaves no plan items and a stale heartbeat, and any instance picks the batch up again.
 */
@ApplicationScoped
public class BatchPlanning {

    static final int STALE_SECONDS = 60;
    private static final int MAX_ATTEMPTS = 3;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    BatchFileStore files;
    @Inject
    ObjectMapper json;
    @Inject
    BatchJournal journal;
    @ConfigProperty(name = "roster.csv.max-bytes", defaultValue = "104857600")
    long maxBytes;
    @ConfigProperty(name = "roster.csv.max-rows", defaultValue = "1000000")
    long maxRows;
    @ConfigProperty(name = "roster.csv.max-cell-chars", defaultValue = "4096")
    int maxCellChars;
    @ConfigProperty(name = "roster.planning.threads", defaultValue = "2")
    int threads;

    private ExecutorService executor;

    @PostConstruct
    void start() {
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "roster-planner");
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }

    public CsvLimits limits() {
        return CsvLimits.defaults().withMaxBytes(maxBytes).withMaxRows(maxRows).withMaxCellChars(maxCellChars);
    }

    /** Plans the batch soon, on this instance. */
    public void submit(UUID batchId) {
        executor.submit(() -> {
            try {
                planNow(batchId);
            } catch (RuntimeException e) {
                Log.errorf(e, "planning batch %s failed", batchId);
            }
        });
    }

    /** Picks up batches whose planning instance stopped beating (a restart, a crash). */
    @Scheduled(every = "20s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resumeInterrupted() {
        List<UUID> stale = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT id FROM batch WHERE status = 'PLANNING'
                           AND coalesce(planning_heartbeat, created_at) < now() - make_interval(secs => ?)""")) {
            ps.setInt(1, STALE_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stale.add(rs.getObject(1, UUID.class));
                }
            }
        } catch (SQLException e) {
            Log.warnf("could not look for interrupted planning: %s", e.getMessage());
            return;
        }
        stale.forEach(this::submit);
    }

    /** Runs the planning of one batch on the calling thread; does nothing when another run holds it. */
    public void planNow(UUID batchId) {
        Claim claim = claim(batchId);
        if (claim == null) {
            return;
        }
        if (claim.attempts > MAX_ATTEMPTS) {
            finishRejected(batchId, "Roster could not plan this file after " + MAX_ATTEMPTS
                    + " attempts (the planning instance stopped each time). Upload it again or split it.", false);
            return;
        }
        long started = System.nanoTime();
        try (Connection lookup = dataSource.getConnection(); Connection write = dataSource.getConnection()) {
            write.setAutoCommit(false);
            lookup.setAutoCommit(true);
            PlanResult result;
            try (PlanItemCopyWriter writer = new PlanItemCopyWriter(write, batchId, json,
                    rows -> heartbeat(lookup, batchId, rows))) {
                Planner planner = new Planner(claim.operation, claim.matchBy, new JdbcDirectoryView(lookup, json));
                result = planner.plan(() -> files.open(batchId), claim.fileName, limits(), writer);
                writer.finish();
            }
            if (result.rows() >= ANALYZE_ROWS) {
                analyze(write, "plan_item");
            }
            markPlanned(write, batchId, result);
            write.commit();
            Log.infof("planned batch %s: %d rows in %d ms", batchId, result.rows(),
                    (System.nanoTime() - started) / 1_000_000);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("rows", result.rows());
            details.put("summary", summary(result));
            journal.record("batch.planned", batchId, details);
        } catch (CsvRefusedException e) {
            finishRejected(batchId, e.getMessage(), true);
        } catch (SQLException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                Log.infof("planning of batch %s interrupted by shutdown; another start resumes it", batchId);
                return;
            }
            String reference = UUID.randomUUID().toString().substring(0, 8);
            Log.errorf(e, "planning batch %s failed, reference %s", batchId, reference);
            finishRejected(batchId, "Roster could not plan this file because of an internal error (reference "
                    + reference + "). Nothing was changed; upload it again, and report the reference if it repeats.", false);
        }
    }

    /**
     * Plans and applies this large change a table's statistics enough that PostgreSQL should look again;
     * autovacuum may be late or off, and a plan made for a small table (a scan) is slow for a big one.
     */
    static final long ANALYZE_ROWS = 10_000;

    static void analyze(Connection c, String table) throws SQLException {
        // ANALYZE needs the table's owner; the runtime role asks the owner's function (V8).
        try (PreparedStatement ps = c.prepareStatement("SELECT roster_analyze(?)")) {
            ps.setString(1, table);
            ps.execute();
        }
    }

    private record Claim(Operation operation, MatchKey matchBy, String fileName, int attempts) {
    }

    private Claim claim(UUID batchId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        UPDATE batch SET planning_heartbeat = now(), planning_attempts = planning_attempts + 1,
                                         progress_done = 0, updated_at = now()
                         WHERE id = ? AND status = 'PLANNING'
                           AND (planning_heartbeat IS NULL OR planning_heartbeat < now() - make_interval(secs => ?))
                        RETURNING operation, match_by, file_name, planning_attempts""")) {
            ps.setObject(1, batchId);
            ps.setInt(2, STALE_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Claim(Operation.valueOf(rs.getString(1)), MatchKey.valueOf(rs.getString(2)),
                        rs.getString(3), rs.getInt(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not claim batch " + batchId + ": " + e.getMessage(), e);
        }
    }

    private void heartbeat(Connection c, UUID batchId, long rows) {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE batch SET progress_done = ?, planning_heartbeat = now() WHERE id = ? AND status = 'PLANNING'")) {
            ps.setLong(1, rows);
            ps.setObject(2, batchId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not record planning progress: " + e.getMessage(), e);
        }
    }

    private void markPlanned(Connection c, UUID batchId, PlanResult result) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE batch SET status = 'PLANNED', row_count = ?, count_create = ?, count_update = ?, count_delete = ?,
                                 count_reset = ?, count_unchanged = ?, count_error = ?, count_warning = ?,
                                 warnings = ?::jsonb, progress_done = ?, progress_total = ?, planned_at = now(),
                                 planning_heartbeat = NULL, updated_at = now()
                 WHERE id = ? AND status = 'PLANNING'""")) {
            ps.setLong(1, result.rows());
            ps.setLong(2, result.count(ChangeKind.CREATE));
            ps.setLong(3, result.count(ChangeKind.UPDATE));
            ps.setLong(4, result.count(ChangeKind.DELETE));
            ps.setLong(5, result.count(ChangeKind.RESET));
            ps.setLong(6, result.count(ChangeKind.UNCHANGED));
            ps.setLong(7, result.count(ChangeKind.ERROR));
            ps.setLong(8, result.warnings());
            ps.setString(9, json.writeValueAsString(result.fileWarnings()));
            ps.setLong(10, result.rows());
            ps.setLong(11, result.rows());
            ps.setObject(12, batchId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("batch " + batchId + " left PLANNING while it was being planned");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void finishRejected(UUID batchId, String message, boolean fileRefused) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        UPDATE batch SET status = 'REJECTED', error = ?, planning_heartbeat = NULL, updated_at = now()
                         WHERE id = ? AND status = 'PLANNING'""")) {
            ps.setString(1, message);
            ps.setObject(2, batchId);
            ps.executeUpdate();
        } catch (SQLException e) {
            Log.errorf(e, "could not mark batch %s rejected", batchId);
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("error", message);
        details.put("fileRefused", fileRefused);
        journal.record("batch.rejected", batchId, details);
    }

    static Map<String, Long> summary(PlanResult result) {
        Map<String, Long> summary = new LinkedHashMap<>();
        for (ChangeKind kind : ChangeKind.values()) {
            summary.put(kind.name().toLowerCase(), result.count(kind));
        }
        summary.put("warning", result.warnings());
        return summary;
    }
}
