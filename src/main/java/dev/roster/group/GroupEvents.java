package dev.roster.group;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditEventDraft;

/**
 * The one place that builds group.* audit events, for every writer of user_group (batch apply, pages and API, SCIM):
 * details {line (batches), groupId, group, then what the change adds: fields, memberships, source}.
 */
public final class GroupEvents {

    private GroupEvents() {
    }

    /**
     * A group.* event (action from AuditAction: GROUP_CREATED, _UPDATED, _DELETED, _RESTORED). {@code line}: the
     * batch file's line, null outside a batch; {@code more}: the details after groupId and group, in order.
     */
    public static AuditEventDraft of(String action, UUID batch, Long line, UUID groupId, String group, Map<String, Object> more) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (line != null) {
            details.put("line", line);
        }
        details.put("groupId", groupId == null ? null : groupId.toString());
        details.put("group", group);
        details.putAll(more);
        return new AuditEventDraft(action, null, null, batch, details);
    }

    /** An event outside a batch. */
    public static AuditEventDraft of(String action, UUID groupId, String group, Map<String, Object> more) {
        return of(action, null, null, groupId, group, more);
    }
}
