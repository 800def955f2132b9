package dev.roster.group;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;

/**
 * The one place that builds membership.added / membership.removed events, on the member's history, for every writer
 * of group_membership (batch apply, pages and API, SCIM): details {line (batches), groupId, group}.
 */
public final class MembershipEvents {

    private MembershipEvents() {
    }

    public static AuditEventDraft of(boolean added, UUID user, String email, UUID batch, Long line, UUID groupId, String group) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (line != null) {
            details.put("line", line);
        }
        details.put("groupId", groupId == null ? null : groupId.toString());
        details.put("group", group);
        return new AuditEventDraft(added ? AuditAction.MEMBERSHIP_ADDED : AuditAction.MEMBERSHIP_REMOVED, user, email, batch,
                details);
    }

    /** An event outside a batch. */
    public static AuditEventDraft of(boolean added, UUID user, String email, UUID groupId, String group) {
        return of(added, user, email, null, null, groupId, group);
    }
}
