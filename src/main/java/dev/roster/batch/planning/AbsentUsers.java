package dev.roster.batch.planning;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.MatchKey;
import dev.roster.plan.SyncScope;
import dev.roster.sql.Jdbc;

/**
 * The second half of a sync plan, set-based in SQL after the file's rows are in plan_item: the users
 * of the scope whose key no row of the file carries (an anti-join, never the directory in memory)
 * get the absent policy as plan items of their own, numbered after the file's last line: a suspension
 * is an UPDATE of status, a deletion a DELETE, so apply, audit, revert and the caps treat them as any other.
 */
final class AbsentUsers {

    /** What the scope held and what its absent users get. */
    record Result(long inScope, long suspends, long deletes) {
    }

    private AbsentUsers() {
    }

    /**
     * Adds the absent users' items; {@code ordBase} is the number of items written so far and
     * {@code kindOrdBase} the items of the absent policy's kind already written.
     */
    static Result plan(Connection c, UUID batchId, MatchKey matchBy, SyncScope scope, AbsentPolicy policy, long ordBase,
            long kindOrdBase) throws SQLException {
        List<Object> scopeArgs = new ArrayList<>();
        String inScope = predicate(scope, scopeArgs);
        long live = Jdbc.one(c, "SELECT count(*) FROM directory_user u WHERE " + inScope + " AND u.status <> 'DELETED'",
                rs -> rs.getLong(1), scopeArgs.toArray()).orElse(0L);
        if (policy == AbsentPolicy.LEAVE || live == 0) {
            return new Result(live, 0, 0);
        }
        String key = switch (matchBy) {
            case EMAIL -> "lower(u.email)";
            case EXTERNAL_ID -> "u.external_id";
            case USERNAME -> "lower(coalesce(u.username, u.email))"; // the login name the planner matched by
        };
        boolean suspend = policy == AbsentPolicy.SUSPEND;
        String note = "absent from the file; in the sync's scope (" + scope.describe() + "), so "
                + (suspend ? "suspended" : "deleted");
        long line = Jdbc.one(c, "SELECT coalesce(max(line), 1) FROM plan_item WHERE batch_id = ?", rs -> rs.getLong(1), batchId)
                .orElse(1L);
        List<Object> args = new ArrayList<>();
        args.add(batchId);
        args.add(line);
        args.add(suspend ? "UPDATE" : "DELETE");
        args.add(note);
        args.add(ordBase);
        args.add(kindOrdBase);
        args.addAll(scopeArgs);
        args.add(batchId);
        String fields = suspend
                ? "jsonb_build_array(jsonb_build_object('name', 'status', 'before', u.status, 'after', 'SUSPENDED'))"
                : "'[]'::jsonb";
        // The file's keys are hashed once (an anti-join); a nested loop over stale statistics would be quadratic.
        Jdbc.update(c, "SET LOCAL enable_nestloop = off");
        long added = Jdbc.update(c, """
                INSERT INTO plan_item (batch_id, line, kind, key, user_id, planned_version, fields, messages, has_warning,
                                       send_invite, ord, kind_ord)
                SELECT ?, ? + a.n, ?, coalesce(a.k, lower(coalesce(a.email, a.username))), a.id, a.version, a.fields,
                       jsonb_build_array(jsonb_build_object('severity', 'NOTE', 'column', NULL, 'text', ?::text)),
                       false, false, ? + a.n, ? + a.n
                  FROM (SELECT u.id, u.version, u.email, u.username, %s AS k, %s AS fields,
                               row_number() OVER (ORDER BY lower(coalesce(u.email, u.username)), u.id) AS n
                          FROM directory_user u
                         WHERE %s AND u.status IN (%s)
                           -- a user without the sync's key (no email in an email-keyed sync) cannot be in its file:
                           -- never absent, or every run would suspend or delete it (decisions/0031)
                           AND %s IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM plan_item p WHERE p.batch_id = ? AND p.key = %s)) a"""
                .formatted(key, fields, inScope, suspend ? "'ACTIVE', 'INVITED'" : "'ACTIVE', 'INVITED', 'SUSPENDED'", key, key),
                args.toArray());
        Jdbc.update(c, "SET LOCAL enable_nestloop = on");
        return new Result(live, suspend ? added : 0, suspend ? 0 : added);
    }

    private static String predicate(SyncScope scope, List<Object> args) {
        if (scope.kind() == SyncScope.Kind.SOURCE) {
            args.add(scope.sourceId());
            return "u.source_id = ?";
        }
        args.add(scope.attribute());
        args.add(scope.value());
        return "u.attributes ->> ? = ?";
    }
}
