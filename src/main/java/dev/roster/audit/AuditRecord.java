package dev.roster.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** One stored audit event, exactly as hashed: the shape pages, the API and the exports read. */
public record AuditRecord(long seq, UUID id, Instant occurredAt, String actorKind, UUID actorId, String actorName,
        String actorIp, String actorUserAgent, String action, UUID targetUserId, String targetEmail, UUID batchId,
        String details, String prevHash, String hash) {

    /** A field change for display; values are shown as JSON text (null as empty). */
    public record FieldChangeView(String name, String before, String after, boolean redacted) {
    }

    public String occurredAtCanonical() {
        return AuditHash.time(occurredAt);
    }

    /** The details told for a person (AuditSentence); field changes are in {@link #fieldChanges()}. */
    public List<AuditSentence.Part> sentence() {
        return AuditSentence.of(action, detailsJson());
    }

    /** The action with a break allowed after each dot, for narrow columns: "batch.", "applied". */
    public List<String> actionParts() {
        return List.of(action.split("(?<=\\.)"));
    }

    public JsonNode detailsJson() {
        try {
            return AuditDetails.JSON.readTree(details);
        } catch (JsonProcessingException e) {
            return AuditDetails.JSON.getNodeFactory().textNode(details);
        }
    }

    public List<FieldChangeView> fieldChanges() {
        JsonNode fields = detailsJson().path("fields");
        List<FieldChangeView> views = new ArrayList<>();
        if (fields.isArray()) {
            for (JsonNode f : fields) {
                views.add(new FieldChangeView(f.path("name").asText(), shown(f.get("before")), shown(f.get("after")),
                        f.path("redacted").asBoolean(false)));
            }
        }
        return views;
    }

    private static String shown(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    /** Reads the details as a map (for tests and callers that want to look inside). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> detailsMap() {
        try {
            return AuditDetails.JSON.readValue(details, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("details of audit event " + id + " are not JSON", e);
        }
    }
}
