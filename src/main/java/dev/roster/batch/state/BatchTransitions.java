package dev.roster.batch.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.plan.Operation;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The batch's state machine, its only home: every write of {@code batch.status} is here, as one
 * guarded statement ({@code WHERE status IN (...)}) on the caller's transaction, and every change an
 * admin must be able to find later writes its audit event on the same connection, so the change and
 * its event commit together or not at all. A method returns false (or throws) when the batch was not
 * in a state the change starts from.
 *
 * <pre>
 *   (upload, re-plan, revert) -> PLANNING -> PLANNED | REJECTED
 *   (upload of a header that needs a mapping) -> NEEDS_MAPPING -> PLANNING (mapped) | DISCARDED
 *   PLANNED | FAILED -> APPLYING -> APPLIED | FAILED | PLANNED (stale at apply time)
 *   PLANNING | PLANNED | REJECTED | FAILED -> DISCARDED (discard, or superseded by a re-plan)
 * </pre>
 *
 * Events: {@link #uploaded} batch.uploaded, {@link #mapped} batch.mapped, {@link #planned} and
 * {@link #revertPlanned} batch.planned, {@link #rejected} batch.rejected, {@link #approved} batch.approved,
 * {@link #discard} batch.discarded, {@link #replan} batch.uploaded (new) and batch.discarded (old),
 * {@link #failed} batch.failed. Four write none here, on purpose:
 * <ul>
 * <li>{@link #startUpload} and {@link #startRevert} insert a batch whose event follows in the same
 * transaction ({@link #uploaded}; a revert's batch.planned), once there is something to describe.</li>
 * <li>{@link #claimApply} (-> APPLYING) is a lock, not an outcome: the apply that follows ends in
 * {@link #applied}, {@link #failed} (batch.failed) or {@link #staleAtApply}, and the admin who applied
 * is the actor of the event that ends it. An event for the claim would only say "started".</li>
 * <li>{@link #applied} (-> APPLIED): batch.applied is one of the apply's own events, which
 * batch/apply/ApplyAuditDrafts builds with the per-user events and ApplyEngine appends, set-based,
 * on the same connection before this call; writing it here would split the counts it carries.</li>
 * <li>{@link #staleAtApply} (APPLYING -> PLANNED): nothing was written to the directory; the conflicts
 * are stored on the batch for its page, and the admin is answered with them.</li>
 * </ul>
 */
@ApplicationScoped
public class BatchTransitions {

    @Inject
    AuditTrail audit;
    @Inject
    ObjectMapper json;

    /**
     * A new batch for an upload, PLANNING with its file still to come (NEEDS_MAPPING when the header needs an
     * admin's mapping first), with what a sync file owns; no event until {@link #uploaded}.
     */
    public void startUpload(Connection c, UUID id, UploadRequest request, String fileName, boolean needsMapping)
            throws SQLException {
        UploadRequest.SyncOptions sync = request.sync();
        Operator who = request.who();
        Jdbc.update(c, """
                INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by, created_by_name,
                                   create_groups, sync_source_id, sync_scope, sync_absent)
                VALUES (?, ?, ?, ?, ?, '', 0, ?, ?, ?, ?, ?, ?)""", id, request.operation().name(), request.matchBy().name(),
                needsMapping ? BatchStatus.NEEDS_MAPPING.name() : BatchStatus.PLANNING.name(), fileName, who.id(),
                who.name(), request.createGroups(), sync.sourceId(), sync.scope() == null ? null : sync.scope().stored(),
                request.operation() == Operation.SYNC ? sync.absent().name() : null);
    }

    /** NEEDS_MAPPING -> PLANNING once an admin confirmed a mapping, and batch.mapped; false when it was no longer waiting. */
    public boolean mapped(Connection c, UUID id, Map<String, Object> details, Operator who) throws SQLException {
        if (Jdbc.update(c, """
                UPDATE batch SET status = 'PLANNING', updated_at = now() WHERE id = ? AND status = 'NEEDS_MAPPING'""", id) != 1) {
            return false;
        }
        event(c, who.actor(), AuditAction.BATCH_MAPPED, id, details);
        return true;
    }

    /** The file is stored: records its hash and size and the batch.uploaded event. */
    public void uploaded(Connection c, UUID id, String sha256, long size, Map<String, Object> details, Operator who)
            throws SQLException {
        guard(Jdbc.update(c, "UPDATE batch SET sha256 = ?, size_bytes = ? WHERE id = ? AND status IN ('PLANNING', 'NEEDS_MAPPING')",
                sha256, size, id), id, "PLANNING");
        event(c, who.actor(), AuditAction.BATCH_UPLOADED, id, details);
    }

    /** Drops a batch that was not applied, and its plan; false when it is in no state to be discarded. */
    public boolean discard(Connection c, UUID id, Operator who) throws SQLException {
        if (Jdbc.update(c, """
                UPDATE batch SET status = 'DISCARDED', updated_at = now(), planning_heartbeat = NULL
                 WHERE id = ? AND status IN ('PLANNING', 'PLANNED', 'REJECTED', 'FAILED', 'NEEDS_MAPPING')""", id) != 1) {
            return false;
        }
        Jdbc.update(c, "DELETE FROM plan_item WHERE batch_id = ?", id);
        event(c, who.actor(), AuditAction.BATCH_DISCARDED, id, Map.of());
        return true;
    }

    /**
     * Plans a PLANNED or FAILED batch's stored file again as a new PLANNING batch linked to it (its
     * uploader is whoever re-plans); the old batch is discarded. False when the old one changed state.
     */
    public boolean replan(Connection c, UUID old, UUID fresh, String fileName, Operator who) throws SQLException {
        if (Jdbc.update(c, """
                UPDATE batch SET status = 'DISCARDED', failure = coalesce(failure, 'superseded by re-plan ' || ?),
                                 updated_at = now() WHERE id = ? AND status IN ('PLANNED', 'FAILED')""",
                fresh.toString(), old) != 1) {
            return false;
        }
        Jdbc.update(c, """
                INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by, created_by_name,
                                   replans_batch, create_groups, source_format, source_format_label, column_mapping,
                                   mapping_choice, mapping_profile_id, mapping_profile)
                SELECT ?, operation, match_by, 'PLANNING', file_name, sha256, size_bytes, ?, ?, id, create_groups, source_format,
                       source_format_label, column_mapping, mapping_choice, mapping_profile_id, mapping_profile
                  FROM batch WHERE id = ?""",
                fresh, who.id(), who.name(), old);
        BatchFileStore.copy(c, old, fresh);
        Jdbc.update(c, "DELETE FROM plan_item WHERE batch_id = ?", old);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("replans", old.toString());
        details.put("fileName", fileName);
        event(c, who.actor(), AuditAction.BATCH_UPLOADED, fresh, details);
        event(c, who.actor(), AuditAction.BATCH_DISCARDED, old, Map.of("supersededBy", fresh.toString()));
        return true;
    }

    /** The plan's totals, as planning counted them. */
    public record Totals(long rows, long create, long update, long delete, long reset, long unchanged, long error,
            long warning, List<String> fileWarnings, GroupTotals groups) {

        public Totals(long rows, long create, long update, long delete, long reset, long unchanged, long error,
                long warning, List<String> fileWarnings) {
            this(rows, create, update, delete, reset, unchanged, error, warning, fileWarnings, GroupTotals.NONE);
        }
    }

    /** The group totals of a plan (docs/groups.md). */
    public record GroupTotals(long groupCreate, long groupUpdate, long groupDelete, long memberRows, long membershipAdd,
            long membershipRemove, long groupDeleteMembers, long managerChange) {
        public static final GroupTotals NONE = new GroupTotals(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** PLANNING -> PLANNED with the plan's totals, and batch.planned. */
    public void planned(Connection c, UUID id, Totals t, Map<String, Object> details, AuditActor actor) throws SQLException {
        guard(Jdbc.update(c, """
                UPDATE batch SET status = 'PLANNED', row_count = ?, count_create = ?, count_update = ?, count_delete = ?,
                                 count_reset = ?, count_unchanged = ?, count_error = ?, count_warning = ?,
                                 warnings = ?::jsonb, progress_done = ?, progress_total = ?, planned_at = now(),
                                 planning_heartbeat = NULL, updated_at = now()
                 WHERE id = ? AND status = 'PLANNING'""", t.rows(), t.create(), t.update(), t.delete(), t.reset(),
                t.unchanged(), t.error(), t.warning(), toJson(t.fileWarnings()), t.rows(), t.rows(), id), id, "PLANNING");
        GroupTotals g = t.groups();
        Jdbc.update(c, """
                UPDATE batch SET count_group_create = ?, count_group_update = ?, count_group_delete = ?, count_member_rows = ?,
                                 count_membership_add = ?, count_membership_remove = ?, count_group_delete_members = ?,
                                 count_manager_change = ?
                 WHERE id = ?""", g.groupCreate(), g.groupUpdate(), g.groupDelete(), g.memberRows(), g.membershipAdd(),
                g.membershipRemove(), g.groupDeleteMembers(), g.managerChange(), id);
        event(c, actor, AuditAction.BATCH_PLANNED, id, details);
    }

    /** PLANNING -> REJECTED with the reason, and batch.rejected; false when it was no longer planning. */
    public boolean rejected(Connection c, UUID id, String message, boolean fileRefused, AuditActor actor)
            throws SQLException {
        if (Jdbc.update(c, """
                UPDATE batch SET status = 'REJECTED', error = ?, planning_heartbeat = NULL, updated_at = now()
                 WHERE id = ? AND status = 'PLANNING'""", message, id) != 1) {
            return false;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("error", message);
        details.put("fileRefused", fileRefused);
        event(c, actor, AuditAction.BATCH_REJECTED, id, details);
        return true;
    }

    /** A revert of an applied batch, PLANNING until {@link #revertPlanned} counts its plan. */
    public void startRevert(Connection c, UUID id, UUID original, Operator who) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by,
                                   created_by_name, reverts_batch)
                SELECT ?, 'MIXED', match_by, 'PLANNING', 'revert of ' || file_name, sha256, 0, ?, ?, id
                  FROM batch WHERE id = ? AND status = 'APPLIED'""", id, who.id(), who.name(), original);
    }

    /** A day's due dated changes as a batch of Roster's own (#26), PLANNING until {@link #revertPlanned} counts it. */
    public void startScheduled(Connection c, UUID id, String fileName, Operator who) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by, created_by_name)
                VALUES (?, 'SCHEDULED', 'EMAIL', 'PLANNING', ?, '', 0, ?, ?)""", id, fileName, who.id(), who.name());
    }

    /**
     * PLANNING -> PLANNED for a batch whose plan items Roster wrote itself (a revert, a day's scheduled changes),
     * totals counted from its plan items, and batch.planned.
     */
    public void revertPlanned(Connection c, UUID id, Map<String, Object> details, Operator who) throws SQLException {
        guard(Jdbc.update(c, """
                UPDATE batch b SET status = 'PLANNED', planned_at = now(), updated_at = now(),
                       row_count = t.total, count_create = t.c, count_update = t.u, count_delete = t.d, count_reset = t.r,
                       count_unchanged = t.n, count_error = t.e, progress_done = t.total, progress_total = t.total
                  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE kind = 'CREATE') AS c,
                               count(*) FILTER (WHERE kind = 'UPDATE') AS u, count(*) FILTER (WHERE kind = 'DELETE') AS d,
                               count(*) FILTER (WHERE kind = 'RESET') AS r, count(*) FILTER (WHERE kind = 'UNCHANGED') AS n,
                               count(*) FILTER (WHERE kind = 'ERROR') AS e
                          FROM plan_item WHERE batch_id = ?) t
                 WHERE b.id = ? AND b.status = 'PLANNING'""", id, id), id, "PLANNING");
        Jdbc.update(c, """
                UPDATE batch b SET count_group_create = t.gc, count_group_update = t.gu, count_group_delete = t.gd,
                       count_member_rows = t.m, count_membership_add = t.ma, count_membership_remove = t.mr,
                       count_group_delete_members = t.gdm, count_manager_change = t.mc
                  FROM (SELECT count(*) FILTER (WHERE kind IN ('CREATE', 'UPDATE')
                                                  AND fields @> '[{"name": "manager"}]'::jsonb) AS mc, count(*) FILTER (WHERE kind = 'GROUP_CREATE') AS gc,
                               count(*) FILTER (WHERE kind = 'GROUP_UPDATE') AS gu,
                               count(*) FILTER (WHERE kind = 'GROUP_DELETE') AS gd,
                               count(*) FILTER (WHERE kind IN ('MEMBER_ADD', 'MEMBER_REMOVE')) AS m,
                               count(*) FILTER (WHERE kind = 'MEMBER_ADD')
                                 + coalesce(sum(roster_group_set_changes(fields, true)) FILTER (WHERE kind IN ('CREATE', 'UPDATE')), 0) AS ma,
                               count(*) FILTER (WHERE kind = 'MEMBER_REMOVE')
                                 + coalesce(sum(roster_group_set_changes(fields, false)) FILTER (WHERE kind IN ('CREATE', 'UPDATE')), 0) AS mr,
                               coalesce(sum((SELECT (f->>'before')::bigint FROM jsonb_array_elements(fields) f
                                              WHERE f->>'name' = 'members')) FILTER (WHERE kind = 'GROUP_DELETE'), 0) AS gdm
                          FROM plan_item WHERE batch_id = ?) t
                 WHERE b.id = ?""", id, id);
        event(c, who.actor(), AuditAction.BATCH_PLANNED, id, details);
    }

    /** A second operator's approval of a PLANNED batch (four-eyes), and batch.approved. */
    public boolean approved(Connection c, UUID id, String fileName, Operator who) throws SQLException {
        if (Jdbc.update(c, """
                UPDATE batch SET approved_by = ?, approved_by_name = ?, approved_at = now(), updated_at = now()
                 WHERE id = ? AND status = 'PLANNED'""", who.id(), who.name(), id) != 1) {
            return false;
        }
        event(c, who.actor(), AuditAction.BATCH_APPROVED, id, Map.of("fileName", fileName));
        return true;
    }

    /**
     * PLANNED | FAILED -> APPLYING: the claim that makes an apply happen at most once; no event of its own (the
     * apply's end writes it, see the class comment).
     */
    public boolean claimApply(Connection c, Batch batch, boolean skipErrors, String overrideReason, Operator who)
            throws SQLException {
        return Jdbc.update(c, """
                UPDATE batch SET status = 'APPLYING', applied_by = ?, applied_by_name = ?, apply_started_at = now(),
                                 skip_errors = ?, override_reason = ?, failure = NULL, conflicts = '[]'::jsonb,
                                 progress_done = 0, progress_total = ?, updated_at = now()
                 WHERE id = ? AND status IN ('PLANNED', 'FAILED')""", who.id(), who.name(), skipErrors, overrideReason,
                batch.changeCount(), batch.id) == 1;
    }

    /**
     * APPLYING -> APPLIED inside the apply's own transaction (its batch.applied event is among the
     * apply's events, written before on the same connection); marks the reverted batch too.
     */
    public void applied(Connection c, UUID id) throws SQLException {
        if (Jdbc.update(c, """
                UPDATE batch SET status = 'APPLIED', applied_at = now(), conflicts = '[]'::jsonb, failure = NULL,
                                 progress_done = progress_total, updated_at = now()
                 WHERE id = ? AND status = 'APPLYING'""", id) != 1) {
            throw new IllegalStateException("batch " + id + " left APPLYING during its apply");
        }
        Jdbc.update(c, """
                UPDATE batch SET reverted_by_batch = ?, updated_at = now()
                 WHERE id = (SELECT reverts_batch FROM batch WHERE id = ?)""", id, id);
    }

    /**
     * APPLYING -> PLANNED when the plan proved stale at apply time, with its conflicts; no event: nothing was
     * applied (see the class comment).
     */
    public void staleAtApply(Connection c, UUID id, List<ApplyConflict> conflicts) throws SQLException {
        storeConflicts(c, id, conflicts);
        Jdbc.update(c, "UPDATE batch SET status = 'PLANNED', failure = NULL, updated_at = now() WHERE id = ? AND status = 'APPLYING'",
                id);
    }

    /** APPLYING -> FAILED with the reason, and batch.failed; false when it was no longer applying. */
    public boolean failed(Connection c, UUID id, String failure, AuditActor actor) throws SQLException {
        if (Jdbc.update(c, "UPDATE batch SET status = 'FAILED', failure = ?, updated_at = now() WHERE id = ? AND status = 'APPLYING'",
                failure, id) != 1) {
            return false;
        }
        event(c, actor, AuditAction.BATCH_FAILED, id, Map.of("failure", failure));
        return true;
    }

    /** The stale rows found when an apply was refused, shown on the batch page (not a state change). */
    public void storeConflicts(Connection c, UUID id, List<ApplyConflict> conflicts) throws SQLException {
        Jdbc.update(c, "UPDATE batch SET conflicts = ?::jsonb WHERE id = ?", toJson(conflicts), id);
    }

    private void event(Connection c, AuditActor actor, String action, UUID batchId, Map<String, Object> details) {
        audit.record(c, actor, new AuditEventDraft(action, null, null, batchId, details));
    }

    private static void guard(int changed, UUID id, String expected) {
        if (changed != 1) {
            throw new IllegalStateException("batch " + id + " is no longer " + expected);
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
