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

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Confirms and starts applies: checks the typed confirmation, the error rule, the delete cap and
 * four-eyes approval on the server, refuses stale plans with their conflicts, claims the batch
 * (so it is applied at most once), and runs {@link ApplyEngine} in the background.
 */
@ApplicationScoped
public class ApplyService {

    /** Why an apply request is refused: 409 (state, staleness) or 422 (confirmation, rules). */
    public static class ApplyRefusedException extends RuntimeException {
        private final int status;
        private final List<ApplyConflict> conflicts;

        public ApplyRefusedException(int status, String message, List<ApplyConflict> conflicts) {
            super(message);
            this.status = status;
            this.conflicts = conflicts;
        }

        public int status() {
            return status;
        }

        public List<ApplyConflict> conflicts() {
            return conflicts;
        }
    }

    /** What the operator sent with the apply button (or the API call). */
    public record ApplyRequest(Long confirm, boolean skipErrors, String overrideReason) {
    }

    /** Who asks, as the service needs it. */
    public record Requester(UUID adminId, String name, boolean isAdmin, AuditActor actor) {
        static Requester of(dev.roster.access.CurrentAdmin admin, AuditTrail audit) {
            return new Requester(admin.id(), admin.displayName(), admin.isAdmin(), audit.currentActor());
        }
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ApplyEngine engine;
    @Inject
    BatchService batches;
    @Inject
    AuditTrail audit;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "roster.safety.max-delete-fraction", defaultValue = "0.2")
    double maxDeleteFraction;
    @ConfigProperty(name = "roster.approval.enabled", defaultValue = "false")
    boolean approvalEnabled;
    /** How long an APPLYING batch without a live applier may wait before it counts as interrupted. */
    @ConfigProperty(name = "roster.apply.interrupted-after", defaultValue = "20S")
    java.time.Duration interruptedAfter;

    private ExecutorService executor;

    @PostConstruct
    void start() {
        // A thread per apply (they are few): a claimed apply that queued behind others would hold
        // no lock, and could be taken for an interrupted one.
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "roster-apply");
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(20, TimeUnit.SECONDS);
    }

    public boolean approvalRequired(Batch batch) {
        return approvalEnabled && (batch.countDelete > 0 || batch.countReset > 0);
    }

    /** Users that are not deleted: the base of the delete cap. */
    public long activeUsers() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM directory_user WHERE status <> 'DELETED'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not count users: " + e.getMessage(), e);
        }
    }

    /** True when the batch deletes more than the configured share of the users that are not deleted. */
    public boolean overDeleteCap(Batch batch) {
        long active = activeUsers();
        return batch.countDelete > 0 && batch.countDelete > Math.floor(maxDeleteFraction * active);
    }

    public double maxDeleteFraction() {
        return maxDeleteFraction;
    }

    /** Validates and claims the batch, then applies it in the background. */
    public void requestApply(UUID batchId, ApplyRequest request, Requester who) {
        Batch batch = batches.find(batchId);
        if (batch.status != BatchStatus.PLANNED && batch.status != BatchStatus.FAILED) {
            throw new ApplyRefusedException(409, "Batch " + batchId + " is " + batch.status
                    + (batch.status == BatchStatus.APPLYING || batch.status == BatchStatus.APPLIED
                            ? ": it is applied at most once." : ": only a planned batch can be applied."), List.of());
        }
        if (batch.countError > 0 && !request.skipErrors()) {
            throw new ApplyRefusedException(422, batch.countError + " rows have errors. Fix them and upload again, or "
                    + "apply the valid rows and skip the " + batch.countError + " errors explicitly.", List.of());
        }
        long changes = batch.changeCount();
        if (changes == 0) {
            throw new ApplyRefusedException(422, "This plan changes nothing; there is nothing to apply.", List.of());
        }
        if (request.confirm() == null || request.confirm() != changes) {
            throw new ApplyRefusedException(422, "Confirm with the number of changes to apply: " + changes
                    + (batch.countDelete > 0 ? " (of which " + batch.countDelete + " deletions)" : "") + ".", List.of());
        }
        String overrideReason = request.overrideReason() == null ? null : request.overrideReason().trim();
        if (overrideCapNeeded(batch)) {
            if (!who.isAdmin() || overrideReason == null || overrideReason.isEmpty()) {
                throw new ApplyRefusedException(422, "This batch deletes " + batch.countDelete + " users, more than "
                        + Math.round(maxDeleteFraction * 100) + "% of the " + activeUsers()
                        + " users that are not deleted. An admin must override with a written reason.", List.of());
            }
        } else {
            overrideReason = null;
        }
        if (approvalRequired(batch)) {
            if (batch.approvedBy == null) {
                throw new ApplyRefusedException(422, "Four-eyes mode: a batch with deletions or resets needs the approval "
                        + "of another operator before it can be applied.", List.of());
            }
        }
        List<ApplyConflict> conflicts = engine.precheck(batchId);
        if (!conflicts.isEmpty()) {
            storeConflicts(batchId, conflicts);
            throw new ApplyRefusedException(409, conflicts.size() + " rows of this plan are stale: the directory changed "
                    + "since it was planned. Re-plan the batch.", conflicts);
        }
        claim(batch, request.skipErrors(), overrideReason, who);
        executor.submit(() -> run(batchId, who.actor()));
    }

    private boolean overrideCapNeeded(Batch batch) {
        return overDeleteCap(batch);
    }

    /** Records a second operator's approval (four-eyes); the uploader cannot approve their own batch. */
    public void approve(UUID batchId, Requester who) {
        Batch batch = batches.find(batchId);
        if (batch.status != BatchStatus.PLANNED) {
            throw new ApplyRefusedException(409, "Only a planned batch can be approved; this one is " + batch.status + ".",
                    List.of());
        }
        if (who.adminId() != null && who.adminId().equals(batch.createdBy)) {
            throw new ApplyRefusedException(422, "Four-eyes: the uploader cannot approve their own batch.", List.of());
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batch SET approved_by = ?, approved_by_name = ?, approved_at = now(), updated_at = now()
                     WHERE id = ? AND status = 'PLANNED'""")) {
                ps.setObject(1, who.adminId());
                ps.setString(2, who.name());
                ps.setObject(3, batchId);
                ps.executeUpdate();
            }
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.BATCH_APPROVED, null, null, batchId,
                    Map.of("fileName", batch.fileName)));
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not approve: " + e.getMessage(), e);
        }
    }

    private void claim(Batch batch, boolean skipErrors, String overrideReason, Requester who) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        UPDATE batch SET status = 'APPLYING', applied_by = ?, applied_by_name = ?, apply_started_at = now(),
                                         skip_errors = ?, override_reason = ?, failure = NULL, conflicts = '[]'::jsonb,
                                         progress_done = 0, progress_total = ?, updated_at = now()
                         WHERE id = ? AND status IN ('PLANNED', 'FAILED')""")) {
            ps.setObject(1, who.adminId());
            ps.setString(2, who.name());
            ps.setBoolean(3, skipErrors);
            ps.setString(4, overrideReason);
            ps.setLong(5, batch.changeCount());
            ps.setObject(6, batch.id);
            if (ps.executeUpdate() != 1) {
                throw new ApplyRefusedException(409, "Batch " + batch.id + " is already being applied (another click, "
                        + "admin or instance was first). It is applied at most once.", List.of());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not start the apply: " + e.getMessage(), e);
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
                storeConflicts(batchId, outcome.conflicts());
                setStatus(batchId, "PLANNED", null);
            }
        } catch (RuntimeException e) {
            String reference = UUID.randomUUID().toString().substring(0, 8);
            Log.errorf(e, "apply of batch %s failed, reference %s", batchId, reference);
            fail(batchId, actor, "The apply failed and nothing of it was kept (reference " + reference + "): "
                    + e.getMessage());
        }
    }

    /** At start-up and then regularly: an APPLYING batch whose applier is gone (its lock is free) failed. */
    @Scheduled(every = "${roster.apply.interrupted-check:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void failInterruptedApplies() {
        List<UUID> candidates = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id FROM batch WHERE status = 'APPLYING' AND apply_started_at < now() - make_interval(secs => ?)")) {
            ps.setDouble(1, interruptedAfter.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getObject(1, UUID.class));
                }
            }
        } catch (SQLException e) {
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

    private boolean applierGone(UUID batchId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, hashtext(?::text))")) {
                ps.setInt(1, ApplyEngine.BATCH_LOCK_SPACE);
                ps.setString(2, batchId.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    boolean free = rs.getBoolean(1);
                    c.rollback();
                    return free;
                }
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private void fail(UUID batchId, AuditActor actor, String failure) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int changed;
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batch SET status = 'FAILED', failure = ?, updated_at = now() WHERE id = ? AND status = 'APPLYING'""")) {
                ps.setString(1, failure);
                ps.setObject(2, batchId);
                changed = ps.executeUpdate();
            }
            if (changed == 1) {
                audit.record(c, actor, new AuditEventDraft(AuditAction.BATCH_FAILED, null, null, batchId,
                        Map.of("failure", failure)));
            }
            c.commit();
        } catch (SQLException e) {
            Log.errorf(e, "could not mark batch %s failed", batchId);
        }
    }

    private void progress(UUID batchId, long done) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE batch SET progress_done = ? WHERE id = ? AND status = 'APPLYING'")) {
            ps.setLong(1, done);
            ps.setObject(2, batchId);
            ps.executeUpdate();
        } catch (SQLException e) {
            Log.debugf("progress of %s not recorded: %s", batchId, e.getMessage());
        }
    }

    private void setStatus(UUID batchId, String status, String failure) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE batch SET status = ?, failure = ?, updated_at = now() WHERE id = ? AND status = 'APPLYING'")) {
            ps.setString(1, status);
            ps.setString(2, failure);
            ps.setObject(3, batchId);
            ps.executeUpdate();
        } catch (SQLException e) {
            Log.errorf(e, "could not set batch %s to %s", batchId, status);
        }
    }

    private void storeConflicts(UUID batchId, List<ApplyConflict> conflicts) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE batch SET conflicts = ?::jsonb WHERE id = ?")) {
            ps.setString(1, json.writeValueAsString(conflicts));
            ps.setObject(2, batchId);
            ps.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            Log.errorf(e, "could not store the conflicts of batch %s", batchId);
        }
    }

    static Map<String, Object> conflictBody(ApplyRefusedException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", e.status());
        body.put("error", e.getMessage());
        body.put("conflicts", e.conflicts());
        return body;
    }
}
