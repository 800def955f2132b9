package dev.roster.sync;

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

    private record Planned(UUID batchId, long activations, long suspensions, long deletions, List<String> held) {
    }

    /** Plans the changes due now as one batch and applies it, or holds it; the batch's id, empty when nothing was due. */
    public Optional<UUID> runDue() {
        Instant now = clock.instant();
        Operator system = Operator.system();
        Optional<Planned> planned = jdbc.inTransaction(c -> {
            if (!Jdbc.one(c, "SELECT pg_try_advisory_xact_lock(?, 0)", rs -> rs.getBoolean(1), RUN_LOCK_SPACE).orElse(false)) {
                return Optional.<Planned>empty(); // another instance is planning the same changes
            }
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
                notices.scheduledHeld(c, id, String.join("; ", held));
            }
            return Optional.of(new Planned(id, counts[0], counts[1], counts[3], held));
        });
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
                    system);
        } catch (ApplyRefused e) {
            // four-eyes mode, say: the batch waits for an operator like a held one
            jdbc.runInTransaction(c -> notices.scheduledHeld(c, p.batchId(), e.getMessage()));
        }
        return Optional.of(p.batchId());
    }
}
