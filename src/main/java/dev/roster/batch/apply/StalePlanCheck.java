package dev.roster.batch.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roster.batch.state.ApplyConflict;
import dev.roster.batch.state.Batch;

/**
 * Whether a plan still fits the directory: every targeted user still has the version the plan
 * recorded, every create's email and external id is still free. Run without locks before an apply
 * is claimed (a quick answer) and again under the apply's locks.
 */
final class StalePlanCheck {

    private StalePlanCheck() {
    }

    /**
     * The stale rows of the batch's plan as the connection sees the directory now (at most 1000 per kind), by line.
     * Only the checks the plan's totals call for: each one reads every plan row of its kinds and expands their fields,
     * so a plain onboarding of 100k rows paid over a second per check for group and manager queries that could find
     * nothing (#27; the check runs twice per apply: before the claim and under the apply's locks).
     */
    static List<ApplyConflict> find(Connection c, Batch batch) throws SQLException {
        return find(c, batch, true);
    }

    /**
     * As {@link #find(Connection, Batch)}; without {@code takenKeys} it leaves out the creates' emails and external
     * ids, which the directory's unique indexes refuse anyway: the apply checks them before its claim and lets the
     * indexes guard the moment between (ApplyEngine names the lines when one refuses).
     */
    static List<ApplyConflict> find(Connection c, Batch batch, boolean takenKeys) throws SQLException {
        List<String> checks = new ArrayList<>();
        if (batch.countUpdate + batch.countDelete + batch.countReset + batch.countMemberRows > 0) {
            checks.add(ApplySql.STALE_TARGETS);
        }
        if (takenKeys && batch.countCreate > 0) {
            checks.addAll(List.of(ApplySql.TAKEN_EMAILS, ApplySql.TAKEN_EXTERNAL_IDS));
        }
        if (batch.touchesGroups()) {
            checks.addAll(List.of(ApplyGroupSql.STALE_GROUPS, ApplyGroupSql.MISSING_GROUPS, ApplyGroupSql.TAKEN_GROUP_NAMES));
        }
        if (batch.countManagerChange > 0) {
            checks.add(ApplyGroupSql.MISSING_MANAGERS);
        }
        return find(c, batch.id, checks);
    }

    private static List<ApplyConflict> find(Connection c, UUID batchId, List<String> checks) throws SQLException {
        List<ApplyConflict> conflicts = new ArrayList<>();
        for (String sql : checks) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                    ps.setObject(i, batchId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        conflicts.add(conflict(rs, sql));
                    }
                }
            }
        }
        conflicts.sort((a, b) -> Long.compare(a.line(), b.line()));
        return conflicts;
    }

    private static ApplyConflict conflict(ResultSet rs, String sql) throws SQLException {
        long line = rs.getLong(1);
        String kind = rs.getString(2);
        String key = rs.getString(3);
        UUID userId = rs.getObject(4, UUID.class);
        Long planned = rs.getObject(5) == null ? null : rs.getLong(5);
        Long current = rs.getObject(6) == null ? null : rs.getLong(6);
        String reason;
        if (sql == ApplySql.STALE_TARGETS) {
            reason = current == null ? "the user no longer exists"
                    : "the user changed since the plan (version " + planned + " then, " + current + " now; status "
                            + rs.getString(7) + ", " + rs.getString(8) + ")";
        } else if (sql == ApplyGroupSql.STALE_GROUPS) {
            reason = current == null ? "the group no longer exists"
                    : "the group \"" + rs.getString(8) + "\" changed since the plan (version " + planned + " then, " + current
                            + " now)";
        } else if (sql == ApplyGroupSql.MISSING_GROUPS) {
            reason = "the group \"" + rs.getString(8) + "\" was renamed or deleted since the plan";
        } else if (sql == ApplyGroupSql.TAKEN_GROUP_NAMES) {
            reason = "a group named \"" + rs.getString(8) + "\" was created since the plan";
        } else if (sql == ApplyGroupSql.MISSING_MANAGERS) {
            reason = "the manager " + rs.getString(8) + (rs.getString(7) == null ? " no longer exists" : " was deleted")
                    + " since the plan";
        } else if (sql == ApplySql.TAKEN_EMAILS) {
            reason = "email " + rs.getString(8) + " now belongs to an existing user (" + userId + ")";
        } else {
            reason = "the external id now belongs to an existing user (" + userId + ", " + rs.getString(8) + ")";
        }
        return new ApplyConflict(line, kind, key, userId, planned, current, reason);
    }
}
