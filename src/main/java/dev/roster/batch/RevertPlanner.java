package dev.roster.batch;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.directory.IdentifierHolders;
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
                                   group_id, ord, kind_ord)
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
                   false, NULL::uuid
              FROM plan_item p
              LEFT JOIN directory_user u ON u.id = coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line))
             WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET')
            UNION ALL
            SELECT ?::uuid, p.line,
                   CASE
                     WHEN g.id IS NULL OR g.version <> coalesce(p.planned_version, 0) + 1 THEN 'ERROR'
                     WHEN p.kind = 'GROUP_CREATE' AND g.deleted_at IS NOT NULL THEN 'UNCHANGED'
                     WHEN p.kind = 'GROUP_DELETE' AND EXISTS (SELECT 1 FROM user_group o WHERE o.deleted_at IS NULL
                                                                 AND lower(o.name) = lower(g.name) AND o.id <> g.id) THEN 'ERROR'
                     WHEN p.kind = 'GROUP_CREATE' THEN 'GROUP_DELETE'
                     ELSE 'GROUP_UPDATE'
                   END,
                   p.key, NULL::uuid, g.version,
                   CASE
                     WHEN p.kind = 'GROUP_UPDATE' THEN (SELECT jsonb_agg(jsonb_build_object('name', f->>'name', 'before', f->'after',
                                                                                             'after', f->'before'))
                                                          FROM jsonb_array_elements(p.fields) f)
                     WHEN p.kind = 'GROUP_DELETE' THEN jsonb_build_array(
                                                    jsonb_build_object('name', 'name', 'before', g.name, 'after', g.name),
                                                    jsonb_build_object('name', 'status', 'before', 'DELETED', 'after', 'ACTIVE'))
                     ELSE jsonb_build_array(jsonb_build_object('name', 'name', 'before', g.name, 'after', NULL),
                                            jsonb_build_object('name', 'members', 'after', NULL, 'before',
                                                (SELECT count(*) FROM group_membership m JOIN directory_user mu ON mu.id = m.user_id
                                                  WHERE m.group_id = g.id AND mu.status <> 'DELETED')::text))
                   END,
                   CASE
                     WHEN g.id IS NULL THEN jsonb_build_array(jsonb_build_object('severity', 'ERROR', 'column', NULL,
                                                    'text', 'the group no longer exists'))
                     WHEN g.version <> coalesce(p.planned_version, 0) + 1 THEN jsonb_build_array(jsonb_build_object(
                                                    'severity', 'ERROR', 'column', NULL, 'text',
                                                    'the group changed again since the batch (version ' || g.version
                                                    || ', expected ' || (coalesce(p.planned_version, 0) + 1)
                                                    || '); not overwritten'))
                     WHEN p.kind = 'GROUP_CREATE' AND g.deleted_at IS NOT NULL THEN jsonb_build_array(jsonb_build_object(
                                                    'severity', 'NOTE', 'column', NULL, 'text', 'the group is deleted already'))
                     WHEN p.kind = 'GROUP_DELETE' AND EXISTS (SELECT 1 FROM user_group o WHERE o.deleted_at IS NULL
                                                                 AND lower(o.name) = lower(g.name) AND o.id <> g.id)
                          THEN jsonb_build_array(jsonb_build_object('severity', 'ERROR', 'column', NULL, 'text',
                                                    'another group is called "' || g.name || '" now; rename it to restore this one'))
                     WHEN p.kind = 'GROUP_DELETE' THEN jsonb_build_array(jsonb_build_object('severity', 'NOTE', 'column', NULL,
                                                    'text', 'restores the deleted group with its memberships'))
                     ELSE '[]'::jsonb
                   END,
                   false, g.id
              FROM plan_item p
              LEFT JOIN user_group g ON g.id = coalesce(p.group_id, roster_created_user_id(p.batch_id, p.line))
             WHERE p.batch_id = ? AND p.kind IN ('GROUP_CREATE', 'GROUP_UPDATE', 'GROUP_DELETE')
            UNION ALL
            SELECT ?::uuid, p.line,
                   CASE
                     WHEN u.id IS NULL OR u.purged_at IS NOT NULL OR u.version <> p.planned_version + 1 THEN 'ERROR'
                     WHEN p.kind = 'MEMBER_ADD' THEN 'MEMBER_REMOVE'
                     ELSE 'MEMBER_ADD'
                   END,
                   p.key, u.id, u.version,
                   (SELECT jsonb_agg(jsonb_build_object('name', f->>'name', 'before', f->'after', 'after', f->'before'))
                      FROM jsonb_array_elements(p.fields) f),
                   CASE
                     WHEN u.id IS NULL OR u.purged_at IS NOT NULL THEN jsonb_build_array(jsonb_build_object('severity', 'ERROR',
                                                    'column', NULL, 'text', 'the user was purged since the batch'))
                     WHEN u.version <> p.planned_version + 1 THEN jsonb_build_array(jsonb_build_object(
                                                    'severity', 'ERROR', 'column', NULL, 'text',
                                                    'the user changed again since the batch (version ' || u.version
                                                    || ', expected ' || (p.planned_version + 1) || '); not overwritten'))
                     ELSE '[]'::jsonb
                   END,
                   false,
                   coalesce(p.group_id, (SELECT roster_created_user_id(c.batch_id, c.line) FROM plan_item c
                                          WHERE c.batch_id = p.batch_id AND c.kind = 'GROUP_CREATE'
                                            AND c.key = lower(p.fields->0->>'after')))
              FROM plan_item p
              LEFT JOIN directory_user u ON u.id = p.user_id
             WHERE p.batch_id = ? AND p.kind IN ('MEMBER_ADD', 'MEMBER_REMOVE')) r""";

    @Inject
    Jdbc jdbc;
    @Inject
    BatchService batches;
    @Inject
    BatchTransitions transitions;

    /**
     * The users this batch deleted come back on a revert: refused before anything is planned when another user has
     * taken one of their identifiers since (a deleted user frees them, decisions/0031), naming the holders.
     */
    private static void refuseTakenIdentifiers(Connection c, UUID batchId) throws SQLException {
        List<UUID> deleted = Jdbc.list(c, "SELECT user_id FROM plan_item WHERE batch_id = ? AND kind = 'DELETE' "
                + "AND user_id IS NOT NULL", rs -> rs.getObject(1, UUID.class), batchId);
        List<IdentifierHolders.Taken> taken = IdentifierHolders.taken(c, deleted);
        if (!taken.isEmpty()) {
            throw new ClientErrorException("This batch cannot be reverted: it deleted users whose identifiers belong to "
                    + "other users now: " + taken.stream().map(t -> "user " + t.deletedUser() + "'s " + t.describe())
                    .collect(Collectors.joining("; ")) + ". Change or delete those users' identifiers first, then revert.", 409);
        }
    }

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
            refuseTakenIdentifiers(c, batchId);
            transitions.startRevert(c, id, batchId, who);
            Jdbc.update(c, REVERT_ITEMS, id, batchId, id, batchId, id, batchId);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("reverts", batchId.toString());
            details.put("fileName", "revert of " + original.fileName);
            transitions.revertPlanned(c, id, details, who);
        });
        return id;
    }
}
