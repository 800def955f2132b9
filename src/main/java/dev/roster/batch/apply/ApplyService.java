package dev.roster.batch.apply;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import dev.roster.access.Operator;
import dev.roster.audit.AuditActor;
import dev.roster.background.BackgroundThreads;
import dev.roster.batch.state.ApplyConflict;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchSettings;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Starts applies and approvals: checks {@link ApplyPolicy}, refuses stale plans with their conflicts,
 * claims the batch (so it is applied at most once), and runs {@link ApplyEngine} in the background;
 * fails applies whose instance stopped.
 */
@ApplicationScoped
public class ApplyService {

    @Inject
    Jdbc jdbc;
    @Inject
    ApplyEngine engine;
    @Inject
    ApplyPolicy policy;
    @Inject
    BatchTransitions transitions;
    @Inject
    BatchSettings.Apply settings;

    private ExecutorService executor;

    @PostConstruct
    void start() {
        // A thread per apply (they are few): a claimed apply that queued behind others would hold
        // no lock, and could be taken for an interrupted one.
        executor = BackgroundThreads.perTask("roster-apply");
    }

    void stop(@Observes ShutdownEvent event) {
        BackgroundThreads.stop(executor, true, Duration.ofSeconds(20));
    }

    /** Checks the policy and the plan's freshness, claims the batch, then applies it in the background. */
    public void requestApply(UUID batchId, ApplyPolicy.ApplyRequest request, Operator who) {
        checkAndClaim(Batch.findExisting(batchId), request, who);
        executor.submit(() -> run(batchId, who.actor()));
    }

    /** Every rule, the plan's freshness, then the claim (PLANNED or FAILED -> APPLYING); throws ApplyRefused. */
    private void checkAndClaim(Batch batch, ApplyPolicy.ApplyRequest request, Operator who) {
        UUID batchId = batch.id;
        String overrideReason = policy.checkApply(batch, request, who);
        List<ApplyConflict> conflicts = engine.precheck(batch);
        if (!conflicts.isEmpty()) {
            jdbc.runInTransaction(c -> transitions.storeConflicts(c, batchId, conflicts));
            throw new ApplyRefused(409, batchId, conflicts.size() + " rows of this plan are stale: the directory changed "
                    + "since it was planned. Re-plan the batch.", conflicts);
        }
        if (!jdbc.inTransaction(c -> transitions.claimApply(c, batch, request.skipErrors(), overrideReason, who))) {
            throw ApplyRefused.conflict(batchId, "Batch " + batchId + " is already being applied (another click, "
                    + "admin or instance was first). It is applied at most once.");
        }
    }

    /**
     * As {@link #requestApply}, but applies on the calling thread and returns once the batch is APPLIED,
     * FAILED or (stale at apply time) PLANNED again: a sync source's automatic run waits for its apply.
     *
     * @throws ApplyRefused when a rule refuses it (nothing claimed, nothing written)
     */
    public void applyNow(UUID batchId, ApplyPolicy.ApplyRequest request, Operator who) {
        checkAndClaim(QuarkusTransaction.requiringNew().call(() -> Batch.<Batch>findById(batchId)), request, who);
        run(batchId, who.actor());
    }

    /** Records a second operator's approval (four-eyes). */
    public void approve(UUID batchId, Operator who) {
        Batch batch = Batch.findExisting(batchId);
        policy.checkApproval(batch, who);
        if (!jdbc.inTransaction(c -> transitions.approved(c, batchId, batch.fileName, who))) {
            throw ApplyRefused.conflict(batchId, "Batch " + batchId + " changed while approving; reload it.");
        }
    }

    /** Runs the apply on this thread; used by the background executor and by tests. */
    void run(UUID batchId, AuditActor actor) {
        Batch batch;
        try {
            batch = QuarkusTransaction.requiringNew().call(() -> Batch.<Batch>findById(batchId));
            long started = System.nanoTime();
            ApplyEngine.Outcome outcome = engine.apply(batch, actor, done -> progress(batchId, done));
            if (outcome.applied()) {
                Log.infof("applied batch %s: %d changes in %d ms", batchId, batch.changeCount(),
                        (System.nanoTime() - started) / 1_000_000);
            } else {
                jdbc.runInTransaction(c -> transitions.staleAtApply(c, batchId, outcome.conflicts()));
            }
        } catch (RuntimeException e) {
            String reference = UUID.randomUUID().toString().substring(0, 8);
            Log.errorf(e, "apply of batch %s failed, reference %s", batchId, reference);
            fail(batchId, actor, failureText(reference, e));
        }
    }

    /**
     * The failure stored on the batch, in its batch.failed event and in sync runs: never a database message
     * verbatim (it may quote a row, password hash included); the log under the reference has the detail.
     */
    static String failureText(String reference, RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException s && "P0001".equals(s.getSQLState())) {
                // RAISE EXCEPTION in Roster's own functions and triggers: words written for operators, no row quoted
                return "The apply failed and nothing of it was kept (reference " + reference + "): " + s.getMessage();
            }
            if (cause instanceof SQLException s) {
                return "The apply failed and nothing of it was kept (reference " + reference + "): the database refused a "
                        + "change (SQLSTATE " + s.getSQLState() + "); re-plan the batch, and if it fails again give the "
                        + "reference to whoever runs Roster";
            }
        }
        return "The apply failed and nothing of it was kept (reference " + reference + "): " + e.getMessage();
    }

    /** At start-up and then regularly: an APPLYING batch whose applier is gone (its lock is free) failed. */
    @Scheduled(every = "${roster.apply.interrupted-check:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void failInterruptedApplies() {
        List<UUID> candidates;
        try {
            candidates = jdbc.list(
                    "SELECT id FROM batch WHERE status = 'APPLYING' AND apply_started_at < now() - make_interval(secs => ?)",
                    rs -> rs.getObject(1, UUID.class), settings.interruptedAfter().toMillis() / 1000.0);
        } catch (RuntimeException e) {
            Log.warnf("could not look for interrupted applies: %s", e.getMessage());
            return;
        }
        for (UUID id : candidates) {
            if (applierGone(id)) {
                fail(id, AuditActor.system(), "interrupted: the instance applying it stopped before it finished. "
                        + "Nothing of it was applied; it can be applied again.");
            }
        }
    }

    void onStart(@Observes StartupEvent event) {
        executor.submit(this::failInterruptedApplies);
    }

    /** True when nobody holds the batch's apply lock (the transaction that took it ended). */
    private boolean applierGone(UUID batchId) {
        try {
            // Taken and released at once: the transaction ends (rolls back) right after the probe.
            return jdbc.inTransaction(c -> Jdbc.one(c, "SELECT pg_try_advisory_xact_lock(?, hashtext(?::text))",
                    rs -> rs.getBoolean(1), ApplyEngine.BATCH_LOCK_SPACE, batchId.toString()).orElse(false));
        } catch (RuntimeException e) {
            Log.warnf(e, "could not check whether the apply of batch %s is still alive; checking again later", batchId);
            return false;
        }
    }

    private void fail(UUID batchId, AuditActor actor, String failure) {
        try {
            jdbc.inTransaction(c -> transitions.failed(c, batchId, failure, actor));
        } catch (RuntimeException e) {
            Log.errorf(e, "could not mark batch %s failed", batchId);
        }
    }

    private void progress(UUID batchId, long done) {
        try {
            // Never waits: when another transaction holds the batch's row the write is skipped (the next one catches up).
            jdbc.update("""
                    UPDATE batch SET progress_done = ?
                     WHERE id = (SELECT id FROM batch WHERE id = ? AND status = 'APPLYING' FOR UPDATE SKIP LOCKED)""",
                    done, batchId);
        } catch (RuntimeException e) {
            Log.debugf("progress of %s not recorded: %s", batchId, e.getMessage());
        }
    }
}
