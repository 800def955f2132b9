package dev.roster.scim;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.web.PublicUrl;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

/**
 * How SCIM answers (RFC 7644 §3): ETags and If-Match, locations under roster.public-url (never the Host header),
 * list responses, dry-run answers, error bodies, and the HTTP response itself.
 */
@ApplicationScoped
public class ScimResponses {

    @Inject
    ObjectMapper json;
    @Inject
    PublicUrl publicUrl;

    /** roster.public-url without a trailing slash. */
    String base() {
        String url = publicUrl.value();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    String location(String type, UUID id) {
        return base() + "/scim/v2/" + type + "/" + id;
    }

    static String etag(long version) {
        return "W/\"" + version + "\"";
    }

    /** A rendered resource's ETag (its meta.version). */
    static String etag(ObjectNode resource) {
        return resource.path("meta").path("version").asText(null);
    }

    /** If-Match (absent or * always matches; W/ and quotes optional); 412 when no tag names the current version. */
    static void checkIfMatch(String ifMatch, long version) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return;
        }
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.replace("\"", "").equals(Long.toString(version))) {
                return;
            }
        }
        throw new ScimException(412, null, "The user changed since you read it (now version " + etag(version)
                + "); read it again and retry.");
    }

    /** A ListResponse (RFC 7644 §3.4.2). */
    ObjectNode listResponse(long total, int start, List<ObjectNode> resources) {
        ObjectNode answer = json.createObjectNode();
        answer.putArray("schemas").add(ScimMedia.LIST_SCHEMA);
        // itemsPerPage: the resources in this page (0 when nothing matches), not the count asked for
        answer.put("totalResults", total).put("itemsPerPage", resources.size()).put("startIndex", start);
        ArrayNode list = answer.putArray("Resources");
        resources.forEach(list::add);
        return answer;
    }

    /**
     * A ListResponse of a cursor page (RFC 9865 §2): no startIndex (a cursor page has no index), nextCursor unless the
     * page ends the list, no previousCursor (decision 0043).
     */
    ObjectNode cursorListResponse(long total, List<ObjectNode> resources, String nextCursor) {
        ObjectNode answer = json.createObjectNode();
        answer.putArray("schemas").add(ScimMedia.LIST_SCHEMA);
        answer.put("totalResults", total).put("itemsPerPage", resources.size());
        if (nextCursor != null) {
            answer.put("nextCursor", nextCursor);
        }
        ArrayNode list = answer.putArray("Resources");
        resources.forEach(list::add);
        return answer;
    }

    /** A dry run's answer: the changes in Roster's plan format, nothing written. */
    ObjectNode dryRun(List<ObjectNode> changes) {
        ObjectNode answer = json.createObjectNode();
        answer.put("dryRun", true);
        answer.put("detail", "Nothing was changed: this is what the request would do, in Roster's plan format.");
        ArrayNode list = answer.putArray("changes");
        changes.forEach(list::add);
        return answer;
    }

    /** An error body (RFC 7644 §3.12). */
    static ObjectNode error(ObjectMapper json, int status, String scimType, String detail) {
        ObjectNode body = json.createObjectNode();
        body.putArray("schemas").add(ScimErrors.ERROR_SCHEMA);
        if (scimType != null) {
            body.put("scimType", scimType);
        }
        body.put("detail", detail);
        body.put("status", Integer.toString(status));
        return body;
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

    /** A write's answer; a creation's Location is the created resource's. */
    static Response answer(ScimOutcome outcome) {
        return answer(outcome, null, null);
    }

    /**
     * A write's answer with attributes / excludedAttributes applied to the resource it returns (RFC 7644 §3.9); a dry
     * run's diff and a delete's empty answer are not resources and stay as they are.
     */
    static Response answer(ScimOutcome outcome, String attributes, String excluded) {
        ObjectNode body = outcome.body();
        String location = outcome.status() == 201 && body != null ? body.path("meta").path("location").asText(null) : null;
        if (body != null && body.has("id") && body.has("meta")) {
            body = ScimProjection.of(attributes, excluded).apply(body);
        }
        return answer(outcome.status(), body, outcome.etag(), location);
    }
}
