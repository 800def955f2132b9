package dev.roster.sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.batch.apply.ApplyPolicy;
import dev.roster.batch.apply.ApplyRefused;
import dev.roster.batch.apply.ApplyService;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.directory.ScheduleSettings;
import dev.roster.directory.ScheduledChanges;
import dev.roster.sql.Jdbc;
import io.quarkus.arc.Unremovable;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs the dated changes that are due (#26 item 3, decisions 0037 and 0039: activations, suspensions, leaver deletes) as one batch of operation SCHEDULED, written by
 * Roster and applied by the normal apply (all or nothing, audited per user, invitations through the outbox), or held
 * for an operator, who is mailed, when it is over the organisation's limits (the sources' limit rule). Called by the
 * clustered Quartz job of {@link SyncScheduler} and at start-up, so a day missed while Roster was down runs then; a
 * transaction-scoped advisory lock and the changes' run batch make it once across instances. Unremovable: the Quartz job
 * looks it up and nothing injects it, so the packaged app would drop it as unused (ProgrammaticLookupsTest).
 */
@ApplicationScoped
@Unremovable
public class ScheduledChangeRunner {

    /** Namespace of the run's advisory lock (apply uses 7, sync runs 8, planning 9). */
    static final int RUN_LOCK_SPACE = 26;

    @Inject
    Jdbc jdbc;
    @Inject
    Clock clock;
    @Inject
    BatchTransitions transitions;
    @Inject
    ApplyService applies;
    @Inject
    ScheduleSettings settings;
    @Inject
    SyncNotices notices;

    record Planned(UUID batchId, long activations, long suspensions, long deletions, List<String> held) {
    }

    /** Plans the changes due now as one batch and applies it, or holds it; the batch's id, empty when nothing was due. */
    public Optional<UUID> runDue() {
        Optional<Planned> planned = plan(clock.instant());
        if (planned.isEmpty()) {
            return Optional.empty();
        }
        Planned p = planned.get();
        if (!p.held().isEmpty()) {
            Log.infof("scheduled changes batch %s held for approval: %s", p.batchId(), p.held());
            return Optional.of(p.batchId());
        }
        try {
            applies.applyNow(p.batchId(), new ApplyPolicy.ApplyRequest(p.activations() + p.suspensions()
                    + p.deletions(), p.deletions(), false, null),
                    Operator.system());
        } catch (ApplyRefused e) {
            if (e.status() == 409) {
                // claimed by another run first, or stale: either way no apply of ours; the next run supersedes a stale one
                Log.infof("scheduled changes batch %s not applied here: %s", p.batchId(), e.getMessage());
            } else {
                // four-eyes mode, say: the batch waits for an operator like a held one
                jdbc.runInTransaction(c -> hold(c, p.batchId(), e.getMessage()));
            }
        }
        return Optional.of(p.batchId());
    }

    /**
     * In one transaction under the run lock: supersedes the run batches left PLANNED without being held (a crash
     * between plan and apply, or stale at apply), then takes every due change no live batch holds into a new batch.
     * Package-private so a test can stop a run between its plan and its apply.
     */
    Optional<Planned> plan(Instant now) {
        Operator system = Operator.system();
        return jdbc.inTransaction(c -> {
            if (!Jdbc.one(c, "SELECT pg_try_advisory_xact_lock(?, 0)", rs -> rs.getBoolean(1), RUN_LOCK_SPACE).orElse(false)) {
                return Optional.<Planned>empty(); // another instance is planning the same changes
            }
            supersedeUnheld(c, system);
            if (ScheduledChanges.dueCount(c, now) == 0) {
                return Optional.<Planned>empty();
            }
            UUID id = UUID.randomUUID();
            String day = LocalDate.ofInstant(now, settings.timeZone()).toString();
            transitions.startScheduled(c, id, "scheduled changes due " + day, system);
            ScheduledChanges.planDue(c, id, now);
            transitions.revertPlanned(c, id, Map.of("fileName", "scheduled changes due " + day, "scheduled", true), system);
            long[] counts = Jdbc.one(c, """
                    SELECT count(*) FILTER (WHERE fields @> '[{"name": "status", "after": "ACTIVE"}]'),
                           count(*) FILTER (WHERE fields @> '[{"name": "status", "after": "SUSPENDED"}]'),
                           (SELECT count(*) FROM directory_user WHERE status <> 'DELETED'),
                           count(*) FILTER (WHERE kind = 'DELETE')
                      FROM plan_item WHERE batch_id = ? AND kind IN ('UPDATE', 'DELETE')""",
                    rs -> new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4) }, id).orElseThrow();
            if (counts[0] + counts[1] + counts[3] == 0) {
                // every user is in the target status already, or deleted: done, and the batch says so (discarded)
                ScheduledChanges.markRun(c, id, now);
                transitions.discard(c, id, system);
                return Optional.<Planned>empty();
            }
            List<String> held = new ArrayList<>();
            SyncRunner.overLimit(held, "activations", counts[0], settings.maxActivations().orElse(null),
                    settings.maxPercent().orElse(null), counts[2]);
            SyncRunner.overLimit(held, "suspensions", counts[1], settings.maxSuspensions().orElse(null),
                    settings.maxPercent().orElse(null), counts[2]);
            SyncRunner.overLimit(held, "deletions", counts[3], settings.maxDeletions().orElse(null),
                    settings.maxPercent().orElse(null), counts[2]);
            if (!held.isEmpty()) {
                hold(c, id, String.join("; ", held));
            }
            return Optional.of(new Planned(id, counts[0], counts[1], counts[3], held));
        });
    }

    /** Held for an operator: said on the batch (so no later run supersedes it) and mailed to the operators. */
    private void hold(Connection c, UUID batchId, String reason) throws SQLException {
        Jdbc.update(c, "UPDATE batch SET held_reason = ? WHERE id = ?", reason, batchId);
        notices.scheduledHeld(c, batchId, reason);
    }

    /**
     * A run batch still PLANNED that nobody held was cut off between its plan and its apply (the instance stopped) or
     * was found stale when applied: discarded (guarded: an operator who claimed it first keeps it) and its changes
     * released, so this run takes them again into one new batch. Never two live batches for one change.
     */
    private void supersedeUnheld(Connection c, Operator system) throws SQLException {
        List<UUID> stranded = Jdbc.list(c, """
                SELECT b.id FROM batch b
                 WHERE b.operation = 'SCHEDULED' AND b.status = 'PLANNED' AND b.held_reason IS NULL
                   AND EXISTS (SELECT 1 FROM scheduled_change s WHERE s.run_batch_id = b.id AND s.status = 'PENDING')
                 ORDER BY b.created_at FOR UPDATE OF b SKIP LOCKED""", rs -> rs.getObject(1, UUID.class));
        for (UUID old : stranded) {
            Jdbc.update(c, "UPDATE scheduled_change SET run_batch_id = NULL WHERE run_batch_id = ? AND status = 'PENDING'", old);
            if (!transitions.discard(c, old, system)) {
                throw new IllegalStateException("run batch " + old + " changed while it was superseded");
            }
            Log.infof("scheduled changes batch %s was left planned (interrupted or stale): superseded, its changes planned again", old);
        }
    }
}
