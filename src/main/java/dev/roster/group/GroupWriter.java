package dev.roster.group;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

import dev.roster.sql.Jdbc;

/**
 * The one writer of user_group rows: the batch apply's set-based statements over a plan (one per kind of change),
 * and the single-group writes of the pages, the API and SCIM. Runs on the caller's connection and transaction; every
 * write moves the group's version. Events are built by {@link GroupEvents}; memberships are {@link MembershipWriter}'s.
 */
public final class GroupWriter {

    private GroupWriter() {
    }

    /** Groups created: their ids come from the batch and line, like created users'. */
    private static final String INSERT_GROUPS = """
            INSERT INTO user_group (id, name, description, external_id, version, created_at, updated_at)
            SELECT roster_created_user_id(p.batch_id, p.line), v->>'name', v->>'description', v->>'external_id', 1, now(), now()
              FROM plan_item p
              CROSS JOIN LATERAL (SELECT jsonb_object_agg(f->>'name', f->'after') AS v FROM jsonb_array_elements(p.fields) f) x
             WHERE p.batch_id = ? AND p.kind = 'GROUP_CREATE'""";

    /** Groups renamed, described, given an external id, or restored (a revert's "status" DELETED -> ACTIVE). */
    private static final String UPDATE_GROUPS = """
            UPDATE user_group g SET
                   name = CASE WHEN jsonb_exists(x.v, 'name') THEN x.v->>'name' ELSE g.name END,
                   description = CASE WHEN jsonb_exists(x.v, 'description') THEN x.v->>'description' ELSE g.description END,
                   external_id = CASE WHEN jsonb_exists(x.v, 'external_id') THEN x.v->>'external_id' ELSE g.external_id END,
                   deleted_at = CASE WHEN jsonb_exists(x.v, 'status') THEN NULL ELSE g.deleted_at END,
                   version = g.version + 1, updated_at = now()
              FROM (SELECT p.group_id, jsonb_object_agg(f->>'name', f->'after') AS v
                      FROM plan_item p, jsonb_array_elements(p.fields) f
                     WHERE p.batch_id = ? AND p.kind = 'GROUP_UPDATE'
                     GROUP BY p.group_id) x
             WHERE g.id = x.group_id""";

    /** Groups soft-deleted: their memberships stay, so a revert brings the group back whole. */
    private static final String DELETE_GROUPS = """
            UPDATE user_group g SET deleted_at = now(), version = g.version + 1, updated_at = now()
              FROM plan_item p
             WHERE p.batch_id = ? AND p.kind = 'GROUP_DELETE' AND g.id = p.group_id""";

    // ---------------------------------------------------------------- a batch's plan, set-based

    public static long insertPlanned(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, INSERT_GROUPS, batchId);
    }

    public static long updatePlanned(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, UPDATE_GROUPS, batchId);
    }

    public static long deletePlanned(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, DELETE_GROUPS, batchId);
    }

    // ---------------------------------------------------------------- one group

    /** Inserts a live group at version 1 (a taken name or external id: SQLState 23505, for the caller to word). */
    public static void insert(Connection c, UUID id, String name, String description, String externalId) throws SQLException {
        Jdbc.update(c, "INSERT INTO user_group (id, name, description, external_id, version, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, 1, now(), now())", id, name, description, externalId);
    }

    /** Sets name, description and external id. */
    public static void update(Connection c, UUID id, String name, String description, String externalId) throws SQLException {
        Jdbc.update(c, "UPDATE user_group SET name = ?, description = ?, external_id = ?, version = version + 1, "
                + "updated_at = now() WHERE id = ?", name, description, externalId, id);
    }

    /** Sets name and external id, the description kept (SCIM has none). */
    public static void rename(Connection c, UUID id, String name, String externalId) throws SQLException {
        Jdbc.update(c, "UPDATE user_group SET name = ?, external_id = ?, version = version + 1, updated_at = now() WHERE id = ?",
                name, externalId, id);
    }

    /** Soft-deletes: the memberships stay, so a restore brings the group back whole. */
    public static void softDelete(Connection c, UUID id) throws SQLException {
        Jdbc.update(c, "UPDATE user_group SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = ?", id);
    }

    public static void restore(Connection c, UUID id) throws SQLException {
        Jdbc.update(c, "UPDATE user_group SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE id = ?", id);
    }

    /** Moves the group's version (a membership changed). */
    public static void bumpVersion(Connection c, UUID id) throws SQLException {
        Jdbc.update(c, "UPDATE user_group SET version = version + 1, updated_at = now() WHERE id = ?", id);
    }
}
