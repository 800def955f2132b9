package dev.roster.batch.planning;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
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
import dev.roster.directory.ScheduleSettings;
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
 * Plans batches in the background. A planning run holds its batch's lease (a transaction-scoped advisory
 * lock, see {@link #lease}), writes the whole plan in that transaction and flips the batch to PLANNED (or
 * REJECTED) at its end; a run that dies leaves no plan items and no lease, and any instance picks the
 * batch up again. The heartbeat only reports progress: it never decides who owns a batch.
 */
@ApplicationScoped
public class BatchPlanning {

    /** Advisory-lock space of planning leases (apply uses 7, sync runs 8). */
    static final int LEASE_SPACE = 9;
    static final int RESUME_GRACE_SECONDS = 10;
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
    @Inject
    ScheduleSettings scheduleSettings;
    @Inject
    Clock clock;

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
                planInBackground(batchId);
            } catch (RuntimeException e) {
                Log.errorf(e, "planning batch %s failed", batchId);
            }
        });
    }

    /**
     * Picks up batches nobody plans: a planning run holds its batch's lease (an advisory lock of its
     * writing transaction) from claim to commit, so a batch in PLANNING without a held lease lost its run
     * (a restart, a crash: PostgreSQL ended the dead run's transaction, its plan rows with it). The grace
     * leaves a fresh upload to the instance that took it.
     */
    @Scheduled(every = "20s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resumeInterrupted() {
        List<UUID> orphaned;
        try {
            orphaned = jdbc.list("""
                    SELECT b.id FROM batch b
                     WHERE b.status = 'PLANNING' AND b.created_at < now() - make_interval(secs => ?)
                       AND NOT EXISTS (SELECT 1 FROM pg_locks l
                                        WHERE l.locktype = 'advisory' AND l.granted
                                          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                          AND l.classid = ?::oid AND l.objsubid = 2
                                          AND l.objid::bigint = (hashtext(b.id::text)::bigint & 4294967295))""",
                    rs -> rs.getObject(1, UUID.class), RESUME_GRACE_SECONDS, LEASE_SPACE);
        } catch (RuntimeException e) {
            Log.warnf("could not look for interrupted planning: %s", e.getMessage());
            return;
        }
        orphaned.forEach(this::submit);
    }

    /**
     * Runs the planning of one batch on the calling thread. Another run of the same batch (this instance
     * or another) holds its lease: a background run leaves the batch to it; a caller that waits for the
     * outcome (a sync run) waits for that run to end, then finds the batch planned and returns.
     */
    public void planNow(UUID batchId) {
        plan(batchId, true);
    }

    private void planInBackground(UUID batchId) {
        plan(batchId, false);
    }

    private void plan(UUID batchId, boolean waitForLease) {
        long started = System.nanoTime();
        try {
            // The plan and its outcome (PLANNED with batch.planned, or REJECTED) commit together in the
            // transaction that holds the lease; lookups, the claim and heartbeats run beside it in autocommit,
            // so the page sees progress while this run plans.
            PlanResult result = jdbc.withConnection(lookup -> jdbc.inTransaction(write -> {
                if (!lease(write, batchId, waitForLease)) {
                    Log.debugf("batch %s is being planned by another run; left to it", batchId);
                    return null;
                }
                Claim claim = claim(lookup, batchId);
                if (claim == null) {
                    return null;
                }
                if (claim.attempts > MAX_ATTEMPTS) {
                    transitions.rejected(write, batchId, "Roster could not plan this file after " + MAX_ATTEMPTS
                            + " attempts (the planning instance stopped each time). Upload it again or split it.", false,
                            AuditActor.system());
                    return null;
                }
                Savepoint beforePlan = write.setSavepoint();
                try {
                    return planLeased(write, lookup, batchId, claim);
                } catch (CsvRefusedException e) {
                    write.rollback(beforePlan);
                    transitions.rejected(write, batchId, e.getMessage(), true, AuditActor.system());
                    return null;
                } catch (SQLException | RuntimeException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw e; // shutdown: roll everything back; the next start resumes the batch
                    }
                    write.rollback(beforePlan);
                    String reference = UUID.randomUUID().toString().substring(0, 8);
                    Log.errorf(e, "planning batch %s failed, reference %s", batchId, reference);
                    transitions.rejected(write, batchId, "Roster could not plan this file because of an internal error "
                            + "(reference " + reference + "). Nothing was changed; upload it again, and report the "
                            + "reference if it repeats.", false, AuditActor.system());
                    return null;
                }
            }));
            if (result != null) {
                Log.infof("planned batch %s: %d rows in %d ms", batchId, result.rows(),
                        (System.nanoTime() - started) / 1_000_000);
            }
        } catch (RuntimeException e) {
            // The lease's own transaction failed (shutdown, a lost connection): nothing of this run committed,
            // the lease ended with it, and resumeInterrupted gives the batch to the next run.
            if (Thread.currentThread().isInterrupted()) {
                Log.infof("planning of batch %s interrupted by shutdown; another start resumes it", batchId);
            } else {
                Log.errorf(e, "planning batch %s stopped; it is resumed by the next run", batchId);
            }
        }
    }

    private PlanResult planLeased(Connection write, Connection lookup, UUID batchId, Claim claim) throws SQLException {
        PlanResult planned;
        try (PlanItemCopyWriter writer = new PlanItemCopyWriter(write, batchId, json,
                rows -> heartbeat(lookup, batchId, rows))) {
            Planner planner = new Planner(claim.operation, claim.matchBy, new JdbcDirectoryView(lookup, json))
                    .withMapping(uploadMappings.parseChoice(claim.mappingChoice))
                    .createMissingGroups(claim.createGroups)
                    .withSchedule(scheduleSettings.at(clock.instant()));
            planned = planner.plan(() -> files.open(batchId), claim.fileName, limits(), writer);
            writer.finish();
            if (planned.rows() >= PLAN_ANALYZE_ROWS) {
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
    }

    /**
     * The batch's planning lease: a transaction-scoped advisory lock on the writing transaction. The
     * database grants it to one run at a time and ends it with that run's transaction (commit, rollback,
     * or the connection of a dead instance closing), so a slow or starved run keeps its batch for as long
     * as it lives and a dead one's batch is free at once.
     */
    private static boolean lease(Connection write, UUID batchId, boolean wait) throws SQLException {
        // pg_advisory_xact_lock returns void, which is not NULL: select a row from it instead of testing its value.
        String sql = wait ? "SELECT true FROM pg_advisory_xact_lock(?, hashtext(?::text))"
                : "SELECT pg_try_advisory_xact_lock(?, hashtext(?::text))";
        return Jdbc.one(write, sql, rs -> rs.getBoolean(1), LEASE_SPACE, batchId.toString()).orElse(false);
    }

    /**
     * Plans and applies this large change a table's statistics enough that PostgreSQL should look again;
     * autovacuum may be late or off, and a plan made for a small table (a scan) is slow for a big one.
     */
    public static final long ANALYZE_ROWS = 10_000;

    /**
     * The same for a new plan's items, from fewer rows (#27): the diff pages read a plan by its own positions, and
     * statistics that have never seen the batch estimate it at one row, so a tab's page of a 9,940-row plan walked the
     * whole plan on the wrong index (13 ms a page, p95 187 ms under 20 readers, against 90 ms on an analysed 100k
     * plan). ANALYZE samples a fixed number of rows: about 0.2 s here, whatever the plan's size.
     */
    static final long PLAN_ANALYZE_ROWS = 1_000;

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

    /** Counts the attempt (committed at once, so a run that dies still counts); null when no longer planning. */
    private static Claim claim(Connection lookup, UUID batchId) throws SQLException {
        return Jdbc.one(lookup, """
                UPDATE batch SET planning_heartbeat = now(), planning_attempts = planning_attempts + 1,
                                 progress_done = 0, updated_at = now()
                 WHERE id = ? AND status = 'PLANNING'
                RETURNING operation, match_by, file_name, planning_attempts, create_groups, sync_scope, sync_absent,
                          mapping_choice::text""",
                rs -> new Claim(Operation.valueOf(rs.getString(1)), MatchKey.valueOf(rs.getString(2)), rs.getString(3),
                        rs.getInt(4), rs.getBoolean(5), rs.getString(6), rs.getString(7), rs.getString(8)),
                batchId).orElse(null);
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

    static Map<String, Long> summary(PlanResult result) {
        Map<String, Long> summary = new LinkedHashMap<>();
        for (ChangeKind kind : ChangeKind.values()) {
            summary.put(kind.name().toLowerCase(), result.count(kind));
        }
        summary.put("warning", result.warnings());
        return summary;
    }
}
