package dev.roster.batch.apply;

import dev.roster.directory.UserWriter;

/**
 * The set-based checks of an apply (locks, stale plans, taken keys); the writes are the table writers' (directory/UserWriter,
 * group/GroupWriter, group/MembershipWriter), set-based as well.
 */
final class ApplySql {

    private ApplySql() {
    }

    /** The creates' statement, read by the statistics test (the statement itself is the user writer's). */
    static final String INSERT_CREATES = UserWriter.INSERT_CREATES;

    /** Every row a plan targets, locked, so no one changes them between the check and the writes. */
    /** A create row that invites now: send_invite, no imported password, not created suspended (decision 0037). */
    static final String INVITES_AT_CREATE = " (p.send_invite AND p.password_hash IS NULL "
            + "AND NOT p.fields @> '[{\"name\": \"status\", \"after\": \"SUSPENDED\"}]') ";

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
            SELECT p.line, p.kind, p.key, p.user_id, p.planned_version, u.version, u.status,
                   CASE WHEN u.email IS NOT NULL THEN 'email ' || u.email ELSE 'username ' || u.username END
              FROM plan_item p LEFT JOIN directory_user u ON u.id = p.user_id
             WHERE p.batch_id = ? AND p.kind IN ('UPDATE', 'DELETE', 'RESET', 'MEMBER_ADD', 'MEMBER_REMOVE')
               AND (u.id IS NULL OR u.version <> p.planned_version)
             ORDER BY p.line LIMIT 1000""";

    /** Creates whose email is no longer free (a deleted user holds none, decisions/0031). */
    static final String TAKEN_EMAILS = """
            SELECT p.line, p.kind, p.key, u.id, NULL::bigint, u.version, u.status, u.email
              FROM plan_item p
              CROSS JOIN LATERAL (SELECT f->>'after' AS email FROM jsonb_array_elements(p.fields) f
                                   WHERE f->>'name' = 'email') k
              JOIN directory_user u ON lower(u.email) = lower(k.email) AND u.status <> 'DELETED'
             WHERE p.batch_id = ? AND p.kind = 'CREATE'
             ORDER BY p.line LIMIT 1000""";

    /** Creates whose external id is no longer free. */
    static final String TAKEN_EXTERNAL_IDS = """
            SELECT p.line, p.kind, p.key, u.id, NULL::bigint, u.version, u.status, u.email
              FROM plan_item p
              CROSS JOIN LATERAL (SELECT f->>'after' AS external_id FROM jsonb_array_elements(p.fields) f
                                   WHERE f->>'name' = 'external_id') k
              JOIN directory_user u ON u.external_id = k.external_id AND u.status <> 'DELETED'
             WHERE p.batch_id = ? AND p.kind = 'CREATE'
             ORDER BY p.line LIMIT 1000""";



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
     * Managers a plan names that are no longer there (or deleted), unless the plan creates them. Each distinct manager
     * is looked up once (#27: a file where every row names one of a few hundred managers probed the directory twice
     * per row, 2.5 s per check on 100k rows), and the missing ones are one map looked up per row. Maps, not joins or
     * NOT IN: neither stays linear whatever the statistics of a plan just written say.
     */
    static final String MISSING_MANAGERS = """
            WITH named AS MATERIALIZED (SELECT p.line, p.kind, p.key, p.user_id, f->>'after' AS email
                                          FROM plan_item p CROSS JOIN LATERAL jsonb_array_elements(p.fields) f
                                         WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE') AND f->>'name' = 'manager'
                                           AND f->>'after' IS NOT NULL),
                 wanted AS MATERIALIZED (SELECT DISTINCT lower(email) AS e FROM named),
                 wanted_map AS MATERIALIZED (SELECT jsonb_object_agg(e, true) AS emails FROM wanted),
                 created AS MATERIALIZED (SELECT jsonb_object_agg(lower(cf->>'after'), true) AS emails
                                            FROM plan_item c, jsonb_array_elements(c.fields) cf
                                           WHERE c.batch_id = ? AND c.kind = 'CREATE' AND cf->>'name' = 'email'
                                             AND cf->>'after' IS NOT NULL
                                             AND jsonb_exists((SELECT emails FROM wanted_map), lower(cf->>'after'))),
                 -- a live holder of the address before a deleted one (deleted users free theirs, decisions/0031); each
                 -- lookup names the condition of an index (V26's partial email key, the identifier index), no full scan
                 missing AS MATERIALIZED (
                     SELECT coalesce(jsonb_object_agg(w.e, coalesce(gone.status, '')), '{}'::jsonb) AS emails
                       FROM wanted w
                       LEFT JOIN LATERAL (SELECT u.id FROM directory_user u
                                           WHERE lower(u.email) = w.e AND u.status <> 'DELETED' LIMIT 1) live ON true
                       LEFT JOIN LATERAL (SELECT u.status FROM directory_user u
                                           WHERE live.id IS NULL AND lower(coalesce(u.email, u.username)) = w.e
                                             AND lower(u.email) = w.e AND u.status = 'DELETED' LIMIT 1) gone ON true
                      WHERE live.id IS NULL AND (gone.status IS NOT NULL
                            OR NOT coalesce(jsonb_exists((SELECT emails FROM created), w.e), false)))
            SELECT n.line, n.kind, n.key, n.user_id, NULL::bigint, NULL::bigint,
                   nullif((SELECT emails FROM missing) ->> lower(n.email), ''), n.email
              FROM named n
             WHERE jsonb_exists((SELECT emails FROM missing), lower(n.email))
             ORDER BY n.line LIMIT 1000""";
}
