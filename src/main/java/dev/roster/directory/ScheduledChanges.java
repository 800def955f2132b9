package dev.roster.directory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;

import dev.roster.plan.Schedule;
import dev.roster.sql.Jdbc;

/**
 * The one writer of scheduled_change (#26, decisions 0037 and 0039): after a batch's writes (or a SCIM write), the
 * pending activations, suspensions and leaver deletes of the users whose dates it changed follow the dates (moved,
 * cancelled, scheduled); a revert cancels
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
               -- containment, not a set-returning expansion per row: the plans without dates pay little for this (#27)
               AND (p.fields @> '[{"name": "start_date"}]' OR p.fields @> '[{"name": "end_date"}]'
                    OR p.fields @> '[{"name": "timezone"}]')""";

    private static final String CANCEL_PENDING = """
            UPDATE scheduled_change SET status = 'CANCELLED', closed_at = ?, closed_reason = ?
             WHERE status = 'PENDING' AND user_id IN (%s)""";

    /**
     * The changes a user's dates imply, for the users of {@code %s}: an activation of a SUSPENDED user at the
     * activation hour of the start date; a suspension at the end of the end date; with the leaver policy, a DELETE at
     * the end of the day N days after the end date (decision 0039), only beside a suspension still ahead. Each only
     * when its instant is ahead; never for a deleted user.
     */
    private static final String SCHEDULE = """
            INSERT INTO scheduled_change (id, user_id, kind, due_on, due_at, batch_id, origin, created_at)
            SELECT gen_random_uuid(), u.id, x.kind, x.due_on, x.due_at, ?::uuid, ?::text, ?::timestamptz
              FROM directory_user u
             CROSS JOIN LATERAL (VALUES
                   ('ACTIVATE', u.start_date, (u.start_date + make_interval(hours => ?::int)) AT TIME ZONE coalesce(u.timezone, ?::text),
                    u.status = 'SUSPENDED'),
                   ('SUSPEND', u.end_date, (u.end_date + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?::text), true),
                   ('DELETE', u.end_date + ?::int, (u.end_date + ?::int + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?::text),
                    (u.end_date + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?::text) > ?::timestamptz)
                   ) AS x(kind, due_on, due_at, applies)
             WHERE u.id IN (%s) AND u.status <> 'DELETED' AND x.applies AND x.due_on IS NOT NULL AND x.due_at > ?::timestamptz""";

    /** Moves, cancels and schedules the dated changes of the users whose dates this batch set; returns how many it scheduled. */
    public static long followDates(Connection c, UUID batchId, Schedule schedule) throws SQLException {
        Jdbc.update(c, CANCEL_PENDING.formatted(DATED_USERS), Timestamp.from(schedule.now()), "dates changed by batch " + batchId,
                batchId);
        return schedule(c, DATED_USERS, batchId, batchId, null, schedule);
    }

    /**
     * A single-user write (SCIM, decision 0039) set the user's start or end date: their pending changes follow the
     * dates as a batch's users do ({@link #followDates}), with {@code origin} naming the writer instead of a batch.
     */
    public static long followUser(Connection c, UUID userId, String origin, Schedule schedule) throws SQLException {
        Jdbc.update(c, CANCEL_PENDING.formatted("?::uuid"), Timestamp.from(schedule.now()), "dates changed by " + origin, userId);
        return schedule(c, "?::uuid", userId, null, origin, schedule);
    }

    private static long schedule(Connection c, String users, UUID usersArg, UUID batchId, String origin, Schedule schedule)
            throws SQLException {
        Timestamp now = Timestamp.from(schedule.now());
        String zone = schedule.zone().getId();
        Integer days = schedule.leaverDeleteAfterDays();
        return Jdbc.update(c, SCHEDULE.formatted(users), batchId, origin, now, schedule.activationHour(), zone, zone,
                days, days, zone, zone, now, usersArg, now);
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
     * One row per user (the latest due change when several fell due while Roster was down): an UPDATE with the status
     * before and after, or a DELETE of a leaver (decision 0039), with the batch (or writer) that scheduled it as a field
     * of its own, so the user's audit event names it. A user already in the target status, or deleted, is UNCHANGED
     * with a note; so is a leaver who is not suspended any more (reactivated by hand) when their delete falls due.
     */
    private static final String DUE_ITEMS = """
            INSERT INTO plan_item (batch_id, line, kind, key, user_id, planned_version, fields, messages, has_warning,
                                   send_invite, ord, kind_ord)
            SELECT ?::uuid, r.line, r.kind, r.key, r.user_id, r.version, r.fields, r.messages, false, false,
                   r.line, row_number() OVER (PARTITION BY r.kind ORDER BY r.line)
              FROM (SELECT row_number() OVER (ORDER BY y.due_at, y.email, y.user_id) AS line,
                           CASE WHEN y.idle THEN 'UNCHANGED' WHEN y.kind = 'DELETE' THEN 'DELETE' ELSE 'UPDATE' END AS kind,
                           lower(coalesce(y.email, y.username)) AS key, y.user_id, y.version,
                           CASE WHEN y.idle THEN '[]'::jsonb
                                ELSE jsonb_build_array(jsonb_build_object('name', 'status', 'before', y.status, 'after', y.target),
                                                       jsonb_build_object('name', 'scheduled_by', 'before', NULL,
                                                                          'after', coalesce(y.batch_id::text, y.origin)))
                           END AS fields,
                           jsonb_build_array(jsonb_build_object('severity', 'NOTE', 'column', NULL, 'text',
                               CASE y.kind WHEN 'ACTIVATE' THEN 'activates on ' WHEN 'SUSPEND' THEN 'leaves on '
                                           ELSE 'deleted under the leaver policy on ' END
                               || to_char(y.due_on, 'FMDD Mon YYYY')
                               || coalesce(', scheduled by batch ' || y.batch_id::text, ', scheduled by ' || upper(y.origin),
                                           ', scheduled on the calendar')
                               || CASE WHEN y.status = 'DELETED' THEN '; the user is deleted, nothing to do'
                                       WHEN y.kind = 'DELETE' AND y.idle
                                       THEN '; the user is ' || y.status || ', not suspended: not deleted'
                                       WHEN y.idle THEN '; the user is ' || y.status || ' already' ELSE '' END)) AS messages
                      FROM (SELECT x.*,
                                   CASE x.kind
                                     WHEN 'ACTIVATE' THEN x.status <> 'SUSPENDED'
                                     WHEN 'SUSPEND' THEN x.status IN ('SUSPENDED', 'DELETED')
                                     -- a leaver whose suspension runs in this very run (Roster was down) is deleted too
                                     ELSE x.status = 'DELETED' OR (x.status <> 'SUSPENDED' AND NOT x.suspended_now)
                                   END AS idle
                              FROM (SELECT DISTINCT ON (s.user_id) s.user_id, s.kind, s.due_on, s.due_at, s.batch_id, s.origin,
                                           CASE s.kind WHEN 'ACTIVATE' THEN 'ACTIVE' WHEN 'SUSPEND' THEN 'SUSPENDED'
                                                       ELSE 'DELETED' END AS target,
                                           u.status, u.email, u.username, u.version,
                                           -- over the run's own rows (the window runs before DISTINCT ON): a correlated
                                           -- EXISTS here probed the run_batch_id index per row, quadratic in the run
                                           bool_or(s.kind = 'SUSPEND') OVER (PARTITION BY s.user_id) AS suspended_now
                                      FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id
                                     WHERE s.run_batch_id = ? AND s.status = 'PENDING'
                                     ORDER BY s.user_id, s.due_at DESC) x) y) r""";

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

    /**
     * As {@link #markRun(Connection, UUID, java.time.Instant)}, and with the leaver policy set, every leaver this run
     * suspended who has no pending delete gets one, N days after the day of the suspension (decision 0039): a policy
     * set after the end date was written still applies to it.
     */
    public static void markRun(Connection c, UUID batchId, Schedule schedule) throws SQLException {
        markRun(c, batchId, schedule.now());
        Integer days = schedule.leaverDeleteAfterDays();
        if (days == null) {
            return;
        }
        Jdbc.update(c, """
                INSERT INTO scheduled_change (id, user_id, kind, due_on, due_at, batch_id, origin, created_at)
                SELECT gen_random_uuid(), s.user_id, 'DELETE', s.due_on + ?::int,
                       (s.due_on + ?::int + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?::text), s.batch_id, s.origin, ?
                  FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id AND u.status = 'SUSPENDED'
                 WHERE s.run_batch_id = ? AND s.kind = 'SUSPEND' AND s.status = 'DONE'
                   AND NOT EXISTS (SELECT 1 FROM scheduled_change d WHERE d.user_id = s.user_id AND d.kind = 'DELETE'
                                      AND (d.status = 'PENDING' OR d.run_batch_id = s.run_batch_id))
                ON CONFLICT (user_id, kind) WHERE status = 'PENDING' DO NOTHING""",
                days, days, schedule.zone().getId(), Timestamp.from(schedule.now()), batchId);
    }

    /**
     * An operator cancels one pending change (the calendar); false when it is not pending any more. Cancelling a
     * suspension cancels the leaver's delete that follows it (decision 0039).
     */
    public static boolean cancel(Connection c, UUID id, String by, java.time.Instant now) throws SQLException {
        boolean cancelled = Jdbc.update(c, "UPDATE scheduled_change SET status = 'CANCELLED', closed_at = ?, "
                + "closed_reason = 'cancelled by ' || ? WHERE id = ? AND status = 'PENDING'", Timestamp.from(now), by, id) == 1;
        if (cancelled) {
            Jdbc.update(c, """
                    UPDATE scheduled_change d SET status = 'CANCELLED', closed_at = ?, closed_reason = 'its suspension was cancelled by ' || ?
                      FROM scheduled_change s
                     WHERE s.id = ? AND s.kind = 'SUSPEND' AND d.user_id = s.user_id AND d.kind = 'DELETE' AND d.status = 'PENDING'""",
                    Timestamp.from(now), by, id);
        }
        return cancelled;
    }

    /**
     * An operator moves one pending change to another day; its hour follows the schedule and the user's zone. A moved
     * suspension takes the leaver's pending delete with it, the same number of days later (decision 0039).
     */
    public static void move(Connection c, UUID id, java.time.LocalDate dueOn, Schedule schedule) throws SQLException {
        String zone = schedule.zone().getId();
        Jdbc.update(c, """
                UPDATE scheduled_change d SET due_on = d.due_on + (?::date - s.due_on),
                       due_at = ((d.due_on + (?::date - s.due_on) + 1)::timestamp AT TIME ZONE coalesce(u.timezone, ?))
                  FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id
                 WHERE s.id = ? AND s.kind = 'SUSPEND' AND s.status = 'PENDING'
                   AND d.user_id = s.user_id AND d.kind = 'DELETE' AND d.status = 'PENDING'""",
                dueOn, dueOn, zone, id);
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
            return switch (kind) {
                case "ACTIVATE" -> "activates";
                case "SUSPEND" -> "is suspended at the end of the day";
                default -> "is deleted at the end of the day (leaver policy)";
            };
        }
    }

    public static java.util.List<Pending> pendingOf(Connection c, UUID userId) throws SQLException {
        return Jdbc.list(c, "SELECT kind, due_on, due_at, batch_id FROM scheduled_change WHERE user_id = ? AND status = 'PENDING' "
                + "ORDER BY due_at", rs -> new Pending(rs.getString(1), rs.getObject(2, java.time.LocalDate.class),
                rs.getTimestamp(3).toInstant(), rs.getObject(4, UUID.class)), userId);
    }
}
