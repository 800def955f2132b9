package dev.roster.directory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;

import dev.roster.plan.Schedule;
import dev.roster.sql.Jdbc;

/**
 * The one writer of scheduled_change (#26, decision 0037): after a batch's writes, the pending activations and
 * suspensions of the users whose dates it changed follow the dates (moved, cancelled, scheduled); a revert cancels
 * the pending changes of the batch it reverts. Runs on the caller's connection, in its transaction.
 */
public final class ScheduledChanges {

    private ScheduledChanges() {
    }

    /** The users of a batch's creates and updates whose start_date, end_date or timezone the plan sets (a new
     * timezone moves the pending changes: they fall in the user's zone). */
    private static final String DATED_USERS = """
            SELECT coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)) FROM plan_item p
             WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE')
               AND EXISTS (SELECT 1 FROM jsonb_array_elements(p.fields) f
                            WHERE f->>'name' IN ('start_date', 'end_date', 'timezone'))""";

    private static final String CANCEL_MOVED = """
            UPDATE scheduled_change SET status = 'CANCELLED', closed_at = ?, closed_reason = 'dates changed by batch ' || ?
             WHERE status = 'PENDING' AND user_id IN (""" + DATED_USERS + ")";

    private static final String ACTIVATE_AT = "((u.start_date + make_interval(hours => ?::int)) AT TIME ZONE coalesce(u.timezone, ?::text))";
    private static final String SUSPEND_AT = "((u.end_date + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?::text))";

    private static final String SCHEDULE = """
            INSERT INTO scheduled_change (id, user_id, kind, due_on, due_at, batch_id, created_at)
            SELECT gen_random_uuid(), u.id, 'ACTIVATE', u.start_date, """ + ACTIVATE_AT + """
                 , ?::uuid, ?::timestamptz
              FROM directory_user u
             WHERE u.id IN (""" + DATED_USERS + """
            ) AND u.status = 'SUSPENDED' AND u.start_date IS NOT NULL AND """ + ACTIVATE_AT + """
             > ?::timestamptz
            UNION ALL
            SELECT gen_random_uuid(), u.id, 'SUSPEND', u.end_date, """ + SUSPEND_AT + """
                 , ?::uuid, ?::timestamptz
              FROM directory_user u
             WHERE u.id IN (""" + DATED_USERS + """
            ) AND u.status <> 'DELETED' AND u.end_date IS NOT NULL AND """ + SUSPEND_AT + """
             > ?::timestamptz""";

    /** Moves, cancels and schedules the dated changes of the users whose dates this batch set; returns how many it scheduled. */
    public static long followDates(Connection c, UUID batchId, Schedule schedule) throws SQLException {
        Timestamp now = Timestamp.from(schedule.now());
        Jdbc.update(c, CANCEL_MOVED, now, batchId.toString(), batchId);
        int hour = schedule.activationHour();
        String zone = schedule.zone().getId();
        return Jdbc.update(c, SCHEDULE, hour, zone, batchId, now, batchId, hour, zone, now,
                zone, batchId, now, batchId, zone, now);
    }

    /** A revert cancels what the reverted batch scheduled and has not run yet. */
    public static long cancelOfBatch(Connection c, UUID revertedBatch, UUID revertingBatch, Schedule schedule) throws SQLException {
        return Jdbc.update(c, "UPDATE scheduled_change SET status = 'CANCELLED', closed_at = ?, closed_reason = 'batch reverted by ' || ? "
                + "WHERE status = 'PENDING' AND batch_id = ?", Timestamp.from(schedule.now()), revertingBatch.toString(), revertedBatch);
    }

    /**
     * A run's batch takes the due pending changes that no live batch holds: one held for approval keeps its own, a
     * failed apply's are taken again. (An operator's discard of a held run cancels its changes: {@link #DISCARDED}.)
     */
    private static final String TAKE_DUE = """
            UPDATE scheduled_change s SET run_batch_id = ?
             WHERE s.status = 'PENDING' AND s.due_at <= ?
               AND (s.run_batch_id IS NULL OR EXISTS (SELECT 1 FROM batch b WHERE b.id = s.run_batch_id AND b.status = 'FAILED'))""";

    /** The changes of a run an operator discarded (or that was rejected) are cancelled, not retried every check. */
    private static final String DISCARDED = """
            UPDATE scheduled_change s SET status = 'CANCELLED', closed_at = ?, closed_reason = 'its run batch was discarded'
             WHERE s.status = 'PENDING' AND s.run_batch_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM batch b WHERE b.id = s.run_batch_id AND b.status IN ('DISCARDED', 'REJECTED'))""";

    /** Cancels the changes of discarded runs; returns how many due changes a new run would take. */
    public static long dueCount(Connection c, java.time.Instant now) throws SQLException {
        Jdbc.update(c, DISCARDED, Timestamp.from(now));
        return Jdbc.one(c, """
                SELECT count(*) FROM scheduled_change s
                 WHERE s.status = 'PENDING' AND s.due_at <= ?
                   AND (s.run_batch_id IS NULL OR EXISTS (SELECT 1 FROM batch b WHERE b.id = s.run_batch_id AND b.status = 'FAILED'))""",
                rs -> rs.getLong(1), Timestamp.from(now)).orElse(0L);
    }

    /**
     * One UPDATE row per user (the latest due change when both fell due while Roster was down): status before and
     * after, and the batch that scheduled it as a field of its own, so the user's audit event names it. A user
     * already in the target status, or deleted, is UNCHANGED with a note.
     */
    private static final String DUE_ITEMS = """
            INSERT INTO plan_item (batch_id, line, kind, key, user_id, planned_version, fields, messages, has_warning,
                                   send_invite, ord, kind_ord)
            SELECT ?::uuid, r.line, r.kind, r.key, r.user_id, r.version, r.fields, r.messages, false, false,
                   r.line, row_number() OVER (PARTITION BY r.kind ORDER BY r.line)
              FROM (SELECT row_number() OVER (ORDER BY x.due_at, x.email, x.user_id) AS line,
                           CASE WHEN x.status = x.target OR x.status = 'DELETED'
                                  OR (x.target = 'ACTIVE' AND x.status <> 'SUSPENDED') THEN 'UNCHANGED' ELSE 'UPDATE' END AS kind,
                           lower(x.email) AS key, x.user_id, x.version,
                           CASE WHEN x.status = x.target OR x.status = 'DELETED'
                                  OR (x.target = 'ACTIVE' AND x.status <> 'SUSPENDED') THEN '[]'::jsonb
                                ELSE jsonb_build_array(jsonb_build_object('name', 'status', 'before', x.status, 'after', x.target),
                                                       jsonb_build_object('name', 'scheduled_by', 'before', NULL,
                                                                          'after', x.batch_id::text))
                           END AS fields,
                           jsonb_build_array(jsonb_build_object('severity', 'NOTE', 'column', NULL, 'text',
                               CASE x.kind WHEN 'ACTIVATE' THEN 'activates on ' ELSE 'leaves on ' END
                               || to_char(x.due_on, 'FMDD Mon YYYY')
                               || coalesce(', scheduled by batch ' || x.batch_id::text, ', scheduled on the calendar')
                               || CASE WHEN x.status = 'DELETED' THEN '; the user is deleted, nothing to do'
                                       WHEN x.status = x.target OR (x.target = 'ACTIVE' AND x.status <> 'SUSPENDED')
                                       THEN '; the user is ' || x.status || ' already' ELSE '' END)) AS messages
                      FROM (SELECT DISTINCT ON (s.user_id) s.user_id, s.kind, s.due_on, s.due_at, s.batch_id,
                                   CASE s.kind WHEN 'ACTIVATE' THEN 'ACTIVE' ELSE 'SUSPENDED' END AS target,
                                   u.status, u.email, u.version
                              FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id
                             WHERE s.run_batch_id = ? AND s.status = 'PENDING'
                             ORDER BY s.user_id, s.due_at DESC) x) r""";

    /** Takes the due changes for a run's batch and writes its plan items; returns how many users it has. */
    public static long planDue(Connection c, UUID batchId, java.time.Instant now) throws SQLException {
        if (Jdbc.update(c, TAKE_DUE, batchId, Timestamp.from(now)) == 0) {
            return 0;
        }
        return Jdbc.update(c, DUE_ITEMS, batchId, batchId);
    }

    /** In the apply's transaction: the changes a scheduled batch ran are done (all or nothing with the apply). */
    public static void markRun(Connection c, UUID batchId, java.time.Instant now) throws SQLException {
        Jdbc.update(c, "UPDATE scheduled_change SET status = 'DONE', closed_at = ?, closed_reason = 'run by batch ' || ? "
                + "WHERE run_batch_id = ? AND status = 'PENDING'", Timestamp.from(now), batchId.toString(), batchId);
    }

    /** An operator cancels one pending change (the calendar); false when it is not pending any more. */
    public static boolean cancel(Connection c, UUID id, String by, java.time.Instant now) throws SQLException {
        return Jdbc.update(c, "UPDATE scheduled_change SET status = 'CANCELLED', closed_at = ?, closed_reason = 'cancelled by ' || ? "
                + "WHERE id = ? AND status = 'PENDING'", Timestamp.from(now), by, id) == 1;
    }

    /** An operator moves one pending change to another day; its hour follows the schedule and the user's zone. */
    public static void move(Connection c, UUID id, java.time.LocalDate dueOn, Schedule schedule) throws SQLException {
        String zone = schedule.zone().getId();
        Jdbc.update(c, """
                UPDATE scheduled_change s SET due_on = ?,
                       due_at = CASE s.kind WHEN 'ACTIVATE'
                                  THEN ((?::date + make_interval(hours => ?)) AT TIME ZONE coalesce(u.timezone, ?))
                                  ELSE ((?::date + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?)) END
                  FROM directory_user u WHERE u.id = s.user_id AND s.id = ? AND s.status = 'PENDING'""",
                dueOn, dueOn, schedule.activationHour(), zone, dueOn, zone, id);
    }

    /**
     * A single-user write (SCIM) changed the user's timezone: their pending changes stay on their days, at the hour
     * those days have in the new zone. (A batch's dated users follow in {@link #followDates}.)
     */
    public static int followZone(Connection c, UUID userId, Schedule schedule) throws SQLException {
        String zone = schedule.zone().getId();
        return Jdbc.update(c, """
                UPDATE scheduled_change s
                   SET due_at = CASE s.kind WHEN 'ACTIVATE'
                                  THEN ((s.due_on + make_interval(hours => ?)) AT TIME ZONE coalesce(u.timezone, ?))
                                  ELSE ((s.due_on + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?)) END
                  FROM directory_user u WHERE u.id = s.user_id AND s.user_id = ? AND s.status = 'PENDING'""",
                schedule.activationHour(), zone, zone, userId);
    }

    /** A pending dated change of one user, for the user page. */
    public record Pending(String kind, java.time.LocalDate dueOn, java.time.Instant dueAt, UUID batchId) {

        public String verb() {
            return kind.equals("ACTIVATE") ? "activates" : "is suspended at the end of the day";
        }
    }

    public static java.util.List<Pending> pendingOf(Connection c, UUID userId) throws SQLException {
        return Jdbc.list(c, "SELECT kind, due_on, due_at, batch_id FROM scheduled_change WHERE user_id = ? AND status = 'PENDING' "
                + "ORDER BY due_at", rs -> new Pending(rs.getString(1), rs.getObject(2, java.time.LocalDate.class),
                rs.getTimestamp(3).toInstant(), rs.getObject(4, UUID.class)), userId);
    }
}
