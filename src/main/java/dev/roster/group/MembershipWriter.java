package dev.roster.group;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import dev.roster.directory.UserWriter;
import dev.roster.sql.Jdbc;

/**
 * The one writer of group_membership rows: the batch apply's set-based statements (a user row's group set, and
 * membership rows), and the member changes of the pages, the API and SCIM. Runs on the caller's connection and
 * transaction. A membership change moves the member's version (and, here or in the caller, the group's). Events are
 * built by {@link MembershipEvents}.
 */
public final class MembershipWriter {

    private MembershipWriter() {
    }

    /** Groups this batch creates: their version stays 1 whatever memberships the batch adds (a revert expects 1). */
    private static final String NOT_CREATED_HERE = """
            id NOT IN (SELECT roster_created_user_id(batch_id, line) FROM plan_item WHERE batch_id = ? AND kind = 'GROUP_CREATE')""";

    /** The group set of each user row of the given kinds: a row's "groups" after value, as (user, lower-cased name) pairs. */
    private static String wanted(String kinds) {
        return """
                SELECT coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)) AS uid,
                       coalesce(string_to_array(lower(f->>'after'), '|'), '{}'::text[]) AS names
                  FROM plan_item p, jsonb_array_elements(p.fields) f
                 WHERE p.batch_id = ? AND p.kind IN (%s) AND f->>'name' = 'groups'""".formatted(kinds);
    }


    /**
     * User rows' memberships in live groups outside their new set go; the groups' versions move. Update rows
     * only: a user this batch creates has no membership yet (100k index probes saved on a large onboard).
     */
    private static final String REMOVE_SET_MEMBERSHIPS = "WITH t AS (" + wanted("'UPDATE'") + """
            ), gone AS (DELETE FROM group_membership m USING t, user_group g
                         WHERE m.user_id = t.uid AND g.id = m.group_id AND g.deleted_at IS NULL
                           AND NOT (lower(g.name) = ANY (t.names))
                        RETURNING m.group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM gone) AND\s""" + NOT_CREATED_HERE;

    /** User rows' new set: memberships missing are added (with who added them); the groups' versions move. */
    private static final String ADD_SET_MEMBERSHIPS = "WITH t AS (" + wanted("'CREATE', 'UPDATE'") + """
            ), added AS (INSERT INTO group_membership (group_id, user_id, added_at, added_by)
                         SELECT g.id, t.uid, now(), ? FROM t CROSS JOIN LATERAL unnest(t.names) n(name)
                           JOIN user_group g ON g.deleted_at IS NULL AND lower(g.name) = n.name
                         ON CONFLICT DO NOTHING
                         RETURNING group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM added) AND\s""" + NOT_CREATED_HERE;

    /** The group a membership row names: its id, or for a group this batch creates, the created one's. */
    private static final String ROW_GROUP = """
            coalesce(p.group_id, (SELECT g.id FROM user_group g WHERE g.deleted_at IS NULL
                                    AND lower(g.name) = lower(coalesce(p.fields->0->>'after', p.fields->0->>'before'))))""";

    private static final String ADD_ROW_MEMBERSHIPS = """
            WITH added AS (INSERT INTO group_membership (group_id, user_id, added_at, added_by)
                           SELECT\s""" + ROW_GROUP + """
            , p.user_id, now(), ? FROM plan_item p WHERE p.batch_id = ? AND p.kind = 'MEMBER_ADD'
                           ON CONFLICT DO NOTHING
                           RETURNING group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM added) AND\s""" + NOT_CREATED_HERE;

    private static final String REMOVE_ROW_MEMBERSHIPS = """
            WITH gone AS (DELETE FROM group_membership m USING plan_item p
                           WHERE p.batch_id = ? AND p.kind = 'MEMBER_REMOVE' AND m.user_id = p.user_id
                             AND m.group_id =\s""" + ROW_GROUP + """
            
                          RETURNING m.group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM gone) AND\s""" + NOT_CREATED_HERE;

    /** Members of membership rows: one version step per user and apply, however many of their rows. */
    private static final String BUMP_MEMBERS = """
            UPDATE directory_user u SET version = u.version + 1, updated_at = now()
             WHERE u.id IN (SELECT user_id FROM plan_item WHERE batch_id = ? AND kind IN ('MEMBER_ADD', 'MEMBER_REMOVE'))""";

    // ---------------------------------------------------------------- a batch's plan, set-based

    /** A plan's memberships, in the order the apply needs: set removals and additions, then row removals and additions. */
    public static void applyPlanned(Connection c, UUID batchId, String addedBy) throws SQLException {
        Jdbc.update(c, REMOVE_SET_MEMBERSHIPS, batchId, batchId);
        Jdbc.update(c, ADD_SET_MEMBERSHIPS, batchId, addedBy, batchId);
        Jdbc.update(c, REMOVE_ROW_MEMBERSHIPS, batchId, batchId);
        Jdbc.update(c, ADD_ROW_MEMBERSHIPS, addedBy, batchId, batchId);
    }

    /** The members of a plan's membership rows: one version step each. */
    public static long bumpPlannedMembers(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, BUMP_MEMBERS, batchId);
    }

    // ---------------------------------------------------------------- one group

    /** Adds the users to the group (those already members are left alone); returns the users added. */
    public static List<UUID> add(Connection c, UUID groupId, Collection<UUID> users, String addedBy) throws SQLException {
        if (users.isEmpty()) {
            return List.of();
        }
        return Jdbc.list(c, "INSERT INTO group_membership (group_id, user_id, added_at, added_by) SELECT ?, unnest(?), now(), ? "
                + "ON CONFLICT DO NOTHING RETURNING user_id", rs -> rs.getObject(1, UUID.class), groupId,
                c.createArrayOf("uuid", users.toArray()), addedBy);
    }

    /** Removes the users from the group; returns the users removed. */
    public static List<UUID> remove(Connection c, UUID groupId, Collection<UUID> users) throws SQLException {
        if (users.isEmpty()) {
            return List.of();
        }
        return Jdbc.list(c, "DELETE FROM group_membership WHERE group_id = ? AND user_id = ANY(?) RETURNING user_id",
                rs -> rs.getObject(1, UUID.class), groupId, c.createArrayOf("uuid", users.toArray()));
    }

    /** The members whose memberships changed: their versions move, so plans that saw them become stale. */
    public static void bumpMembers(Connection c, Collection<UUID> users) throws SQLException {
        UserWriter.bumpVersions(c, users);
    }
}
