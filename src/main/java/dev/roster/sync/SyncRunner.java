package dev.roster.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.Operator;
import dev.roster.audit.AuditActor;
import dev.roster.batch.BatchService;
import dev.roster.batch.apply.ApplyPolicy;
import dev.roster.batch.apply.ApplyRefused;
import dev.roster.batch.apply.ApplyService;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.batch.state.UploadRequest;
import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.SyncScope;
import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * One run of a source (docs/sync.md): fetch, guards, plan as a batch of operation sync (its actor the
 * source), then apply it automatically through the normal apply (all or nothing) when it is inside
 * every limit, has no errors and the source says so, or hold it as a PLANNED batch and tell the
 * operators by mail. A run holds the source's session lock in PostgreSQL: one run per source at a time
 * on all instances, and a run whose instance died (its lock freed) is completed or retried by the next.
 */
@ApplicationScoped
public class SyncRunner {

    /** Namespace of a source's run lock (apply uses 7). */
    static final int RUN_LOCK_SPACE = 8;

    @Inject
    Jdbc jdbc;
    @Inject
    SyncSources sources;
    @Inject
    SyncRuns runs;
    @Inject
    SourceFetcher fetcher;
    @Inject
    BatchService batches;
    @Inject
    BatchTransitions transitions;
    @Inject
    ApplyService applies;
    @Inject
    SyncNotices notices;
    @Inject
    SyncSettings settings;

    /**
     * Runs the source now on this thread. Returns the run's id, or empty when nothing was recorded: the
     * source is gone or paused (for a scheduled run), another instance is running it, or a poll found no new file.
     */
    public Optional<UUID> run(UUID sourceId, String trigger) {
        return run(sourceId, trigger, null);
    }

    /** As {@link #run(UUID, String)}, recording the admin who pressed Run now (four-eyes: they cannot approve it). */
    public Optional<UUID> run(UUID sourceId, String trigger, UUID triggeredBy) {
        Optional<SyncSource> found = sources.findIfAny(sourceId);
        if (found.isEmpty() || (found.get().paused() && !SyncRun.MANUAL.equals(trigger))) {
            return Optional.empty();
        }
        SyncSource source = found.get();
        boolean byHand = SyncRun.MANUAL.equals(trigger);
        if (!byHand) {
            String wait = backOff(source.id(), Instant.now());
            if (wait != null) {
                Log.infof("sync source %s: this %s run is skipped, %s", sourceId, trigger, wait);
                return Optional.empty();
            }
        }
        // Scheduled and polled fetches of a URL keep min-interval apart, whatever the schedule stored before it was checked.
        boolean spaced = !byHand && (SyncRun.SCHEDULE.equals(trigger) || source.kind() == SyncSource.Kind.URL);
        UUID lease = UUID.randomUUID();
        if (!claim(sourceId, lease, spaced)) {
            Log.infof("sync source %s is being run, or was fetched less than %s ago; this %s run is left out", sourceId,
                    settings.minInterval(), trigger);
            return Optional.empty();
        }
        try {
            Optional<SyncRun> last = runs.lastProcessed(sourceId);
            SourceFetcher.Last lastFile = last.map(r -> new SourceFetcher.Last(r.fileName(), r.fileSize() == null ? -1
                    : r.fileSize(), r.fileModified())).orElse(null);
            // The fetch holds no database connection (only the lease row says the source is taken): a slow server costs
            // this thread, for at most roster.sync.fetch-timeout, never one of the pool's connections.
            SourceFetcher.Result fetched = fetcher.fetch(source, source.kind() == SyncSource.Kind.DIRECTORY ? lastFile : null);
            try {
                return jdbc.withConnection(lock -> {
                    if (!Jdbc.one(lock, "SELECT pg_try_advisory_lock(?, hashtext(?::text))", rs -> rs.getBoolean(1),
                            RUN_LOCK_SPACE, sourceId.toString()).orElse(false)) {
                        Log.infof("sync source %s is being planned by another instance or thread; this %s run is left to it",
                                sourceId, trigger);
                        return Optional.<UUID>empty();
                    }
                    try {
                        // Planning is guarded by the lock from here, which dies with its instance: the lease is given
                        // back now, so a run killed while it plans or applies is retried at once, not after the lease.
                        release(sourceId, lease);
                        Optional<SyncSource> now = sources.findIfAny(sourceId);
                        if (now.isEmpty()) {
                            return Optional.<UUID>empty(); // removed while its file was fetched
                        }
                        if (now.get().paused() && !byHand) {
                            // Paused (by hand, or by revoking the token that configured it) while the file was on its
                            // way: the pause wins, whatever the file says. Recorded so the run is not silently lost.
                            return Optional.of(finishedAtOnce(now.get(), trigger, fetched instanceof SourceFetcher.Got got
                                    ? got : null, SyncRun.Status.SKIPPED, "the source was paused while its file was "
                                    + "fetched, so nothing was planned"));
                        }
                        recoverInterrupted(now.get());
                        return Optional.ofNullable(runLocked(now.get(), trigger, triggeredBy, fetched));
                    } finally {
                        Jdbc.one(lock, "SELECT pg_advisory_unlock(?, hashtext(?::text))", rs -> rs.getBoolean(1),
                                RUN_LOCK_SPACE, sourceId.toString());
                    }
                });
            } finally {
                if (fetched instanceof SourceFetcher.Got got) {
                    deleteQuietly(got);
                }
            }
        } finally {
            release(sourceId, lease);
        }
    }

    private void release(UUID sourceId, UUID lease) {
        jdbc.update("UPDATE sync_source SET run_lease_id = NULL, run_lease_until = NULL WHERE id = ? AND run_lease_id = ?",
                sourceId, lease);
    }

    /**
     * Takes the source's lease for one run (a committed row update: no connection stays taken), unless another run
     * holds it; with {@code spaced}, also unless the last fetch began less than (nine tenths of) min-interval ago. A
     * lease outlives the fetch deadline by two minutes, so a run whose instance died frees its source by itself.
     */
    private boolean claim(UUID sourceId, UUID lease, boolean spaced) {
        long leaseMillis = settings.fetchTimeout().plus(settings.settle()).plusMinutes(2).toMillis();
        long spacingMillis = settings.minInterval().toMillis() * 9 / 10;
        return jdbc.update("""
                UPDATE sync_source SET run_lease_id = ?, run_lease_until = now() + ? * interval '1 millisecond',
                                       last_fetch_at = now()
                 WHERE id = ? AND (run_lease_until IS NULL OR run_lease_until < now())
                   AND (NOT ? OR last_fetch_at IS NULL OR last_fetch_at <= now() - ? * interval '1 millisecond')""",
                lease, leaseMillis, sourceId, spaced, spacingMillis) == 1;
    }

    /**
     * Why a scheduled or polled run waits (null when it may go): after n >= 2 failed or refused runs in a row it waits
     * min-interval x 2^(n-1), at most max-backoff, after the last of them.
     */
    String backOff(UUID sourceId, Instant now) {
        int failures = 0;
        Instant lastFailure = null;
        for (SyncRun r : runs.recent(sourceId, 20)) {
            if (r.status() == SyncRun.Status.RUNNING || r.status() == SyncRun.Status.SKIPPED) {
                continue;
            }
            if (r.status() != SyncRun.Status.FAILED && r.status() != SyncRun.Status.REFUSED) {
                break;
            }
            failures++;
            if (lastFailure == null) {
                lastFailure = r.finishedAt() != null ? r.finishedAt() : r.startedAt();
            }
        }
        if (failures < 2 || lastFailure == null) {
            return null;
        }
        Duration wait = settings.minInterval().multipliedBy(1L << Math.min(failures - 1, 20));
        if (wait.compareTo(settings.maxBackoff()) > 0) {
            wait = settings.maxBackoff();
        }
        Instant until = lastFailure.plus(wait);
        return now.isBefore(until) ? failures + " runs in a row failed or were refused, so scheduled runs wait until "
                + until + " (Run now is not held back)" : null;
    }

    private static void deleteQuietly(SourceFetcher.Got got) {
        try {
            Files.deleteIfExists(got.file());
        } catch (IOException e) {
            Log.warnf("could not delete the temporary file %s: %s", got.file(), e.getMessage());
        }
    }

    /** True when some thread on some instance runs the source now. */
    public boolean busy(UUID sourceId) {
        // Looked up, never taken: taking it even for a moment could turn a scheduled run away.
        return jdbc.one("""
                SELECT EXISTS (SELECT 1 FROM sync_source WHERE id = ?::uuid AND run_lease_until > now())
                    OR EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                  AND classid = ?::oid
                                  AND objid::bigint = (hashtext(?::text)::bigint & 4294967295) AND objsubid = 2)""",
                rs -> rs.getBoolean(1), sourceId.toString(), RUN_LOCK_SPACE, sourceId.toString()).orElse(false);
    }

    private UUID runLocked(SyncSource source, String trigger, UUID triggeredBy, SourceFetcher.Result fetched) {
        Optional<SyncRun> last = runs.lastProcessed(source.id());
        if (fetched instanceof SourceFetcher.NothingNew nothing) {
            if (SyncRun.NEW_FILE.equals(trigger)) {
                return null; // a poll that found nothing new leaves no record
            }
            return finishedAtOnce(source, trigger, null, SyncRun.Status.SKIPPED, nothing.reason());
        }
        if (fetched instanceof SourceFetcher.Refused refused) {
            return finishedAtOnce(source, trigger, null, refused.transientFault() ? SyncRun.Status.FAILED
                    : SyncRun.Status.REFUSED, refused.reason());
        }
        SourceFetcher.Got got = (SourceFetcher.Got) fetched;
        if (SyncRun.NEW_FILE.equals(trigger) && last.isPresent() && got.sha256().equals(last.get().sha256())) {
            return null; // a URL polled for a new file answers the same file: nothing new
        }
        String refusal = guard(got, last.orElse(null));
        if (refusal != null) {
            boolean same = refusal.startsWith("the same file");
            return finishedAtOnce(source, trigger, got, same ? SyncRun.Status.SKIPPED : SyncRun.Status.REFUSED, refusal);
        }
        UUID runId = runs.start(source.id(), trigger, got, triggeredBy);
        try {
            planAndDecide(source, runId, got, last.orElse(null));
        } catch (RuntimeException e) {
            String reference = UUID.randomUUID().toString().substring(0, 8);
            Log.errorf(e, "run %s of sync source %s failed, reference %s", runId, source.id(), reference);
            finish(source, runId, null, new SyncRuns.Outcome(SyncRun.Status.FAILED, "an internal error stopped the run "
                    + "(reference " + reference + "); nothing of it was applied", null, null, null), true);
        }
        return runId;
    }

    /** The truncated-export and repeat guards before planning; null when the file may be planned. */
    static String guard(SourceFetcher.Got got, SyncRun last) {
        if (got.size() == 0) {
            return "the file " + got.name() + " is empty (0 bytes): a truncated or failed export";
        }
        if (last == null) {
            return null;
        }
        if (got.sha256().equals(last.sha256())) {
            return "the same file as run " + last.id() + " (SHA-256 " + got.sha256().substring(0, 12) + "...), already processed";
        }
        if (got.modified() != null && last.fileModified() != null && got.modified().isBefore(last.fileModified())) {
            return "the file " + got.name() + " (" + got.modified() + ") is older than the last one processed, "
                    + last.fileName() + " (" + last.fileModified() + "): an old export put back?";
        }
        return null;
    }

    private void planAndDecide(SyncSource source, UUID runId, SourceFetcher.Got got, SyncRun last) {
        Operator operator = operator(source);
        UUID batchId;
        UploadRequest.SyncOptions options = new UploadRequest.SyncOptions(source.id(), source.syncScope(), source.absent());
        try (InputStream in = Files.newInputStream(got.file())) {
            batchId = batches.uploadAndPlan(in, UploadRequest.sync(got.name(), source.matchBy(), options, operator));
        } catch (IOException e) {
            throw new IllegalStateException("could not read the fetched file: " + e.getMessage(), e);
        }
        runs.batch(runId, batchId);
        Planned p = planned(batchId);
        if (p.status.equals("REJECTED")) {
            hide(batchId, operator, false);
            finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.REFUSED, p.message, null, null, null), true);
            return;
        }
        long fileRows = p.rows - p.absent;
        Map<String, Long> counts = counts(p, source.absent());
        if (last != null && last.fileRows() != null && fileRows < source.minRowsFraction() * last.fileRows()) {
            hide(batchId, operator, true);
            finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.REFUSED, "the file has " + fileRows
                    + " rows, fewer than " + Math.round(source.minRowsFraction() * 100) + "% of the " + last.fileRows()
                    + " rows of the last file processed: a truncated export? Nothing was changed. If the drop is real, "
                    + "lower the source's minimum rows fraction or upload the file by hand", fileRows, counts, null), true);
            return;
        }
        long changes = p.create + p.update + p.delete;
        // A scope that matches no one is said on the run (the batch carries it as a warning too).
        String note = p.scopeSize != null && p.scopeSize == 0 && source.syncScope().kind() == SyncScope.Kind.ATTRIBUTE
                ? "the scope (" + source.syncScope().describe() + ") matches no user, so no user can be absent from the file;"
                        + " check the attribute's name and value" : null;
        if (changes == 0 && p.errors == 0) {
            hide(batchId, operator, true);
            finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.NO_CHANGES, note != null ? note
                    : "the directory already matches the file", fileRows, counts, null), false);
            return;
        }
        List<String> held = held(source, p, counts);
        if (note != null && !held.isEmpty()) {
            held.add(note);
        }
        if (held.isEmpty()) {
            try {
                applies.applyNow(batchId, new ApplyPolicy.ApplyRequest(changes, p.delete, false, null), operator);
            } catch (ApplyRefused e) {
                held.add(e.getMessage());
            }
        }
        if (!held.isEmpty()) {
            finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.HELD, "held for an operator: "
                    + String.join("; ", held), fileRows, counts, null), true);
            return;
        }
        Planned after = planned(batchId);
        switch (after.status) {
            case "APPLIED" -> finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.APPLIED, note, fileRows,
                    counts, "automatic"), false);
            case "PLANNED" -> finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.HELD, "held for an operator: "
                    + "the directory changed while the run was applying; re-plan the batch", fileRows, counts, null), true);
            default -> finish(source, runId, batchId, new SyncRuns.Outcome(SyncRun.Status.FAILED, after.failure == null
                    ? "the apply did not finish" : after.failure, fileRows, counts, null), true);
        }
    }

    /** Why a planned run may not apply on its own; empty when it may. */
    List<String> held(SyncSource source, Planned p, Map<String, Long> counts) {
        List<String> held = new ArrayList<>();
        if (p.errors > 0) {
            held.add(p.errors + " rows have errors");
        }
        long base = p.scopeSize == null ? 0 : p.scopeSize;
        for (String key : List.of("create", "update", "suspend", "delete")) {
            overLimit(held, verb(key), counts.getOrDefault(key, 0L), limit(source.limits(), key),
                    limit(source.limitsPercent(), key), base);
        }
        if (!source.autoApply()) {
            held.add("automatic apply is off for this source");
        }
        // The delete cap and four-eyes mode are the apply's own rules: applyNow refuses, and the run is held.
        return held;
    }

    /** Adds why n changes of a kind are over a count limit or a percentage of base users (null: no such limit). */
    static void overLimit(List<String> held, String what, long n, Double max, Double pct, long base) {
        if (max != null && n > max) {
            held.add(n + " " + what + " exceed the limit of " + Math.round(max));
        }
        if (pct != null && n > 0) {
            double share = base == 0 ? 100.0 : n * 100.0 / base;
            if (share > pct) {
                held.add(n + " " + what + " are " + Math.round(share) + "% of the " + base
                        + " users in scope, over the limit of " + pct + "%");
            }
        }
    }

    private static String verb(String key) {
        return switch (key) {
            case "create" -> "creations";
            case "update" -> "updates";
            case "suspend" -> "suspensions";
            default -> "deletions";
        };
    }

    private static Double limit(SyncSource.Limits limits, String key) {
        return switch (key) {
            case "create" -> limits.create();
            case "update" -> limits.update();
            case "suspend" -> limits.suspend();
            default -> limits.delete();
        };
    }

    static Map<String, Long> counts(Planned p, AbsentPolicy absent) {
        long suspends = absent == AbsentPolicy.SUSPEND ? p.absent : 0;
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("create", p.create);
        counts.put("update", p.update - suspends);
        counts.put("suspend", suspends);
        counts.put("delete", p.delete);
        counts.put("unchanged", p.unchanged);
        counts.put("error", p.errors);
        return counts;
    }

    /** A batch's plan as a run decides on it. */
    record Planned(String status, long rows, long create, long update, long delete, long reset, long unchanged, long errors,
            long absent, Long scopeSize, String message, String failure) {
    }

    private Planned planned(UUID batchId) {
        return jdbc.one("""
                SELECT status, row_count, count_create, count_update, count_delete, count_reset, count_unchanged, count_error,
                       count_absent, sync_scope_size, error, failure FROM batch WHERE id = ?""",
                rs -> new Planned(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                        rs.getLong(7), rs.getLong(8), rs.getLong(9), (Long) rs.getObject(10), rs.getString(11),
                        rs.getString(12)), batchId).orElseThrow();
    }

    /** Keeps a run's batch off the Batches list; discards it too when it still can be. */
    private void hide(UUID batchId, Operator operator, boolean discard) {
        jdbc.runInTransaction(c -> {
            if (discard) {
                transitions.discard(c, batchId, operator);
            }
            Jdbc.update(c, "UPDATE batch SET listed = false WHERE id = ?", batchId);
        });
    }

    private UUID finishedAtOnce(SyncSource source, String trigger, SourceFetcher.Got file, SyncRun.Status status, String reason) {
        boolean tell = status != SyncRun.Status.SKIPPED;
        return jdbc.inTransaction(c -> {
            UUID id = runs.recordFinished(c, source, trigger, file, new SyncRuns.Outcome(status, reason, null, null, null));
            if (tell && !repeatsAFailure(c, source.id(), id, status)) {
                notices.tell(c, source, id, status, reason, null, Map.of());
            }
            return id;
        });
    }

    private void finish(SyncSource source, UUID runId, UUID batchId, SyncRuns.Outcome outcome, boolean tell) {
        jdbc.runInTransaction(c -> {
            if (runs.finish(c, runId, source, outcome, batchId) && tell && !repeatsAFailure(c, source.id(), runId, outcome.status())) {
                notices.tell(c, source, runId, outcome.status(), outcome.reason(), batchId,
                        outcome.counts() == null ? Map.of() : outcome.counts());
            }
        });
    }

    /**
     * Whether the run before this one (skipped runs aside) failed or was refused too: the operators get one mail per
     * series of failures, not one per failed run of a source that keeps failing.
     */
    private static boolean repeatsAFailure(Connection c, UUID sourceId, UUID runId, SyncRun.Status status)
            throws SQLException {
        if (status != SyncRun.Status.FAILED && status != SyncRun.Status.REFUSED) {
            return false;
        }
        return Jdbc.one(c, """
                SELECT status FROM sync_run WHERE source_id = ? AND id <> ? AND status NOT IN ('RUNNING', 'SKIPPED')
                 ORDER BY started_at DESC, id LIMIT 1""", rs -> rs.getString(1), sourceId, runId)
                .map(s -> s.equals("FAILED") || s.equals("REFUSED")).orElse(false);
    }

    /**
     * A run left RUNNING by an instance that died (its lock is ours now): completed when its batch was applied
     * (the apply is all or nothing), otherwise marked FAILED with its batch discarded, and this run retries.
     */
    void recoverInterrupted(SyncSource source) {
        for (SyncRun run : runs.running(source.id())) {
            String status = run.batchStatus();
            if ("APPLIED".equals(status)) {
                finish(source, run.id(), run.batchId(), new SyncRuns.Outcome(SyncRun.Status.APPLIED, "completed after the "
                        + "instance running it stopped", null, run.counts(), "automatic"), false);
                continue;
            }
            if (status != null && List.of("PLANNING", "PLANNED", "REJECTED", "FAILED").contains(status)) {
                hide(run.batchId(), operator(source), true);
            }
            finish(source, run.id(), run.batchId(), new SyncRuns.Outcome(SyncRun.Status.FAILED, "interrupted: the instance "
                    + "running it stopped" + (status == null ? "" : " (its batch was " + status + ")")
                    + "; nothing of it was applied, and the next run retried it", null, run.counts(), null), false);
        }
    }

    static Operator operator(SyncSource source) {
        AuditActor actor = AuditActor.source(source.id(), source.name());
        return new Operator(source.id(), actor.name(), AdminRole.OPERATOR_ROLE, actor);
    }
}
