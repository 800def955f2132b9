package dev.roster.scim;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading a SCIM document's attributes as RFC 7643 wants them: names in any case, multi-valued primaries, "True". */
final class ScimAttributes {

    private ScimAttributes() {
    }

    /** A field by name in any case (attribute names are case-insensitive). */
    static JsonNode field(JsonNode node, String name) {
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
    static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw ScimException.invalidValue(name + " must be a single value, not " + (v.isArray() ? "a list" : "an object") + ".");
        }
        return v.asText();
    }
    /** true/false, also as the strings "True"/"False" (Entra). */
    static Boolean bool(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String t = v.asText().strip().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.valueOf(t);
        }
        throw ScimException.invalidValue(name + " is true or false, not \"" + v.asText() + "\".");
    }
    /** The value of the primary element of a multi-valued attribute, else of a work one, else of the first. */
    static String primaryValue(JsonNode doc, String name) {
        JsonNode list = field(doc, name);
        if (list == null || list.isNull()) {
            return null;
        }
        if (!list.isArray()) {
            throw ScimException.invalidValue(name + " must be a list of {\"value\", \"type\", \"primary\"}.");
        }
        JsonNode chosen = null;
        for (JsonNode e : list) {
            if (bool(e, "primary") == Boolean.TRUE) {
                chosen = e;
                break;
            }
        }
        for (JsonNode e : list) {
            if (chosen == null && "work".equalsIgnoreCase(text(e, "type"))) {
                chosen = e;
            }
        }
        if (chosen == null && !list.isEmpty()) {
            chosen = list.get(0);
        }
        return chosen == null ? null : chosen.isObject() ? text(chosen, "value") : chosen.asText();
    }
}
