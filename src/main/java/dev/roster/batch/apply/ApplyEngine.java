package dev.roster.batch.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;

import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditTrail;
import dev.roster.batch.planning.BatchPlanning;
import dev.roster.batch.state.ApplyConflict;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.ScheduleSettings;
import dev.roster.directory.ScheduledChanges;
import dev.roster.directory.UserWriter;
import dev.roster.group.GroupWriter;
import dev.roster.plan.Operation;
import dev.roster.plan.Schedule;
import dev.roster.group.MembershipWriter;
import dev.roster.reset.LinkRequest;
import dev.roster.reset.OwedInvitations;
import dev.roster.reset.PasswordLinks;
import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Applies a plan in one PostgreSQL transaction: every change, its audit events and its e-mails
 * (as outbox rows) commit together or not at all. Writes are set-based: one statement per kind
 * of change, COPY for the audit events, batches for the tokens and outbox rows.
 */
@ApplicationScoped
public class ApplyEngine {

    /** Serialises applies, so two overlapping batches cannot both pass the staleness check. */
    static final long APPLY_LOCK = 0x726f73746572L;
    /** Namespace of the per-batch lock an applying transaction holds: a dead applier releases it. */
    static final int BATCH_LOCK_SPACE = 7;

    /** What an apply did: committed, or refused because the plan is stale. */
    public record Outcome(boolean applied, List<ApplyConflict> conflicts, long changes) {
    }

    /** Receives progress (changes done, of the batch's changes) while an apply runs. */
    public interface Progress {
        void done(long rows);
    }

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    PasswordLinks links;
    @Inject
    BatchTransitions transitions;
    @Inject
    ApplyAuditDrafts auditDrafts;
    @Inject
    OwedInvitations owedInvitations;
    @Inject
    ScheduleSettings scheduleSettings;
    @Inject
    Clock clock;

    /**
     * Applies the batch in one transaction on one connection (the writes, the links, the audit events
     * and the status change); a second connection streams the plan for the links and the events.
     */
    public Outcome apply(Batch batch, AuditActor actor, Progress progress) {
        try {
            return jdbc.inTransaction(write -> jdbc.inTransaction(read -> applyIn(write, read, batch, actor, progress)));
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState()) && directoryKey(s)) {
                // A user created or renamed since the plan took a key this plan needs (the check under the locks leaves
                // the creates' keys to the unique indexes): the full check, now that nothing is held, names its lines.
                List<ApplyConflict> taken = precheck(batch);
                return new Outcome(false, !taken.isEmpty() ? taken : List.of(new ApplyConflict(0, "CREATE", null, null,
                        null, null, "an email, username or external id this plan sets now belongs to another user ("
                                + s.getMessage() + "); re-plan the batch")), 0);
            }
            throw e;
        }
    }

    /**
     * A unique key of the directory's users refused a row (an email, username or external id taken since the plan):
     * the plan is stale. Any other duplicate (a token, an outbox row) is a failure, not a conflict to re-plan.
     */
    private static boolean directoryKey(SQLException s) {
        String constraint = s instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getConstraint() : null;
        return constraint == null || constraint.startsWith("directory_user_");
    }

    private Outcome applyIn(Connection write, Connection read, Batch batch, AuditActor actor, Progress progress)
            throws SQLException {
        lock(write, batch.id);
        // Under the locks: versions, groups and managers; the creates' keys were checked before the claim, and the
        // unique indexes refuse one taken since (over a second per check of 100k creates, #27).
        List<ApplyConflict> conflicts = StalePlanCheck.find(write, batch, false);
        if (!conflicts.isEmpty()) {
            return new Outcome(false, conflicts, 0); // nothing written; the commit only ends the locks
        }
        // Where an apply's time goes, logged at the end (docs/performance.md).
        PhaseTimes times = new PhaseTimes();
        long done = 0;
        UUID id = batch.id;
        boolean groups = batch.touchesGroups();
        if (groups) {
            done += GroupWriter.insertPlanned(write, id);
            done += GroupWriter.updatePlanned(write, id);
            times.lap("groups");
        }
        done += UserWriter.insertPlanned(write, id);
        if (batch.syncSourceId != null && batch.countCreate > 0) {
            UserWriter.markCreatingSource(write, batch.syncSourceId, id);
        }
        times.lap("creates");
        done += UserWriter.updatePlanned(write, id);
        times.lap("updates");
        done += UserWriter.deletePlanned(write, id);
        times.lap("deletes");
        if (done >= BatchPlanning.ANALYZE_ROWS) {
            // Before the membership and manager statements too: they join the users just created.
            BatchPlanning.analyze(write, "directory_user");
            times.lap("analyze");
        }
        if (groups) {
            String addedBy = actor.name();
            MembershipWriter.applyPlanned(write, id, addedBy);
            done += MembershipWriter.bumpPlannedMembers(write, id);
            done += GroupWriter.deletePlanned(write, id);
            times.lap("memberships");
        }
        Schedule schedule = scheduleSettings.at(clock.instant());
        if (batch.revertsBatch != null) {
            ScheduledChanges.cancelOfBatch(write, batch.revertsBatch, id, schedule);
        }
        ScheduledChanges.followDates(write, id, schedule);
        if (batch.operation == Operation.SCHEDULED) {
            ScheduledChanges.markRun(write, id, schedule);
        }
        times.lap("dated changes");
        if (batch.countManagerChange > 0) {
            UserWriter.setPlannedManagers(write, id);
            times.lap("managers");
        }
        long mails = links.issueAll(write, linkRequests(read, batch.id));
        times.lap("links+outbox(" + mails + ")");
        long[] audited = { 0 };
        long base = done;
        long events = audit.recordAll(write, actor, auditDrafts.of(read, batch, n -> {
            audited[0] = n;
            // Progress counts changes fully done: written, linked and audited.
            progress.done(n);
        }));
        times.lap("audit(" + events + ")");
        long owed = owedInvitations.release(write, actor, batch.id);
        times.lap("invitations on activation(" + owed + ")");
        transitions.applied(write, batch.id);
        times.lap("marked applied");
        Log.infof("apply of batch %s: %s", batch.id, times);
        return new Outcome(true, List.of(), base + audited[0]);
    }

    /** The stale rows of a plan as of now (without locks, for a quick answer before the real apply). */
    public List<ApplyConflict> precheck(Batch batch) {
        return jdbc.inTransaction(c -> StalePlanCheck.find(c, batch));
    }

    private static void lock(Connection c, UUID batchId) throws SQLException {
        // The batch's own lock first: while this apply waits for another one to finish, the lock
        // shows that it is alive, so it is not taken for an interrupted apply.
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?::text))")) {
            ps.setInt(1, BATCH_LOCK_SPACE);
            ps.setString(2, batchId.toString());
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, APPLY_LOCK);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement(ApplySql.LOCK_TARGETS)) {
            ps.setObject(1, batchId);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement(ApplySql.LOCK_GROUPS)) {
            ps.setObject(1, batchId);
            ps.execute();
        }
    }

    /** Invitations (creates with send_invite and no imported password) and resets, in file order. */
    private Iterator<LinkRequest> linkRequests(Connection read, UUID batchId) throws SQLException {
        PlanPages pages = new PlanPages(read, """
                SELECT p.line, p.kind, coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)),
                       coalesce(u.email, (SELECT f->>'after' FROM jsonb_array_elements(p.fields) f WHERE f->>'name' = 'email')),
                       coalesce(u.display_name, nullif(trim(coalesce(u.given_name, '') || ' ' || coalesce(u.family_name, '')), ''),
                                (SELECT string_agg(f->>'after', ' ' ORDER BY f->>'name' DESC) FROM jsonb_array_elements(p.fields) f
                                  WHERE f->>'name' IN ('given_name', 'family_name')))
                  -- a probe per reset's user (LIMIT: never flattened into a join, which hashed the whole directory for a plan of creates)
                  FROM plan_item p LEFT JOIN LATERAL (SELECT email, display_name, given_name, family_name FROM directory_user
                                                       WHERE p.user_id IS NOT NULL AND id = p.user_id LIMIT 1) u ON true
                 WHERE p.batch_id = ? AND p.line > ?
                   AND (p.kind = 'RESET' OR (p.kind = 'CREATE' AND """ + ApplySql.INVITES_AT_CREATE + """
                   ))
                   -- the plan never asks a link for a user without email (decisions/0031); never mail a null address
                   AND coalesce(u.email, (SELECT f->>'after' FROM jsonb_array_elements(p.fields) f WHERE f->>'name' = 'email'))
                       IS NOT NULL
                 ORDER BY p.line LIMIT ?""", batchId, 1000);
        return new CursorIterator<>(pages, r -> new LinkRequest(r.getObject(3, UUID.class), r.getString(4),
                r.getString(5), "RESET".equals(r.getString(2)) ? TokenPurpose.RESET : TokenPurpose.INVITE, batchId));
    }

    /** Milliseconds per phase of one apply, for the log. */
    private static final class PhaseTimes {
        private final StringBuilder text = new StringBuilder();
        private long last = System.nanoTime();

        void lap(String phase) {
            long now = System.nanoTime();
            text.append(text.length() == 0 ? "" : ", ").append(phase).append(' ').append((now - last) / 1_000_000).append(" ms");
            last = now;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** Reads one row per element from a plan's pages; closes them at the end. */
    private static final class CursorIterator<T> implements Iterator<T> {
        interface RowMapper<T> {
            T map(ResultSet rs) throws SQLException;
        }

        private final PlanPages pages;
        private final RowMapper<T> mapper;
        private Boolean ready;

        CursorIterator(PlanPages pages, RowMapper<T> mapper) {
            this.pages = pages;
            this.mapper = mapper;
        }

        @Override
        public boolean hasNext() {
            if (ready == null) {
                try {
                    ready = pages.next();
                } catch (SQLException e) {
                    throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
                }
            }
            return ready;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = null;
            try {
                return mapper.map(pages.row());
            } catch (SQLException e) {
                throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
            }
        }
    }
}
