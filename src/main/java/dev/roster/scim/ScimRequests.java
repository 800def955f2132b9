package dev.roster.scim;

import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


/** What every SCIM resource does with a request: read the body, spot a dry run, parse an id (answers: ScimResponses). */
final class ScimRequests {

    /** The header equivalent of ?dryRun=true. */
    static final String DRY_RUN_HEADER = "Roster-Dry-Run";

    private ScimRequests() {
    }

    static boolean dryRun(String query, String header) {
        return "true".equalsIgnoreCase(query == null ? null : query.strip())
                || "true".equalsIgnoreCase(header == null ? null : header.strip());
    }

    static JsonNode body(ObjectMapper json, String body) {
        if (body == null || body.isBlank()) {
            throw ScimException.invalidSyntax("The request has no body.");
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ScimException.invalidSyntax("The body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static UUID id(String id) {
        UUID parsed = ScimQuery.uuid(id);
        if (parsed == null) {
            throw ScimException.notFound("No resource with id " + id + ".");
        }
        return parsed;
    }
}
