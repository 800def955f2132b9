package dev.roster.batch.apply;

/** The set-based statements of an apply: one statement per kind of change, never one per row. */
final class ApplySql {

    private ApplySql() {
    }

    /** Profile columns a plan may set, as named in CSV files and in directory_user. */
    static final String[] PROFILE = { "email", "external_id", "username", "given_name", "family_name", "display_name",
            "phone", "department", "title", "locale" };

    /** Every row a plan targets, locked, so no one changes them between the check and the writes. */
    static final String LOCK_TARGETS = """
            SELECT count(*) FROM (SELECT u.id FROM directory_user u JOIN plan_item p ON p.user_id = u.id
                                   WHERE p.batch_id = ? AND p.kind IN ('UPDATE', 'DELETE', 'RESET', 'MEMBER_ADD', 'MEMBER_REMOVE')
                                   ORDER BY u.id FOR UPDATE OF u) locked""";

    /** Every group a plan's group rows target, locked likewise. */
    static final String LOCK_GROUPS = """
            SELECT count(*) FROM (SELECT g.id FROM user_group g JOIN plan_item p ON p.group_id = g.id
                                   WHERE p.batch_id = ? AND p.kind IN ('GROUP_UPDATE', 'GROUP_DELETE')
                                   ORDER BY g.id FOR UPDATE OF g) locked""";

    /** Targeted users that moved away from the version the plan saw, or vanished. */
    static final String STALE_TARGETS = """
            SELECT p.line, p.kind, p.key, p.user_id, p.planned_version, u.version, u.status, u.email
              FROM plan_item p LEFT JOIN directory_user u ON u.id = p.user_id
             WHERE p.batch_id = ? AND p.kind IN ('UPDATE', 'DELETE', 'RESET', 'MEMBER_ADD', 'MEMBER_REMOVE')
               AND (u.id IS NULL OR u.version <> p.planned_version)
             ORDER BY p.line LIMIT 1000""";

    /** Creates whose email is no longer free. */
    static final String TAKEN_EMAILS = """
            SELECT p.line, p.kind, p.key, u.id, NULL::bigint, u.version, u.status, u.email
              FROM plan_item p
              CROSS JOIN LATERAL (SELECT f->>'after' AS email FROM jsonb_array_elements(p.fields) f
                                   WHERE f->>'name' = 'email') k
              JOIN directory_user u ON lower(u.email) = lower(k.email)
             WHERE p.batch_id = ? AND p.kind = 'CREATE'
             ORDER BY p.line LIMIT 1000""";

    /** Creates whose external id is no longer free. */
    static final String TAKEN_EXTERNAL_IDS = """
            SELECT p.line, p.kind, p.key, u.id, NULL::bigint, u.version, u.status, u.email
              FROM plan_item p
              CROSS JOIN LATERAL (SELECT f->>'after' AS external_id FROM jsonb_array_elements(p.fields) f
                                   WHERE f->>'name' = 'external_id') k
              JOIN directory_user u ON u.external_id = k.external_id
             WHERE p.batch_id = ? AND p.kind = 'CREATE'
             ORDER BY p.line LIMIT 1000""";

    /**
     * Binds the batch three times: the managers the creates name, the users this batch creates that are among
     * them (key -> id, for managers created by the same file), the creates. Both are maps looked up per row and
     * built only when a row names a manager no one has yet, holding one entry per manager, not per user: as a
     * join, statistics from before a plan (estimating it at one row) made it a nested loop over the plan for
     * every row, whether or not the file had managers (1.4 s for 1k rows; minutes for 10k).
     */
    static final String INSERT_CREATES = """
            WITH named AS MATERIALIZED (SELECT jsonb_object_agg(m, true) AS keys
                                          FROM (SELECT DISTINCT lower(f->>'after') AS m FROM plan_item p, jsonb_array_elements(p.fields) f
                                                 WHERE p.batch_id = ? AND p.kind = 'CREATE' AND f->>'name' = 'manager'
                                                   AND f->>'after' IS NOT NULL) d),
                 created AS MATERIALIZED (SELECT jsonb_object_agg(key, roster_created_user_id(batch_id, line)) AS ids
                                            FROM plan_item WHERE batch_id = ? AND kind = 'CREATE' AND key IS NOT NULL
                                             AND jsonb_exists((SELECT keys FROM named), key))
            INSERT INTO directory_user (id, email, external_id, username, given_name, family_name, display_name, phone,
                                        department, title, locale, status, attributes, password_hash, version,
                                        created_at, updated_at, manager_id)
            SELECT roster_created_user_id(p.batch_id, p.line), v->>'email', v->>'external_id', v->>'username',
                   v->>'given_name', v->>'family_name', v->>'display_name', v->>'phone', v->>'department', v->>'title',
                   v->>'locale', CASE WHEN p.password_hash IS NULL THEN 'INVITED' ELSE 'ACTIVE' END, attrs,
                   p.password_hash, 1, now(), now(),
                   -- The manager at once (an existing user, or one this insert creates, found by its key when users
                   -- are matched by email), so the rows need no second version; the rest ApplyGroupSql.SET_MANAGERS sets.
                   CASE WHEN v->>'manager' IS NOT NULL THEN
                       coalesce((SELECT m.id FROM directory_user m WHERE lower(m.email) = lower(v->>'manager')),
                                ((SELECT ids FROM created) ->> lower(v->>'manager'))::uuid)
                   END
              FROM plan_item p
              CROSS JOIN LATERAL (
                  SELECT jsonb_object_agg(f->>'name', f->'after') AS v,
                         coalesce(jsonb_object_agg(substr(f->>'name', 6), f->'after')
                                  FILTER (WHERE f->>'name' LIKE 'attr.%' AND f->>'after' IS NOT NULL), '{}'::jsonb) AS attrs
                    FROM jsonb_array_elements(p.fields) f) x
             WHERE p.batch_id = ? AND p.kind = 'CREATE'""";

    /** A sync source's creates remember it: its "created by the source" scope (docs/sync.md). */
    static final String MARK_CREATING_SOURCE = """
            UPDATE directory_user u SET source_id = ?
              FROM plan_item p
             WHERE p.batch_id = ? AND p.kind = 'CREATE' AND u.id = roster_created_user_id(p.batch_id, p.line)""";

    static final String APPLY_UPDATES;

    static {
        StringBuilder set = new StringBuilder();
        for (String column : PROFILE) {
            set.append(column).append(" = CASE WHEN jsonb_exists(x.v, '").append(column).append("') THEN x.v->>'").append(column)
                    .append("' ELSE u.").append(column).append(" END,\n");
        }
        APPLY_UPDATES = """
                UPDATE directory_user u SET
                """ + set + """
                       status = CASE WHEN jsonb_exists(x.v, 'status') THEN x.v->>'status' ELSE u.status END,
                       deleted_at = CASE WHEN jsonb_exists(x.v, 'status') AND x.v->>'status' <> 'DELETED' THEN NULL ELSE u.deleted_at END,
                       status_before_delete = CASE WHEN jsonb_exists(x.v, 'status') AND x.v->>'status' <> 'DELETED' THEN NULL
                                                   ELSE u.status_before_delete END,
                       attributes = (u.attributes || x.attr_set) - x.attr_clear,
                       version = u.version + 1,
                       updated_at = now()
                  FROM (SELECT p.user_id,
                               jsonb_object_agg(f->>'name', f->'after') AS v,
                               coalesce(jsonb_object_agg(substr(f->>'name', 6), f->'after')
                                        FILTER (WHERE f->>'name' LIKE 'attr.%' AND f->'after' <> 'null'::jsonb), '{}'::jsonb) AS attr_set,
                               coalesce(array_agg(substr(f->>'name', 6))
                                        FILTER (WHERE f->>'name' LIKE 'attr.%' AND f->'after' = 'null'::jsonb), '{}'::text[]) AS attr_clear
                          FROM plan_item p, jsonb_array_elements(p.fields) f
                         WHERE p.batch_id = ? AND p.kind = 'UPDATE'
                         GROUP BY p.user_id) x
                 WHERE u.id = x.user_id""";
    }

    static final String APPLY_DELETES = """
            UPDATE directory_user u SET status_before_delete = u.status, status = 'DELETED', deleted_at = now(),
                                        version = u.version + 1, updated_at = now()
              FROM plan_item p
             WHERE p.batch_id = ? AND p.kind = 'DELETE' AND u.id = p.user_id""";
}

final class ApplyGroupSql {

    private ApplyGroupSql() {
    }

    // --- stale-plan checks (columns as ApplySql.STALE_TARGETS: line, kind, key, user id, planned, current, status, name)

    /** Group rows whose group moved away from the version the plan saw (or vanished). */
    static final String STALE_GROUPS = """
            SELECT p.line, p.kind, p.key, NULL::uuid, p.planned_version, g.version,
                   CASE WHEN g.deleted_at IS NULL THEN 'LIVE' ELSE 'DELETED' END, g.name
              FROM plan_item p LEFT JOIN user_group g ON g.id = p.group_id
             WHERE p.batch_id = ? AND p.kind IN ('GROUP_UPDATE', 'GROUP_DELETE')
               AND (g.id IS NULL OR g.version <> p.planned_version)
             ORDER BY p.line LIMIT 1000""";

    /** Groups a plan names (in users' group sets or membership rows) that are no longer there under that name. */
    static final String MISSING_GROUPS = """
            WITH created AS (SELECT key FROM plan_item WHERE batch_id = ? AND kind = 'GROUP_CREATE')
            SELECT * FROM (
                SELECT p.line, p.kind, p.key, p.user_id, NULL::bigint, NULL::bigint, NULL::text, n.name
                  FROM plan_item p CROSS JOIN LATERAL jsonb_array_elements(p.fields) f
                  CROSS JOIN LATERAL unnest(string_to_array(concat_ws('|', f->>'before', f->>'after'), '|')) n(name)
                 WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE') AND f->>'name' = 'groups'
                   AND NOT EXISTS (SELECT 1 FROM user_group g WHERE g.deleted_at IS NULL AND lower(g.name) = lower(n.name))
                   AND lower(n.name) NOT IN (SELECT key FROM created)
                UNION ALL
                SELECT p.line, p.kind, p.key, p.user_id, NULL::bigint, NULL::bigint, NULL::text,
                       coalesce(p.fields->0->>'after', p.fields->0->>'before')
                  FROM plan_item p LEFT JOIN user_group g ON g.id = p.group_id
                 WHERE p.batch_id = ? AND p.kind IN ('MEMBER_ADD', 'MEMBER_REMOVE')
                   AND (CASE WHEN p.group_id IS NULL
                             THEN lower(p.fields->0->>'after') NOT IN (SELECT key FROM created)
                             ELSE g.id IS NULL OR g.deleted_at IS NOT NULL END)) m
             ORDER BY 1 LIMIT 1000""";

    /** Groups a plan creates whose name is taken now. */
    static final String TAKEN_GROUP_NAMES = """
            SELECT p.line, p.kind, p.key, NULL::uuid, NULL::bigint, g.version, NULL::text, g.name
              FROM plan_item p JOIN user_group g ON g.deleted_at IS NULL AND lower(g.name) = p.key
             WHERE p.batch_id = ? AND p.kind = 'GROUP_CREATE'
             ORDER BY p.line LIMIT 1000""";

    /**
     * Managers a plan names that are no longer there (or deleted), unless the plan creates them. The created
     * emails among the managers named are one map looked up per row (built only when a manager is missing):
     * neither NOT IN (probed row by row when the list looks too large to hash) nor a join (a nested loop over
     * the plan per row when statistics predate it) stays linear whatever the statistics say.
     */
    static final String MISSING_MANAGERS = """
            WITH named AS MATERIALIZED (SELECT p.line, p.kind, p.key, p.user_id, f->>'after' AS email
                                          FROM plan_item p CROSS JOIN LATERAL jsonb_array_elements(p.fields) f
                                         WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE') AND f->>'name' = 'manager'
                                           AND f->>'after' IS NOT NULL),
                 wanted AS MATERIALIZED (SELECT jsonb_object_agg(e, true) AS emails FROM (SELECT DISTINCT lower(email) AS e FROM named) d),
                 created AS MATERIALIZED (SELECT jsonb_object_agg(lower(cf->>'after'), true) AS emails
                                            FROM plan_item c, jsonb_array_elements(c.fields) cf
                                           WHERE c.batch_id = ? AND c.kind = 'CREATE' AND cf->>'name' = 'email'
                                             AND cf->>'after' IS NOT NULL
                                             AND jsonb_exists((SELECT emails FROM wanted), lower(cf->>'after')))
            SELECT n.line, n.kind, n.key, n.user_id, NULL::bigint, NULL::bigint, m.status, n.email
              FROM named n
              LEFT JOIN directory_user m ON lower(m.email) = lower(n.email)
             WHERE m.status = 'DELETED' OR (m.id IS NULL AND NOT coalesce(jsonb_exists((SELECT emails FROM created), lower(n.email)), false))
             ORDER BY n.line LIMIT 1000""";

    // --- writes, in the order ApplyEngine runs them

    /** Groups created: their ids come from the batch and line, like created users'. */
    static final String INSERT_GROUPS = """
            INSERT INTO user_group (id, name, description, external_id, version, created_at, updated_at)
            SELECT roster_created_user_id(p.batch_id, p.line), v->>'name', v->>'description', v->>'external_id', 1, now(), now()
              FROM plan_item p
              CROSS JOIN LATERAL (SELECT jsonb_object_agg(f->>'name', f->'after') AS v FROM jsonb_array_elements(p.fields) f) x
             WHERE p.batch_id = ? AND p.kind = 'GROUP_CREATE'""";

    /** Groups renamed, described, given an external id, or restored (a revert's "status" DELETED -> ACTIVE). */
    static final String UPDATE_GROUPS = """
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
    static final String DELETE_GROUPS = """
            UPDATE user_group g SET deleted_at = now(), version = g.version + 1, updated_at = now()
              FROM plan_item p
             WHERE p.batch_id = ? AND p.kind = 'GROUP_DELETE' AND g.id = p.group_id""";

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
    static final String REMOVE_SET_MEMBERSHIPS = "WITH t AS (" + wanted("'UPDATE'") + """
            ), gone AS (DELETE FROM group_membership m USING t, user_group g
                         WHERE m.user_id = t.uid AND g.id = m.group_id AND g.deleted_at IS NULL
                           AND NOT (lower(g.name) = ANY (t.names))
                        RETURNING m.group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM gone) AND\s""" + NOT_CREATED_HERE;

    /** User rows' new set: memberships missing are added (with who added them); the groups' versions move. */
    static final String ADD_SET_MEMBERSHIPS = "WITH t AS (" + wanted("'CREATE', 'UPDATE'") + """
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

    static final String ADD_ROW_MEMBERSHIPS = """
            WITH added AS (INSERT INTO group_membership (group_id, user_id, added_at, added_by)
                           SELECT\s""" + ROW_GROUP + """
            , p.user_id, now(), ? FROM plan_item p WHERE p.batch_id = ? AND p.kind = 'MEMBER_ADD'
                           ON CONFLICT DO NOTHING
                           RETURNING group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM added) AND\s""" + NOT_CREATED_HERE;

    static final String REMOVE_ROW_MEMBERSHIPS = """
            WITH gone AS (DELETE FROM group_membership m USING plan_item p
                           WHERE p.batch_id = ? AND p.kind = 'MEMBER_REMOVE' AND m.user_id = p.user_id
                             AND m.group_id =\s""" + ROW_GROUP + """
            
                          RETURNING m.group_id)
            UPDATE user_group SET version = version + 1, updated_at = now()
             WHERE id IN (SELECT group_id FROM gone) AND\s""" + NOT_CREATED_HERE;

    /** Members of membership rows: one version step per user and apply, however many of their rows. */
    static final String BUMP_MEMBERS = """
            UPDATE directory_user u SET version = u.version + 1, updated_at = now()
             WHERE u.id IN (SELECT user_id FROM plan_item WHERE batch_id = ? AND kind IN ('MEMBER_ADD', 'MEMBER_REMOVE'))""";

    /**
     * Managers of user rows, by the manager's email (created earlier in the same transaction, or existing): one
     * index probe per row on lower(email), whatever the statistics say about users created a moment ago.
     */
    static final String SET_MANAGERS = """
            UPDATE directory_user u
               SET manager_id = (SELECT m.id FROM directory_user m WHERE lower(m.email) = x.email)
              FROM (SELECT coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)) AS uid, lower(f->>'after') AS email,
                           p.kind
                      FROM plan_item p, jsonb_array_elements(p.fields) f
                     WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE') AND f->>'name' = 'manager') x
             WHERE u.id = x.uid
               -- a created user's manager is set by the insert unless it could not be found then
               AND (x.kind = 'UPDATE' OR u.manager_id IS NULL)
               AND u.manager_id IS DISTINCT FROM (SELECT m.id FROM directory_user m WHERE lower(m.email) = x.email)""";
}
