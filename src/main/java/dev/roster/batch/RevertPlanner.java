package dev.roster.batch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.sql.Jdbc;
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

    @Inject
    Jdbc jdbc;
    @Inject
    BatchService batches;
    @Inject
    BatchTransitions transitions;

    /** Plans the undo of an applied batch and returns the new batch's id. */
    public UUID planRevert(UUID batchId, Operator who) {
        Batch original = batches.find(batchId);
        if (!original.applied()) {
            throw new ClientErrorException("Only an applied batch can be reverted; this one is " + original.status + ".", 409);
        }
        if (original.revertedByBatch != null) {
            throw new ClientErrorException("This batch was reverted already by batch " + original.revertedByBatch + ".", 409);
        }
        UUID id = UUID.randomUUID();
        jdbc.runInTransaction(c -> {
            transitions.startRevert(c, id, batchId, who);
            Jdbc.update(c, REVERT_ITEMS, id, batchId);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("reverts", batchId.toString());
            details.put("fileName", "revert of " + original.fileName);
            transitions.revertPlanned(c, id, details, who);
        });
        return id;
    }
}
