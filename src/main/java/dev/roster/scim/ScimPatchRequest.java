package dev.roster.scim;

import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A PatchOp request (RFC 7644 §3.5.2) checked on its own, before the resource is looked up (decision 0033); what
 * its operations do to a resource is {@link ScimPatch}'s.
 */
final class ScimPatchRequest {

    private ScimPatchRequest() {
    }

    /** Attributes no PATCH may name in its path (RFC 7643 readOnly: the server sets them). */
    static final Set<String> READ_ONLY = Set.of("id", "meta", "groups", "schemas");

    /**
     * Checks a PatchOp body without the resource (RFC 7644 §3.5.2, §3.12): its schema, a non-empty Operations list,
     * each op add/replace/remove with what it needs, each path well formed and not read-only. Called before the
     * resource is looked up, so a malformed PATCH is 400 whether or not its target exists. Returns the operations.
     */
    static JsonNode check(JsonNode body) {
        ScimMessages.message(body, ScimMedia.PATCH_SCHEMA, "A PATCH");
        JsonNode ops = ScimAttributes.field(body, "Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw ScimException.invalidSyntax("A PATCH body needs \"Operations\": a non-empty list of {\"op\", \"path\", \"value\"}.");
        }
        if (ops.size() > 1000) {
            throw new ScimException(413, "tooMany", "A PATCH may carry at most 1,000 operations.");
        }
        ObjectNode scratch = JsonNodeFactory.instance.objectNode();
        for (JsonNode op : ops) {
            if (!op.isObject()) {
                throw ScimException.invalidSyntax("Each operation is an object {\"op\", \"path\", \"value\"}, not " + op + ".");
            }
            String name = name(op);
            if (!name.equals("add") && !name.equals("replace") && !name.equals("remove")) {
                throw ScimException.invalidSyntax("\"op\" is add, replace or remove, not \"" + ScimAttributes.text(op, "op") + "\".");
            }
            JsonNode path = ScimAttributes.field(op, "path");
            JsonNode value = ScimAttributes.field(op, "value");
            if (path == null || path.isNull() || path.asText().isBlank()) {
                if (name.equals("remove")) {
                    throw ScimException.noTarget("A remove needs a path.");
                }
                if (value == null || !value.isObject()) {
                    throw ScimException.invalidValue("An " + name + " without a path needs an object of attributes as its value.");
                }
                continue;
            }
            if (!path.isTextual()) {
                throw ScimException.invalidPath("\"path\" is a string such as \"name.givenName\", not " + path + ".");
            }
            if (!name.equals("remove") && value == null) {
                throw ScimException.invalidValue("An " + name + " of \"" + path.asText() + "\" needs a value.");
            }
            ScimPatch.Target target = ScimPatch.target(scratch, path.asText());
            if (target.container() == scratch && READ_ONLY.contains(target.attr().toLowerCase(Locale.ROOT))) {
                throw ScimException.mutability("\"" + path.asText() + "\" is read-only: the server sets it.");
            }
            if (target.filter() != null) {
                filter(target.filter(), path.asText());
            }
        }
        return ops;
    }

    static String name(JsonNode op) {
        JsonNode n = ScimAttributes.field(op, "op");
        return n == null || !n.isTextual() ? "" : n.asText().strip().toLowerCase(Locale.ROOT);
    }

    /** A value filter in a path; a malformed one makes the path invalid (invalidPath, not invalidFilter). */
    static ScimFilter filter(String text, String rawPath) {
        try {
            return ScimFilter.parse(text);
        } catch (ScimException e) {
            throw ScimException.invalidPath("\"" + rawPath + "\": " + e.getMessage());
        }
    }
}
