package dev.roster.batch.apply;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.batch.state.Batch;
import dev.roster.csv.ColumnNames;
import dev.roster.directory.UserEvents;
import dev.roster.group.GroupEvents;
import dev.roster.group.MembershipEvents;
import dev.roster.plan.GroupNames;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The audit events an apply writes, streamed from its plan in file order: one per change (two for an
 * invited create), then batch.applied (and batch.reverted for a revert). Reported as progress.
 */
@ApplicationScoped
class ApplyAuditDrafts {

    static final TypeReference<List<Map<String, String>>> FIELDS = new TypeReference<>() {
    };

    @Inject
    ObjectMapper json;

    /**
     * A created user's name in its events: the email, or the username of a user without email (decisions/0031).
     * Read from the fields Java parses anyway: as a subquery per row it was the plan query's own cost (#27).
     */
    static String createdName(List<Map<String, String>> fields) {
        String username = null;
        for (Map<String, String> field : fields) {
            String name = field.get("name");
            if ("email".equals(name) && field.get("after") != null) {
                return field.get("after");
            }
            if ("username".equals(name)) {
                username = field.get("after");
            }
        }
        return username;
    }

    /** One audit event per change (two for an invited create), then batch.applied, in file order. */
    Iterator<AuditEventDraft> of(Connection read, Batch batch, ApplyEngine.Progress progress) throws SQLException {
        PlanPages pages = new PlanPages(read, """
                SELECT p.line, p.kind, coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)), p.fields::text,
                       """ + ApplySql.INVITES_AT_CREATE + """
                       , p.password_hash IS NOT NULL, coalesce(u.email, u.username),
                       u.status, NULL, p.group_id
                  -- a probe per targeted user (LIMIT: never flattened into a join, which hashed the whole directory for a plan of creates)
                  FROM plan_item p LEFT JOIN LATERAL (SELECT email, username, status FROM directory_user
                                                       WHERE p.user_id IS NOT NULL AND id = p.user_id LIMIT 1) u ON true
                 WHERE p.batch_id = ? AND p.line > ?
                   AND p.kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET', 'GROUP_CREATE', 'GROUP_UPDATE', 'GROUP_DELETE',
                                  'MEMBER_ADD', 'MEMBER_REMOVE')
                 ORDER BY p.line LIMIT ?""", batch.id, 2000);
        Deque<AuditEventDraft> pending = new ArrayDeque<>();
        GroupIds groupIds = batch.touchesGroups() ? new GroupIds(read, batch.id) : null;
        long[] rows = { 0 };
        boolean[] closed = { false };
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (!pending.isEmpty()) {
                    return true;
                }
                if (closed[0]) {
                    return false;
                }
                try {
                    if (pages.next()) {
                        readRow(pages.row());
                    } else {
                        closed[0] = true;
                        pending.add(appliedEvent(batch, rows[0]));
                        if (batch.revertsBatch != null) {
                            pending.add(new AuditEventDraft(AuditAction.BATCH_REVERTED, null, null, batch.revertsBatch,
                                    Map.of("revertedBy", batch.id.toString())));
                        }
                    }
                } catch (SQLException | IOException e) {
                    throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
                }
                return !pending.isEmpty();
            }

            @Override
            public AuditEventDraft next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.poll();
            }

            private void readRow(ResultSet rs) throws SQLException, IOException {
                long line = rs.getLong(1);
                String kind = rs.getString(2);
                UUID userId = rs.getObject(3, UUID.class);
                List<Map<String, String>> fields = json.readValue(rs.getString(4), FIELDS);
                switch (kind) {
                    case "CREATE" -> {
                        String email = createdName(fields);
                        pending.add(UserEvents.created(userId, email, batch.id, line, fields, rs.getBoolean(6), null));
                        if (rs.getBoolean(5)) {
                            pending.add(new AuditEventDraft(AuditAction.INVITE_ISSUED, userId, email, batch.id,
                                    Map.of("line", line)));
                        }
                    }
                    case "UPDATE" -> pending.add(UserEvents.updated(userId, rs.getString(7), batch.id, line, fields, null));
                    case "GROUP_CREATE", "GROUP_UPDATE", "GROUP_DELETE" -> pending.add(groupEvent(batch.id, kind, line, fields,
                            groupIds.id(rs.getObject(10, UUID.class), line, name(fields, "name"))));
                    case "MEMBER_ADD", "MEMBER_REMOVE" -> {
                        String group = name(fields, "group");
                        pending.add(MembershipEvents.of(kind.equals("MEMBER_ADD"), userId, rs.getString(7), batch.id, line,
                                groupIds.byName(rs.getObject(10, UUID.class), group), group));
                    }
                    case "DELETE" -> pending.add(UserEvents.deleted(userId, rs.getString(7), batch.id, line, rs.getString(8), null));
                    default -> pending.add(new AuditEventDraft(AuditAction.PASSWORD_RESET_ISSUED, userId, rs.getString(7),
                            batch.id, Map.of("line", line)));
                }
                if (groupIds != null && (kind.equals("CREATE") || kind.equals("UPDATE"))) {
                    String email = kind.equals("CREATE") ? createdName(fields) : rs.getString(7);
                    for (Map<String, String> field : fields) {
                        if (ColumnNames.GROUPS.equals(field.get("name"))) {
                            List<String> before = GroupNames.parse(field.get("before"));
                            List<String> after = GroupNames.parse(field.get("after"));
                            for (String group : GroupNames.minus(after, before)) {
                                pending.add(MembershipEvents.of(true, userId, email, batch.id, line, groupIds.byName(null, group), group));
                            }
                            for (String group : GroupNames.minus(before, after)) {
                                pending.add(MembershipEvents.of(false, userId, email, batch.id, line, groupIds.byName(null, group), group));
                            }
                        }
                    }
                }
                rows[0]++;
                if (rows[0] % 1000 == 0) {
                    progress.done(rows[0]);
                }
            }
        };
    }

    private static AuditEventDraft groupEvent(UUID batchId, String kind, long line, List<Map<String, String>> fields, UUID groupId) {
        String name = name(fields, "name");
        String action = switch (kind) {
            case "GROUP_CREATE" -> AuditAction.GROUP_CREATED;
            case "GROUP_DELETE" -> AuditAction.GROUP_DELETED;
            default -> fields.stream().anyMatch(f -> "status".equals(f.get("name"))) ? AuditAction.GROUP_RESTORED
                    : AuditAction.GROUP_UPDATED;
        };
        Map<String, Object> more = new LinkedHashMap<>();
        if (action.equals(AuditAction.GROUP_DELETED)) {
            String members = fields.stream().filter(f -> "members".equals(f.get("name"))).map(f -> f.get("before"))
                    .findFirst().orElse("0");
            more.put("memberships", Long.parseLong(members));
        } else {
            more.put("fields", fields.stream().filter(f -> !"status".equals(f.get("name"))).toList());
        }
        return GroupEvents.of(action, batchId, line, groupId, name, more);
    }

    /** A group's name as a change names it: after for a create or rename, before for a delete. */
    private static String name(List<Map<String, String>> fields, String field) {
        for (Map<String, String> f : fields) {
            if (field.equals(f.get("name"))) {
                return f.get("after") != null ? f.get("after") : f.get("before");
            }
        }
        return null;
    }

    /**
     * Group ids by name for the events: groups this batch creates (ids from batch and line, as the insert made
     * them; the reading connection cannot see them yet) and live groups looked up once per name.
     */
    private static final class GroupIds {
        private final Map<String, UUID> created = new java.util.HashMap<>();
        private final Map<String, UUID> existing = new java.util.HashMap<>();
        private final Connection read;
        private final UUID batchId;

        GroupIds(Connection read, UUID batchId) throws SQLException {
            this.read = read;
            this.batchId = batchId;
            try (PreparedStatement ps = read.prepareStatement(
                    "SELECT key, line FROM plan_item WHERE batch_id = ? AND kind = 'GROUP_CREATE'")) {
                ps.setObject(1, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        created.put(rs.getString(1), CreatedUserIds.of(batchId, rs.getLong(2)));
                    }
                }
            }
        }

        /** The row's own group id, else the created group's (a group row creating it). */
        UUID id(UUID rowGroupId, long line, String name) {
            return rowGroupId != null ? rowGroupId : CreatedUserIds.of(batchId, line);
        }

        UUID byName(UUID rowGroupId, String name) throws SQLException {
            if (rowGroupId != null || name == null) {
                return rowGroupId;
            }
            String lower = GroupNames.lower(name);
            UUID id = created.get(lower);
            if (id != null) {
                return id;
            }
            if (!existing.containsKey(lower)) {
                if (existing.size() > 10_000) {
                    existing.clear();
                }
                try (PreparedStatement ps = read.prepareStatement(
                        "SELECT id FROM user_group WHERE deleted_at IS NULL AND lower(name) = ?")) {
                    ps.setString(1, lower);
                    try (ResultSet rs = ps.executeQuery()) {
                        existing.put(lower, rs.next() ? rs.getObject(1, UUID.class) : null);
                    }
                }
            }
            return existing.get(lower);
        }
    }

    private static AuditEventDraft appliedEvent(Batch batch, long rows) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fileName", batch.fileName);
        details.put("sha256", batch.sha256);
        details.put("changes", rows);
        details.put("create", batch.countCreate);
        details.put("update", batch.countUpdate);
        details.put("delete", batch.countDelete);
        details.put("reset", batch.countReset);
        details.put("skippedErrors", batch.countError);
        if (batch.touchesGroups()) {
            details.put("groupCreate", batch.countGroupCreate);
            details.put("groupUpdate", batch.countGroupUpdate);
            details.put("groupDelete", batch.countGroupDelete);
            details.put("membershipAdd", batch.countMembershipAdd);
            details.put("membershipRemove", batch.countMembershipRemove);
        }
        return new AuditEventDraft(AuditAction.BATCH_APPLIED, null, null, batch.id, details);
    }
}
