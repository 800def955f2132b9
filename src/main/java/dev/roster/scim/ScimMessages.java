package dev.roster.scim;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a request body must be before Roster looks up the resource it names (RFC 7644 §3.12, decision 0033): the
 * message schema of a PatchOp, SearchRequest or BulkRequest; a resource's schema URIs and required attributes. A
 * malformed request is 400 whether or not its target exists.
 */
final class ScimMessages {

    static final List<String> USER_EXTENSIONS = List.of(ScimMedia.ENTERPRISE_SCHEMA, ScimMedia.ROSTER_SCHEMA,
            ScimMedia.LIFECYCLE_SCHEMA);
    private static final List<String> CORES = List.of(ScimMedia.USER_SCHEMA, ScimMedia.GROUP_SCHEMA);

    private ScimMessages() {
    }

    /** A message body (PatchOp, SearchRequest, BulkRequest): a JSON object whose "schemas" names {@code schema}. */
    static void message(JsonNode body, String schema, String what) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax(what + " body must be a JSON object with \"schemas\": [\"" + schema + "\"].");
        }
        JsonNode schemas = ScimAttributes.field(body, "schemas");
        if (schemas == null || schemas.isNull()) {
            throw ScimException.invalidSyntax(what + " body needs \"schemas\": [\"" + schema + "\"].");
        }
        if (!names(schemas, schema)) {
            throw ScimException.invalidSyntax(what + " body's \"schemas\" must be [\"" + schema + "\"], not " + schemas + ".");
        }
    }

    /**
     * A resource body (POST, PUT, /Bulk data): a JSON object; "schemas", when given, names the resource's core schema
     * and only schemas of this resource type; the required attributes are there. A body without "schemas" is taken as
     * the resource type of its endpoint (decision 0033).
     */
    static void resource(JsonNode body, String core, List<String> extensions, String... required) {
        String type = core.substring(core.lastIndexOf(':') + 1);
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The body must be a JSON object (a SCIM " + type + ").");
        }
        JsonNode schemas = ScimAttributes.field(body, "schemas");
        if (schemas != null && !schemas.isNull()) {
            if (!schemas.isArray()) {
                throw ScimException.invalidSyntax("\"schemas\" must be a list of schema URIs, e.g. [\"" + core + "\"].");
            }
            for (JsonNode s : schemas) {
                String uri = s.asText("");
                if (!s.isTextual() || !(uri.equalsIgnoreCase(core) || extensions.stream().anyMatch(uri::equalsIgnoreCase))) {
                    boolean otherCore = CORES.stream().anyMatch(uri::equalsIgnoreCase);
                    throw otherCore || !uri.toLowerCase(Locale.ROOT).startsWith("urn:") || uri.contains(":api:messages:")
                            ? ScimException.invalidSyntax("\"schemas\" names " + s + ", which is not a schema of a " + type
                                    + "; a " + type + " is " + core + (extensions.isEmpty() ? "" : " with " + extensions) + ".")
                            : ScimException.invalidValue("\"schemas\" names " + s + ", a schema Roster does not serve: its "
                                    + "attributes would be lost. Roster's " + type + " schemas are " + core
                                    + (extensions.isEmpty() ? "" : " and " + extensions) + " (GET /scim/v2/Schemas).");
                }
            }
            if (!names(schemas, core)) {
                throw ScimException.invalidSyntax("\"schemas\" must include " + core + ".");
            }
        }
        for (String name : required) {
            JsonNode v = ScimAttributes.field(body, name);
            if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
                throw ScimException.invalidValue(name + " is required.");
            }
        }
    }

    private static boolean names(JsonNode schemas, String schema) {
        if (schemas.isTextual()) {
            return false;
        }
        for (JsonNode s : schemas) {
            if (s.isTextual() && s.asText().strip().equalsIgnoreCase(schema)) {
                return true;
            }
        }
        return false;
    }
}
