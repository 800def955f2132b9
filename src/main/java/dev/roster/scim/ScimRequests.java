package dev.roster.scim;

import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.ws.rs.core.Response;

/** What every SCIM resource does with a request: read the body, spot a dry run, answer in SCIM JSON. */
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

    static Response answer(int status, ObjectNode body, String etag, String location) {
        Response.ResponseBuilder r = Response.status(status);
        if (body != null) {
            r.type(ScimMedia.SCIM_JSON).entity(body.toString());
        }
        if (etag != null) {
            r.header("ETag", etag);
        }
        if (location != null) {
            r.header("Location", location);
        }
        return r.build();
    }

    static Response answer(ScimUsers.Outcome outcome) {
        String location = outcome.status() == 201 && outcome.body() != null
                ? outcome.body().path("meta").path("location").asText(null) : null;
        return answer(outcome.status(), outcome.body(), outcome.etag(), location);
    }
}
