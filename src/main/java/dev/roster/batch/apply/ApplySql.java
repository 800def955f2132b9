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
                                   WHERE p.batch_id = ? AND p.kind IN ('UPDATE', 'DELETE', 'RESET')
                                   ORDER BY u.id FOR UPDATE OF u) locked""";

    /** Targeted users that moved away from the version the plan saw, or vanished. */
    static final String STALE_TARGETS = """
            SELECT p.line, p.kind, p.key, p.user_id, p.planned_version, u.version, u.status, u.email
              FROM plan_item p LEFT JOIN directory_user u ON u.id = p.user_id
             WHERE p.batch_id = ? AND p.kind IN ('UPDATE', 'DELETE', 'RESET')
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

    static final String INSERT_CREATES = """
            INSERT INTO directory_user (id, email, external_id, username, given_name, family_name, display_name, phone,
                                        department, title, locale, status, attributes, password_hash, version,
                                        created_at, updated_at)
            SELECT roster_created_user_id(p.batch_id, p.line), v->>'email', v->>'external_id', v->>'username',
                   v->>'given_name', v->>'family_name', v->>'display_name', v->>'phone', v->>'department', v->>'title',
                   v->>'locale', CASE WHEN p.password_hash IS NULL THEN 'INVITED' ELSE 'ACTIVE' END, attrs,
                   p.password_hash, 1, now(), now()
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
