package dev.roster.batch;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.reset.LinkRequest;
import dev.roster.reset.PasswordLinks;
import dev.roster.reset.TokenPurpose;
import io.agroal.api.AgroalDataSource;
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
    private static final TypeReference<List<Map<String, String>>> FIELDS = new TypeReference<>() {
    };

    /** What an apply did: committed, or refused because the plan is stale. */
    public record Outcome(boolean applied, List<ApplyConflict> conflicts, long changes) {
    }

    /** Receives progress (changes done, of the batch's changes) while an apply runs. */
    public interface Progress {
        void done(long rows);
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    AuditTrail audit;
    @Inject
    PasswordLinks links;
    @Inject
    ApplyFaults faults;

    public Outcome apply(Batch batch, AuditActor actor, Progress progress) {
        try (Connection write = dataSource.getConnection(); Connection read = dataSource.getConnection()) {
            write.setAutoCommit(false);
            read.setAutoCommit(false);
            try {
                lock(write, batch.id);
                List<ApplyConflict> conflicts = conflicts(write, batch.id);
                if (!conflicts.isEmpty()) {
                    write.rollback();
                    return new Outcome(false, conflicts, 0);
                }
                faults.pause("locked", batch.id);
                // Where an apply's time goes, logged at the end (docs/performance.md).
                PhaseTimes times = new PhaseTimes();
                long done = 0;
                done += update(write, ApplySql.INSERT_CREATES, batch.id);
                times.lap("creates");
                done += update(write, ApplySql.APPLY_UPDATES, batch.id);
                times.lap("updates");
                done += update(write, ApplySql.APPLY_DELETES, batch.id);
                times.lap("deletes");
                faults.pause("written", batch.id);
                if (done >= BatchPlanning.ANALYZE_ROWS) {
                    BatchPlanning.analyze(write, "directory_user");
                    times.lap("analyze");
                }
                long mails = links.issueAll(write, linkRequests(read, batch.id));
                times.lap("links+outbox(" + mails + ")");
                faults.pause("linked", batch.id);
                long[] audited = { 0 };
                long base = done;
                long events = audit.recordAll(write, actor, drafts(read, batch, n -> {
                    audited[0] = n;
                    // Progress counts changes fully done: written, linked and audited.
                    progress.done(n);
                }));
                times.lap("audit(" + events + ")");
                read.commit();
                faults.pause("audited", batch.id);
                markApplied(write, batch.id, actor);
                write.commit();
                times.lap("commit");
                Log.infof("apply of batch %s: %s", batch.id, times);
                return new Outcome(true, List.of(), base + audited[0]);
            } catch (SQLException e) {
                write.rollback();
                if ("23505".equals(e.getSQLState())) {
                    // A user created or renamed since the plan took a key this plan needs.
                    return new Outcome(false, List.of(new ApplyConflict(0, "CREATE", null, null, null, null,
                            "an email or external id this plan sets now belongs to another user (" + e.getMessage()
                                    + "); re-plan the batch")), 0);
                }
                throw new IllegalStateException("apply failed: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                write.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("apply failed: " + e.getMessage(), e);
        }
    }

    /** The stale rows of a plan as of now (without locks, for a quick answer before the real apply). */
    public List<ApplyConflict> precheck(UUID batchId) {
        try (Connection c = dataSource.getConnection()) {
            return conflicts(c, batchId);
        } catch (SQLException e) {
            throw new IllegalStateException("could not check the plan: " + e.getMessage(), e);
        }
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
    }

    private static List<ApplyConflict> conflicts(Connection c, UUID batchId) throws SQLException {
        List<ApplyConflict> conflicts = new ArrayList<>();
        for (String sql : List.of(ApplySql.STALE_TARGETS, ApplySql.TAKEN_EMAILS, ApplySql.TAKEN_EXTERNAL_IDS)) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        conflicts.add(conflict(rs, sql));
                    }
                }
            }
        }
        conflicts.sort((a, b) -> Long.compare(a.line(), b.line()));
        return conflicts;
    }

    private static ApplyConflict conflict(ResultSet rs, String sql) throws SQLException {
        long line = rs.getLong(1);
        String kind = rs.getString(2);
        String key = rs.getString(3);
        UUID userId = rs.getObject(4, UUID.class);
        Long planned = rs.getObject(5) == null ? null : rs.getLong(5);
        Long current = rs.getObject(6) == null ? null : rs.getLong(6);
        String reason;
        if (sql == ApplySql.STALE_TARGETS) {
            reason = current == null ? "the user no longer exists"
                    : "the user changed since the plan (version " + planned + " then, " + current + " now; status "
                            + rs.getString(7) + ", email " + rs.getString(8) + ")";
        } else if (sql == ApplySql.TAKEN_EMAILS) {
            reason = "email " + rs.getString(8) + " now belongs to an existing user (" + userId + ")";
        } else {
            reason = "the external id now belongs to an existing user (" + userId + ", " + rs.getString(8) + ")";
        }
        return new ApplyConflict(line, kind, key, userId, planned, current, reason);
    }

    private static long update(Connection c, String sql, UUID batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, batchId);
            return ps.executeUpdate();
        }
    }

    private static void markApplied(Connection c, UUID batchId, AuditActor actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE batch SET status = 'APPLIED', applied_at = now(), conflicts = '[]'::jsonb, failure = NULL,
                                 progress_done = progress_total, updated_at = now()
                 WHERE id = ? AND status = 'APPLYING'""")) {
            ps.setObject(1, batchId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("batch " + batchId + " left APPLYING during its apply");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE batch SET reverted_by_batch = ?, updated_at = now()
                 WHERE id = (SELECT reverts_batch FROM batch WHERE id = ?)""")) {
            ps.setObject(1, batchId);
            ps.setObject(2, batchId);
            ps.executeUpdate();
        }
    }

    /** Invitations (creates with send_invite and no imported password) and resets, in file order. */
    private Iterator<LinkRequest> linkRequests(Connection read, UUID batchId) throws SQLException {
        PreparedStatement ps = read.prepareStatement("""
                SELECT p.kind, coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)),
                       coalesce(u.email, (SELECT f->>'after' FROM jsonb_array_elements(p.fields) f WHERE f->>'name' = 'email')),
                       coalesce(u.display_name, nullif(trim(coalesce(u.given_name, '') || ' ' || coalesce(u.family_name, '')), ''),
                                (SELECT string_agg(f->>'after', ' ' ORDER BY f->>'name' DESC) FROM jsonb_array_elements(p.fields) f
                                  WHERE f->>'name' IN ('given_name', 'family_name')))
                  FROM plan_item p LEFT JOIN directory_user u ON u.id = p.user_id
                 WHERE p.batch_id = ?
                   AND (p.kind = 'RESET' OR (p.kind = 'CREATE' AND p.send_invite AND p.password_hash IS NULL))
                 ORDER BY p.line""");
        ps.setFetchSize(1000);
        ps.setObject(1, batchId);
        ResultSet rs = ps.executeQuery();
        return new CursorIterator<>(ps, rs, r -> new LinkRequest(r.getObject(2, UUID.class), r.getString(3),
                r.getString(4), "RESET".equals(r.getString(1)) ? TokenPurpose.RESET : TokenPurpose.INVITE, batchId));
    }

    /** One audit event per change (two for an invited create), then batch.applied, in file order. */
    private Iterator<AuditEventDraft> drafts(Connection read, Batch batch, Progress progress) throws SQLException {
        PreparedStatement ps = read.prepareStatement("""
                SELECT p.line, p.kind, coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)), p.fields::text,
                       p.send_invite AND p.password_hash IS NULL, p.password_hash IS NOT NULL, u.email, u.status,
                       (SELECT f->>'after' FROM jsonb_array_elements(p.fields) f WHERE f->>'name' = 'email')
                  FROM plan_item p LEFT JOIN directory_user u ON u.id = p.user_id
                 WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET')
                 ORDER BY p.line""");
        ps.setFetchSize(2000);
        ps.setObject(1, batch.id);
        ResultSet rs = ps.executeQuery();
        Deque<AuditEventDraft> pending = new ArrayDeque<>();
        long[] rows = { 0 };
        boolean[] closed = { false };
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (!pending.isEmpty()) {
                    return true;
                }
                if (closed[0]) {
                    return false;
                }
                try {
                    if (rs.next()) {
                        readRow();
                    } else {
                        rs.close();
                        ps.close();
                        closed[0] = true;
                        pending.add(appliedEvent(batch, rows[0]));
                        if (batch.revertsBatch != null) {
                            pending.add(new AuditEventDraft(AuditAction.BATCH_REVERTED, null, null, batch.revertsBatch,
                                    Map.of("revertedBy", batch.id.toString())));
                        }
                    }
                } catch (SQLException | IOException e) {
                    throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
                }
                return !pending.isEmpty();
            }

            @Override
            public AuditEventDraft next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.poll();
            }

            private void readRow() throws SQLException, IOException {
                long line = rs.getLong(1);
                faults.check(line);
                String kind = rs.getString(2);
                UUID userId = rs.getObject(3, UUID.class);
                List<Map<String, String>> fields = json.readValue(rs.getString(4), FIELDS);
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("line", line);
                switch (kind) {
                    case "CREATE" -> {
                        details.put("fields", fields);
                        if (rs.getBoolean(6)) {
                            details.put("passwordImported", true);
                        }
                        String email = rs.getString(9);
                        pending.add(new AuditEventDraft(AuditAction.USER_CREATED, userId, email, batch.id, details));
                        if (rs.getBoolean(5)) {
                            pending.add(new AuditEventDraft(AuditAction.INVITE_ISSUED, userId, email, batch.id,
                                    Map.of("line", line)));
                        }
                    }
                    case "UPDATE" -> {
                        details.put("fields", fields);
                        pending.add(new AuditEventDraft(AuditAction.USER_UPDATED, userId, rs.getString(7), batch.id, details));
                    }
                    case "DELETE" -> {
                        details.put("statusBefore", rs.getString(8));
                        pending.add(new AuditEventDraft(AuditAction.USER_DELETED, userId, rs.getString(7), batch.id, details));
                    }
                    default -> pending.add(new AuditEventDraft(AuditAction.PASSWORD_RESET_ISSUED, userId, rs.getString(7),
                            batch.id, details));
                }
                rows[0]++;
                if (rows[0] % 1000 == 0) {
                    progress.done(rows[0]);
                }
            }
        };
    }

    private static AuditEventDraft appliedEvent(Batch batch, long rows) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fileName", batch.fileName);
        details.put("sha256", batch.sha256);
        details.put("changes", rows);
        details.put("create", batch.countCreate);
        details.put("update", batch.countUpdate);
        details.put("delete", batch.countDelete);
        details.put("reset", batch.countReset);
        details.put("skippedErrors", batch.countError);
        return new AuditEventDraft(AuditAction.BATCH_APPLIED, null, null, batch.id, details);
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

    /** Reads one row per element from an open cursor; closes it at the end. */
    private static final class CursorIterator<T> implements Iterator<T> {
        interface RowMapper<T> {
            T map(ResultSet rs) throws SQLException;
        }

        private final PreparedStatement statement;
        private final ResultSet rs;
        private final RowMapper<T> mapper;
        private Boolean ready;

        CursorIterator(PreparedStatement statement, ResultSet rs, RowMapper<T> mapper) {
            this.statement = statement;
            this.rs = rs;
            this.mapper = mapper;
        }

        @Override
        public boolean hasNext() {
            if (ready == null) {
                try {
                    ready = rs.next();
                    if (!ready) {
                        rs.close();
                        statement.close();
                    }
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
                return mapper.map(rs);
            } catch (SQLException e) {
                throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
            }
        }
    }
}
