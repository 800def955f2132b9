package dev.roster.batch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;

/**
 * Builds the plan that undoes an applied batch, as a new batch shown and confirmed like any other:
 * created users are deleted, updated fields go back to their before values, deleted users are
 * restored, resets are listed as not undoable. A user changed again since the batch is an error
 * row (a conflict), never overwritten. Computed in SQL from the batch's own plan.
 */
@ApplicationScoped
public class RevertPlanner {

    private static final String REVERT_ITEMS = """
            INSERT INTO plan_item (batch_id, line, kind, key, user_id, planned_version, fields, messages, has_warning,
                                   ord, kind_ord)
            SELECT r.*, row_number() OVER (ORDER BY r.line), row_number() OVER (PARTITION BY r.kind ORDER BY r.line)
              FROM (
            SELECT ?::uuid AS batch_id, p.line AS line,
                   CASE
                     WHEN p.kind = 'RESET' THEN 'UNCHANGED'
                     WHEN u.id IS NULL OR u.purged_at IS NOT NULL THEN 'ERROR'
                     WHEN p.kind = 'CREATE' AND u.status = 'DELETED' THEN 'UNCHANGED'
                     WHEN u.version <> coalesce(p.planned_version, 0) + 1 THEN 'ERROR'
                     WHEN p.kind = 'CREATE' THEN 'DELETE'
                     ELSE 'UPDATE'
                   END AS kind,
                   p.key, u.id, u.version,
                   CASE
                     WHEN p.kind = 'UPDATE' THEN (SELECT jsonb_agg(jsonb_build_object('name', f->>'name', 'before', f->'after',
                                                                                       'after', f->'before'))
                                                    FROM jsonb_array_elements(p.fields) f)
                     WHEN p.kind = 'DELETE' THEN jsonb_build_array(jsonb_build_object('name', 'status', 'before', 'DELETED',
                                                    'after', coalesce(u.status_before_delete, 'ACTIVE')))
                     ELSE '[]'::jsonb
                   END,
                   CASE
                     WHEN p.kind = 'RESET' THEN jsonb_build_array(jsonb_build_object('severity', 'NOTE', 'column', NULL,
                                                    'text', 'a password reset cannot be undone'))
                     WHEN u.id IS NULL OR u.purged_at IS NOT NULL THEN jsonb_build_array(jsonb_build_object('severity', 'ERROR',
                                                    'column', NULL, 'text', 'the user was purged since the batch'))
                     WHEN p.kind = 'CREATE' AND u.status = 'DELETED' THEN jsonb_build_array(jsonb_build_object(
                                                    'severity', 'NOTE', 'column', NULL, 'text', 'the user is deleted already'))
                     WHEN u.version <> coalesce(p.planned_version, 0) + 1 THEN jsonb_build_array(jsonb_build_object(
                                                    'severity', 'ERROR', 'column', NULL, 'text',
                                                    'the user changed again since the batch (version ' || u.version
                                                    || ', expected ' || (coalesce(p.planned_version, 0) + 1)
                                                    || '); not overwritten'))
                     WHEN p.kind = 'DELETE' THEN jsonb_build_array(jsonb_build_object('severity', 'NOTE', 'column', NULL,
                                                    'text', 'restores the deleted user'))
                     ELSE '[]'::jsonb
                   END,
                   false
              FROM plan_item p
              LEFT JOIN directory_user u ON u.id = coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line))
             WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET')) r""";

    private static final String TOTALS = """
            UPDATE batch b SET status = 'PLANNED', planned_at = now(), updated_at = now(),
                   row_count = t.total, count_create = t.c, count_update = t.u, count_delete = t.d, count_reset = t.r,
                   count_unchanged = t.n, count_error = t.e, progress_done = t.total, progress_total = t.total
              FROM (SELECT count(*) AS total, count(*) FILTER (WHERE kind = 'CREATE') AS c,
                           count(*) FILTER (WHERE kind = 'UPDATE') AS u, count(*) FILTER (WHERE kind = 'DELETE') AS d,
                           count(*) FILTER (WHERE kind = 'RESET') AS r, count(*) FILTER (WHERE kind = 'UNCHANGED') AS n,
                           count(*) FILTER (WHERE kind = 'ERROR') AS e
                      FROM plan_item WHERE batch_id = ?) t
             WHERE b.id = ?""";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    BatchService batches;
    @Inject
    AuditTrail audit;

    /** Plans the undo of an applied batch and returns the new batch's id. */
    public UUID planRevert(UUID batchId, UUID adminId, String adminName, AuditActor actor) {
        Batch original = batches.find(batchId);
        if (original.status != BatchStatus.APPLIED) {
            throw new ClientErrorException("Only an applied batch can be reverted; this one is " + original.status + ".", 409);
        }
        if (original.revertedByBatch != null) {
            throw new ClientErrorException("This batch was reverted already by batch " + original.revertedByBatch + ".", 409);
        }
        UUID id = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by,
                                       created_by_name, reverts_batch)
                    SELECT ?, 'MIXED', match_by, 'PLANNING', 'revert of ' || file_name, sha256, 0, ?, ?, id
                      FROM batch WHERE id = ?""")) {
                ps.setObject(1, id);
                ps.setObject(2, adminId);
                ps.setString(3, adminName);
                ps.setObject(4, batchId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(REVERT_ITEMS)) {
                ps.setObject(1, id);
                ps.setObject(2, batchId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(TOTALS)) {
                ps.setObject(1, id);
                ps.setObject(2, id);
                ps.executeUpdate();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("reverts", batchId.toString());
            details.put("fileName", "revert of " + original.fileName);
            audit.record(c, actor, new AuditEventDraft(AuditAction.BATCH_PLANNED, null, null, id, details));
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not plan the revert: " + e.getMessage(), e);
        }
        return id;
    }
}
