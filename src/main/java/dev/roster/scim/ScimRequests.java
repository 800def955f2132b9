package dev.roster.scim;

import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.ws.rs.core.UriInfo;


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

    /**
     * A resource id from a path; null when it is not an id Roster makes, so no resource has it: the lookup answers 404,
     * but only after the request's syntax was checked (RFC 7644 §3.12: a malformed request is 400 whatever its target).
     */
    static UUID id(String id) {
        return ScimQuery.uuid(id);
    }

    /**
     * The cursor query parameter (RFC 9865): its value, "" when it is there without one ({@code ?cursor} or
     * {@code ?cursor=}, the first page), null when absent (index paging).
     */
    static String cursor(UriInfo uri) {
        java.util.List<String> values = uri.getQueryParameters().get("cursor");
        return values == null ? null : values.isEmpty() || values.get(0) == null ? "" : values.get(0);
    }
}
