package dev.roster.directory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.roster.csv.ColumnNames;
import dev.roster.sql.Jdbc;

/**
 * The one writer of directory_user rows: every INSERT, and the updates that create, change and delete users, for the
 * batch apply (set-based, one statement per kind of change over a batch's plan_item rows, never one per row), SCIM
 * (one row) and the demo seed (a JDBC batch). Each method runs on the caller's connection, inside the caller's
 * transaction (services own transactions); every write of the profile or the status moves the user's version, so a
 * plan that saw the user before becomes stale. A user's own new password does not (decision 0036: else any user
 * could make admins' batches stale by changing theirs), unless it activates an invited user. Audit events are built
 * by {@link UserEvents}.
 */
public final class UserWriter {

    private UserWriter() {
    }

    /**
     * Text profile columns a plan or a SCIM write may set, as named in CSV files and in directory_user (never from
     * input): Roster's first ten, the SCIM attributes with CSV columns (ColumnNames.EXTENDED) and formatted_name.
     */
    public static final List<String> PROFILE = Stream.of(List.of("email", "external_id", "username", "given_name",
            "family_name", "display_name", "phone", "department", "title", "locale"), ColumnNames.EXTENDED,
            List.of(ColumnNames.FORMATTED_NAME)).flatMap(List::stream).toList();
    /** The jsonb lists (emails, phone_numbers, addresses), set from a plan cell holding the list as JSON text. */
    public static final List<String> JSON_PROFILE = ColumnNames.JSON_LISTS;
    /** The text column each list's primary element mirrors (decisions/0032). */
    private static final Map<String, String> MIRRORED = Map.of(ColumnNames.EMAILS, "email", ColumnNames.PHONE_NUMBERS, "phone");
    private static final List<String> ALL_PROFILE = Stream.concat(PROFILE.stream(), JSON_PROFILE.stream()).toList();
    /** The start and end dates (#26) a single-row write sets as ISO dates (a batch sets them in its own statements). */
    public static final List<String> DATES = List.of(ColumnNames.START_DATE, ColumnNames.END_DATE);

    /** A created user's profile columns from the plan row's fields ({@code v}): text as is, lists cast to jsonb. */
    private static String createdValues() {
        return String.join(", ", ALL_PROFILE.stream().map(c -> JSON_PROFILE.contains(c) ? "(v->>'" + c + "')::jsonb"
                : "v->>'" + c + "'").toList());
    }


    /**
     * Binds the batch three times: the managers the creates name, the users this batch creates that are among
     * them (key -> id, for managers created by the same file), the creates. Both are maps looked up per row and
     * built only when a row names a manager no one has yet, holding one entry per manager, not per user: as a
     * join, statistics from before a plan (estimating it at one row) made it a nested loop over the plan for
     * every row, whether or not the file had managers (1.4 s for 1k rows; minutes for 10k).
     */
    public static final String INSERT_CREATES = """
            WITH named AS MATERIALIZED (SELECT jsonb_object_agg(m, true) AS keys
                                          FROM (SELECT DISTINCT lower(f->>'after') AS m FROM plan_item p, jsonb_array_elements(p.fields) f
                                                 WHERE p.batch_id = ? AND p.kind = 'CREATE' AND f->>'name' = 'manager'
                                                   AND f->>'after' IS NOT NULL) d),
                 created AS MATERIALIZED (SELECT jsonb_object_agg(key, roster_created_user_id(batch_id, line)) AS ids
                                            FROM plan_item WHERE batch_id = ? AND kind = 'CREATE' AND key IS NOT NULL
                                             AND jsonb_exists((SELECT keys FROM named), key))
            INSERT INTO directory_user (id, """ + String.join(", ", ALL_PROFILE) + """
            , status, attributes, password_hash, version, created_at, updated_at, manager_id, invite_on_activation,
              start_date, end_date)
            SELECT roster_created_user_id(p.batch_id, p.line), """ + createdValues() + """
            , CASE WHEN v->>'status' = 'SUSPENDED' THEN 'SUSPENDED' WHEN p.password_hash IS NULL THEN 'INVITED' ELSE 'ACTIVE' END,
                   attrs,
                   p.password_hash, 1, now(), now(),
                   -- The manager at once (an existing user, or one this insert creates, found by its key when users
                   -- are matched by email), so the rows need no second version; the rest SET_MANAGERS sets.
                   CASE WHEN v->>'manager' IS NOT NULL THEN
                       coalesce((SELECT m.id FROM directory_user m WHERE lower(m.email) = lower(v->>'manager')
                                   AND m.status <> 'DELETED'),
                                ((SELECT ids FROM created) ->> lower(v->>'manager'))::uuid)
                   END,
                   -- created suspended: the invitation waits for the activation (decision 0037); never owed to a
                   -- user without email (decisions/0031)
                   coalesce(v->>'status' = 'SUSPENDED', false) AND p.send_invite AND p.password_hash IS NULL
                       AND v->>'email' IS NOT NULL,
                   (v->>'start_date')::date, (v->>'end_date')::date
              FROM plan_item p
              CROSS JOIN LATERAL (
                  SELECT jsonb_object_agg(f->>'name', f->'after') AS v,
                         coalesce(jsonb_object_agg(substr(f->>'name', 6), f->'after')
                                  FILTER (WHERE f->>'name' LIKE 'attr.%' AND f->>'after' IS NOT NULL), '{}'::jsonb) AS attrs
                    FROM jsonb_array_elements(p.fields) f) x
             WHERE p.batch_id = ? AND p.kind = 'CREATE'""";


    /** A sync source's creates remember it: its "created by the source" scope (docs/sync.md). */
    private static final String MARK_CREATING_SOURCE = """
            UPDATE directory_user u SET source_id = ?
              FROM plan_item p
             WHERE p.batch_id = ? AND p.kind = 'CREATE' AND u.id = roster_created_user_id(p.batch_id, p.line)""";

    private static final String APPLY_UPDATES;

    static {
        StringBuilder set = new StringBuilder();
        for (String column : PROFILE) {
            set.append(column).append(" = CASE WHEN jsonb_exists(x.v, '").append(column).append("') THEN x.v->>'").append(column)
                    .append("' ELSE u.").append(column).append(" END,\n");
        }
        // a list is set from its cell; a list whose column (email, phone) changes without it follows the column
        for (String column : JSON_PROFILE) {
            set.append(column).append(" = CASE WHEN jsonb_exists(x.v, '").append(column).append("') THEN (x.v->>'")
                    .append(column).append("')::jsonb ");
            String mirrored = MIRRORED.get(column);
            if (mirrored != null) {
                set.append("WHEN jsonb_exists(x.v, '").append(mirrored).append("') AND u.").append(column)
                        .append(" IS NOT NULL THEN roster_with_primary(u.").append(column).append(", x.v->>'").append(mirrored)
                        .append("') ");
            }
            set.append("ELSE u.").append(column).append(" END,\n");
        }
        APPLY_UPDATES = """
                UPDATE directory_user u SET
                """ + set + """
                       status = CASE WHEN jsonb_exists(x.v, 'status') THEN x.v->>'status' ELSE u.status END,
                       deleted_at = CASE WHEN jsonb_exists(x.v, 'status') AND x.v->>'status' <> 'DELETED' THEN NULL ELSE u.deleted_at END,
                       status_before_delete = CASE WHEN jsonb_exists(x.v, 'status') AND x.v->>'status' <> 'DELETED' THEN NULL
                                                   ELSE u.status_before_delete END,
                       attributes = (u.attributes || x.attr_set) - x.attr_clear,
                       start_date = CASE WHEN jsonb_exists(x.v, 'start_date') THEN (x.v->>'start_date')::date ELSE u.start_date END,
                       end_date = CASE WHEN jsonb_exists(x.v, 'end_date') THEN (x.v->>'end_date')::date ELSE u.end_date END,
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


    private static final String APPLY_DELETES = """
            UPDATE directory_user u SET status_before_delete = u.status, status = 'DELETED', deleted_at = now(),
                                        version = u.version + 1, updated_at = now()
              FROM plan_item p
             WHERE p.batch_id = ? AND p.kind = 'DELETE' AND u.id = p.user_id""";

    /**
     * Managers of user rows, by the manager's email (created earlier in the same transaction, or existing, never a
     * deleted user: it holds no address): one probe per row of the partial unique index on lower(email), whatever
     * the statistics say about users created a moment ago.
     */
    private static final String SET_MANAGERS = """
            UPDATE directory_user u
               SET manager_id = (SELECT m.id FROM directory_user m WHERE lower(m.email) = x.email AND m.status <> 'DELETED')
              FROM (SELECT coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)) AS uid, lower(f->>'after') AS email,
                           p.kind
                      FROM plan_item p, jsonb_array_elements(p.fields) f
                     WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE') AND f->>'name' = 'manager') x
             WHERE u.id = x.uid
               -- a created user's manager is set by the insert unless it could not be found then
               AND (x.kind = 'UPDATE' OR u.manager_id IS NULL)
               AND u.manager_id IS DISTINCT FROM (SELECT m.id FROM directory_user m WHERE lower(m.email) = x.email
                                                   AND m.status <> 'DELETED')""";

    /** One row: columns by PROFILE name (absent: NULL), attributes as a JSON object. */
    private static final String INSERT_ONE = "INSERT INTO directory_user (id, " + String.join(", ", ALL_PROFILE)
            + ", start_date, end_date, status, attributes, password_hash, manager_id, version, created_at, updated_at) VALUES (?, "
            + "?, ".repeat(PROFILE.size()) + "?::jsonb, ".repeat(JSON_PROFILE.size())
            + "?::date, ?::date, ?, ?::jsonb, ?, ?, 1, now(), now())";

    /** A user to insert: profile columns by name, status, attributes (a JSON object), optional hash and manager. */
    public record NewUser(UUID id, Map<String, String> columns, String status, String attributesJson, String passwordHash,
            UUID managerId) {
    }

    // ---------------------------------------------------------------- a batch's plan, set-based

    /** Inserts the users a batch's plan creates (ids from batch and line, managers where they can be found already). */
    public static long insertPlanned(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, INSERT_CREATES, batchId, batchId, batchId);
    }

    /** The users a sync source's batch created remember the source (its "created by the source" scope). */
    public static void markCreatingSource(Connection c, UUID sourceId, UUID batchId) throws SQLException {
        Jdbc.update(c, MARK_CREATING_SOURCE, sourceId, batchId);
    }

    public static long updatePlanned(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, APPLY_UPDATES, batchId);
    }

    public static long deletePlanned(Connection c, UUID batchId) throws SQLException {
        return Jdbc.update(c, APPLY_DELETES, batchId);
    }

    /** Sets the managers a plan names that the insert could not (updates, and managers created after their report). */
    public static void setPlannedManagers(Connection c, UUID batchId) throws SQLException {
        Jdbc.update(c, SET_MANAGERS, batchId);
    }

    // ---------------------------------------------------------------- single rows

    /** Inserts the users, at version 1, as one JDBC batch. */
    public static void insert(Connection c, Collection<NewUser> users) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_ONE)) {
            for (NewUser u : users) {
                int i = 1;
                ps.setObject(i++, u.id());
                for (String column : ALL_PROFILE) {
                    ps.setString(i++, u.columns().get(column));
                }
                for (String column : DATES) {
                    ps.setString(i++, u.columns().get(column));
                }
                ps.setString(i++, u.status());
                ps.setString(i++, u.attributesJson() == null ? "{}" : u.attributesJson());
                ps.setString(i++, u.passwordHash());
                ps.setObject(i, u.managerId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Changes one user: the profile columns given (names from PROFILE or "status", values may be null), attributes
     * set (a JSON object) and cleared, the manager when {@code managerGiven}; the version moves by one.
     */
    public static void update(Connection c, UUID id, Map<String, String> columns, String attributesSetJson,
            Collection<String> attributesCleared, boolean managerGiven, UUID managerId) throws SQLException {
        StringBuilder set = new StringBuilder();
        List<Object> args = new ArrayList<>();
        for (Map.Entry<String, String> e : columns.entrySet()) {
            if (!ALL_PROFILE.contains(e.getKey()) && !DATES.contains(e.getKey()) && !e.getKey().equals("status")) {
                throw new IllegalArgumentException("not a directory_user profile column: " + e.getKey());
            }
            // a name from PROFILE, JSON_PROFILE or DATES, checked above
            set.append(e.getKey()).append(JSON_PROFILE.contains(e.getKey()) ? " = ?::jsonb, " : DATES.contains(e.getKey())
                    ? " = ?::date, " : " = ?, ");
            args.add(e.getValue());
        }
        for (Map.Entry<String, String> m : MIRRORED.entrySet()) {
            if (columns.containsKey(m.getValue()) && !columns.containsKey(m.getKey())) {
                set.append(m.getKey()).append(" = CASE WHEN ").append(m.getKey()).append(" IS NULL THEN NULL ELSE ")
                        .append("roster_with_primary(").append(m.getKey()).append(", ?) END, ");
                args.add(columns.get(m.getValue()));
            }
        }
        if (managerGiven) {
            set.append("manager_id = ?, ");
            args.add(managerId);
        }
        if (attributesSetJson != null || !attributesCleared.isEmpty()) {
            set.append("attributes = (attributes || ?::jsonb) - ?::text[], ");
            args.add(attributesSetJson == null ? "{}" : attributesSetJson);
            args.add(c.createArrayOf("text", attributesCleared.toArray()));
        }
        args.add(id);
        Jdbc.update(c, "UPDATE directory_user SET " + set + "version = version + 1, updated_at = now() WHERE id = ?",
                args.toArray());
    }

    /** Soft-deletes one user (restorable: the status before is kept). */
    public static void softDelete(Connection c, UUID id) throws SQLException {
        Jdbc.update(c, "UPDATE directory_user SET status_before_delete = status, status = 'DELETED', deleted_at = now(), "
                + "version = version + 1, updated_at = now() WHERE id = ?", id);
    }

    /** A user activated while an invitation waited for it (decision 0037). */
    public record OwedInvitation(UUID id, String email, String displayName) {
    }

    /**
     * Users made ACTIVE in this transaction while their invitation waited for the activation become INVITED (they
     * have no password yet) and are returned, once: the caller issues their invitations in the same transaction.
     */
    public static List<OwedInvitation> releaseOwedInvitations(Connection c) throws SQLException {
        return Jdbc.list(c, """
                UPDATE directory_user SET status = 'INVITED', invite_on_activation = false, version = version + 1,
                                          updated_at = now()
                 WHERE invite_on_activation AND status = 'ACTIVE' AND email IS NOT NULL -- never mail a null address
                   AND password_hash IS NULL -- a user who has a password by now needs no invitation
                RETURNING id, email, coalesce(display_name,
                                              nullif(trim(coalesce(given_name, '') || ' ' || coalesce(family_name, '')), ''))""",
                rs -> new OwedInvitation(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
    }

    /**
     * Stores a user's new password hash, unless the hash is no longer {@code expectedHash} (when given: the one the
     * caller checked the current password against; a concurrent change won). The version moves only when the user
     * was INVITED and becomes ACTIVE: a password alone is not what a batch's plan looked at. False when nothing was
     * written.
     */
    public static boolean storePassword(Connection c, UUID id, String expectedHash, String newHash) throws SQLException {
        return Jdbc.update(c, """
                UPDATE directory_user SET password_hash = ?, updated_at = now(), invite_on_activation = false,
                       status = CASE WHEN status = 'INVITED' THEN 'ACTIVE' ELSE status END,
                       version = CASE WHEN status = 'INVITED' THEN version + 1 ELSE version END
                 WHERE id = ? AND (?::text IS NULL OR password_hash = ?)""", newHash, id, expectedHash, expectedHash) == 1;
    }

    /**
     * Replaces a hash that was just verified with one of the same password at Roster's own parameters (an imported
     * bcrypt or costly Argon2id hash): the same password, so neither the version nor updated_at moves. False when
     * the stored hash changed meanwhile (nothing written).
     */
    public static boolean rehash(Connection c, UUID id, String verifiedHash, String newHash) throws SQLException {
        return Jdbc.update(c, "UPDATE directory_user SET password_hash = ? WHERE id = ? AND password_hash = ?", newHash, id,
                verifiedHash) == 1;
    }

    /** Moves the users' versions (a membership of theirs changed). */
    public static void bumpVersions(Connection c, Collection<UUID> ids) throws SQLException {
        if (!ids.isEmpty()) {
            Jdbc.update(c, "UPDATE directory_user SET version = version + 1, updated_at = now() WHERE id = ANY(?)",
                    c.createArrayOf("uuid", ids.toArray()));
        }
    }
}
