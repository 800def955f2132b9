package dev.roster.batch.planning;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.audit.AuditActor;
import dev.roster.background.BackgroundThreads;
import dev.roster.batch.state.BatchFileStore;
import dev.roster.batch.state.BatchSettings;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import dev.roster.mapping.UploadMappings;
import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.ChangeKind;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.PlanResult;
import dev.roster.plan.Planner;
import dev.roster.plan.SyncScope;
import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

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
    BatchFileStore files;
    @Inject
    ObjectMapper json;
    @Inject
    BatchTransitions transitions;
    @Inject
    Jdbc jdbc;
    @Inject
    BatchSettings.Csv csv;
    @Inject
    BatchSettings.Planning settings;
    @Inject
    UploadMappings uploadMappings;

    private ExecutorService executor;

    @PostConstruct
    void start() {
        executor = BackgroundThreads.fixed("roster-planner", settings.threads());
    }

    void stop(@Observes ShutdownEvent event) {
        BackgroundThreads.stop(executor, true, Duration.ofSeconds(10));
    }

    public CsvLimits limits() {
        return CsvLimits.defaults().withMaxBytes(csv.maxBytes()).withMaxRows(csv.maxRows()).withMaxCellChars(csv.maxCellChars());
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
        List<UUID> stale;
        try {
            stale = jdbc.list("""
                    SELECT id FROM batch WHERE status = 'PLANNING'
                       AND coalesce(planning_heartbeat, created_at) < now() - make_interval(secs => ?)""",
                    rs -> rs.getObject(1, UUID.class), STALE_SECONDS);
        } catch (RuntimeException e) {
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
        try {
            // The plan and its PLANNED state (with batch.planned) commit together; lookups and heartbeats
            // run beside it in autocommit, so other instances see the heartbeat while this one plans.
            PlanResult result = jdbc.withConnection(lookup -> jdbc.inTransaction(write -> {
                PlanResult planned;
                try (PlanItemCopyWriter writer = new PlanItemCopyWriter(write, batchId, json,
                        rows -> heartbeat(lookup, batchId, rows))) {
                    Planner planner = new Planner(claim.operation, claim.matchBy, new JdbcDirectoryView(lookup, json))
                            .withMapping(uploadMappings.parseChoice(claim.mappingChoice))
                            .createMissingGroups(claim.createGroups);
                    planned = planner.plan(() -> files.open(batchId), claim.fileName, limits(), writer);
                    writer.finish();
                    if (planned.rows() >= ANALYZE_ROWS) {
                        analyze(write, "plan_item");
                    }
                    if (claim.operation == Operation.SYNC) {
                        planned = planAbsent(write, batchId, claim, planned, writer);
                    }
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("rows", planned.rows());
                details.put("summary", summary(planned));
                transitions.planned(write, batchId, totals(planned), details, AuditActor.system());
                return planned;
            }));
            Log.infof("planned batch %s: %d rows in %d ms", batchId, result.rows(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (CsvRefusedException e) {
            finishRejected(batchId, e.getMessage(), true);
        } catch (RuntimeException e) {
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
    public static final long ANALYZE_ROWS = 10_000;

    public static void analyze(Connection c, String table) throws SQLException {
        // ANALYZE needs the table's owner; the runtime role asks the owner's function (V8).
        Jdbc.one(c, "SELECT roster_analyze(?)", rs -> Boolean.TRUE, table);
    }

    private record Claim(Operation operation, MatchKey matchBy, String fileName, int attempts, boolean createGroups,
            String syncScope, String syncAbsent, String mappingChoice) {
    }

    /**
     * A sync's users in scope but absent from the file, planned in SQL after the file's rows; their items
     * join the plan's totals (a suspension counts as an update, a deletion as a delete).
     */
    private PlanResult planAbsent(Connection c, UUID batchId, Claim claim, PlanResult planned, PlanItemCopyWriter writer)
            throws SQLException {
        if (claim.syncScope == null) {
            return planned;
        }
        SyncScope scope = SyncScope.parse(claim.syncScope);
        AbsentPolicy policy = AbsentPolicy.parse(claim.syncAbsent);
        ChangeKind kind = policy == AbsentPolicy.DELETE ? ChangeKind.DELETE : ChangeKind.UPDATE;
        long started = System.nanoTime();
        AbsentUsers.Result absent = AbsentUsers.plan(c, batchId, claim.matchBy, scope, policy, writer.written(),
                writer.counts().getOrDefault(kind, 0L));
        Log.infof("sync batch %s: %d users in scope, %d absent from the file (%s) in %d ms", batchId, absent.inScope(),
                absent.suspends() + absent.deletes(), policy.word(), (System.nanoTime() - started) / 1_000_000);
        Jdbc.update(c, "UPDATE batch SET count_absent = ?, sync_scope_size = ? WHERE id = ?",
                absent.suspends() + absent.deletes(), absent.inScope(), batchId);
        Map<ChangeKind, Long> counts = new EnumMap<>(planned.counts());
        counts.merge(ChangeKind.UPDATE, absent.suspends(), Long::sum);
        counts.merge(ChangeKind.DELETE, absent.deletes(), Long::sum);
        List<String> warnings = new ArrayList<>(planned.fileWarnings());
        if (absent.inScope() == 0 && scope.kind() == SyncScope.Kind.ATTRIBUTE) {
            warnings.add("The scope (" + scope.describe() + ") matches no user in the directory, so no user can be "
                    + "absent from this file. Check the attribute's name and value.");
        }
        return new PlanResult(planned.rows() + absent.suspends() + absent.deletes(), counts, planned.warnings(), warnings,
                planned.groups());
    }

    private Claim claim(UUID batchId) {
        return jdbc.one("""
                UPDATE batch SET planning_heartbeat = now(), planning_attempts = planning_attempts + 1,
                                 progress_done = 0, updated_at = now()
                 WHERE id = ? AND status = 'PLANNING'
                   AND (planning_heartbeat IS NULL OR planning_heartbeat < now() - make_interval(secs => ?))
                RETURNING operation, match_by, file_name, planning_attempts, create_groups, sync_scope, sync_absent,
                          mapping_choice::text""",
                rs -> new Claim(Operation.valueOf(rs.getString(1)), MatchKey.valueOf(rs.getString(2)), rs.getString(3),
                        rs.getInt(4), rs.getBoolean(5), rs.getString(6), rs.getString(7), rs.getString(8)),
                batchId, STALE_SECONDS).orElse(null);
    }

    private void heartbeat(Connection c, UUID batchId, long rows) {
        try {
            Jdbc.update(c, "UPDATE batch SET progress_done = ?, planning_heartbeat = now() WHERE id = ? AND status = 'PLANNING'",
                    rows, batchId);
        } catch (SQLException e) {
            throw new IllegalStateException("could not record planning progress: " + e.getMessage(), e);
        }
    }

    private static BatchTransitions.Totals totals(PlanResult result) {
        return new BatchTransitions.Totals(result.rows(), result.count(ChangeKind.CREATE), result.count(ChangeKind.UPDATE),
                result.count(ChangeKind.DELETE), result.count(ChangeKind.RESET), result.count(ChangeKind.UNCHANGED),
                result.count(ChangeKind.ERROR), result.warnings(), result.fileWarnings(),
                new BatchTransitions.GroupTotals(result.count(ChangeKind.GROUP_CREATE), result.count(ChangeKind.GROUP_UPDATE),
                        result.count(ChangeKind.GROUP_DELETE),
                        result.count(ChangeKind.MEMBER_ADD) + result.count(ChangeKind.MEMBER_REMOVE),
                        result.groups().membershipAdds(), result.groups().membershipRemoves(),
                        result.groups().deletedGroupMemberships(), result.groups().managerChanges()));
    }

    private void finishRejected(UUID batchId, String message, boolean fileRefused) {
        try {
            jdbc.inTransaction(c -> transitions.rejected(c, batchId, message, fileRefused, AuditActor.system()));
        } catch (RuntimeException e) {
            Log.errorf(e, "could not mark batch %s rejected", batchId);
        }
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
