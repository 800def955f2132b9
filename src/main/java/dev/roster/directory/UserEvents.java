package dev.roster.directory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;

/**
 * The one place that builds user.* audit events, for every writer of directory_user (batch apply, SCIM, the
 * directory's restore and purge): the same details in the same order whoever wrote the change. {@code line} is the
 * batch file's line (null outside a batch), {@code source} the protocol that asked (e.g. "scim", null for batches).
 */
public final class UserEvents {

    private UserEvents() {
    }

    public static AuditEventDraft created(UUID user, String email, UUID batch, Long line, Object fields,
            boolean passwordImported, String source) {
        Map<String, Object> details = start(line);
        details.put("fields", fields);
        if (passwordImported) {
            details.put("passwordImported", true);
        }
        return draft(AuditAction.USER_CREATED, user, email, batch, details, source);
    }

    public static AuditEventDraft updated(UUID user, String email, UUID batch, Long line, Object fields, String source) {
        Map<String, Object> details = start(line);
        details.put("fields", fields);
        return draft(AuditAction.USER_UPDATED, user, email, batch, details, source);
    }

    public static AuditEventDraft deleted(UUID user, String email, UUID batch, Long line, String statusBefore, String source) {
        Map<String, Object> details = start(line);
        details.put("statusBefore", statusBefore);
        return draft(AuditAction.USER_DELETED, user, email, batch, details, source);
    }

    public static AuditEventDraft restored(UUID user, String email, String statusAfter) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fields", List.of(Map.of("name", "status", "before", "DELETED", "after", statusAfter)));
        return new AuditEventDraft(AuditAction.USER_RESTORED, user, email, null, details);
    }

    public static AuditEventDraft purged(UUID user, String email, String deletedAt, String retention) {
        return new AuditEventDraft(AuditAction.USER_PURGED, user, email, null, Map.of("deletedAt", deletedAt, "retention", retention));
    }

    private static Map<String, Object> start(Long line) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (line != null) {
            details.put("line", line);
        }
        return details;
    }

    private static AuditEventDraft draft(String action, UUID user, String email, UUID batch, Map<String, Object> details,
            String source) {
        if (source != null) {
            details.put("source", source);
        }
        return new AuditEventDraft(action, user, email, batch, details);
    }
}
