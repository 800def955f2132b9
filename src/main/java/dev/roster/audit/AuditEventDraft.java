package dev.roster.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An audit event before it is written: what happened, to which user (id and email at the time),
 * from which batch, and a JSON-able details map. Secret-looking keys are stripped when written.
 */
public record AuditEventDraft(String action, UUID targetUserId, String targetEmail, UUID batchId,
        Map<String, Object> details) {

    /** One changed field of a directory user, as {"name", "before", "after"} in the details. */
    public record FieldChange(String name, Object before, Object after) {
    }

    public AuditEventDraft {
        if (action == null || action.isBlank()) {
            throw new IllegalArgumentException("an audit event needs an action");
        }
    }

    public static AuditEventDraft of(String action, Map<String, Object> details) {
        return new AuditEventDraft(action, null, null, null, details);
    }

    /** The details of a user change: {"fields": [{"name": "given_name", "before": "Ann", "after": "Anna"}, ...]}. */
    public static Map<String, Object> fieldDetails(List<FieldChange> changes) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fields", changes.stream().map(c -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", c.name());
            f.put("before", c.before());
            f.put("after", c.after());
            return f;
        }).toList());
        return details;
    }
}
