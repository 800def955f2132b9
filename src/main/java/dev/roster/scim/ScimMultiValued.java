package dev.roster.scim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.csv.ColumnNames;
import dev.roster.plan.SingleRowPlan;

/**
 * emails, phoneNumbers and addresses as Roster keeps them (decisions/0032): each element reduced to its RFC 7643
 * sub-attributes (names in RFC spelling, strings, primary a boolean), in the client's order, and written as the text
 * PostgreSQL's jsonb gives back (keys by length, then bytes; ", " and ": "), so the list a client sends and the list
 * stored compare as equal strings in a one-row plan's field diff.
 */
final class ScimMultiValued {

    /** A multi-valued attribute: its SCIM name, the plan column it is kept in, its sub-attributes. */
    enum Kind {
        EMAILS("emails", "emails", List.of("value", "display", "type", "primary")),
        PHONE_NUMBERS("phoneNumbers", "phone_numbers", List.of("value", "display", "type", "primary")),
        ADDRESSES("addresses", "addresses", List.of("formatted", "streetAddress", "locality", "region", "postalCode",
                "country", "type", "primary"));

        final String scimName;
        final String column;
        final List<String> subAttributes;

        Kind(String scimName, String column, List<String> subAttributes) {
            this.scimName = scimName;
            this.column = column;
            this.subAttributes = subAttributes;
        }

        /** The text column the primary element's value is kept in (email, phone), or null. */
        String mirrored() {
            return this == EMAILS ? ColumnNames.EMAIL : this == PHONE_NUMBERS ? ColumnNames.PHONE : null;
        }
    }

    private ScimMultiValued() {
    }

    /** The list a document gives, reduced to its sub-attributes; null when the document has none (or an empty one). */
    static ArrayNode read(JsonNode doc, Kind kind) {
        JsonNode list = ScimAttributes.field(doc, kind.scimName);
        if (list == null || list.isNull()) {
            return null;
        }
        if (!list.isArray()) {
            throw ScimException.invalidValue(kind.scimName + " must be a list of objects such as {\"value\": ..., \"type\": "
                    + "\"work\", \"primary\": true}.");
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        int primaries = 0;
        for (JsonNode element : list) {
            ObjectNode kept = JsonNodeFactory.instance.objectNode();
            if (element.isValueNode() && !element.isNull()) {
                kept.put(kind.subAttributes.get(0), element.asText());
            } else if (element.isObject()) {
                for (String sub : kind.subAttributes) {
                    if (sub.equals("primary")) {
                        Boolean primary = ScimAttributes.bool(element, sub);
                        if (primary != null) {
                            kept.put(sub, primary);
                            primaries += primary ? 1 : 0;
                        }
                    } else {
                        String value = ScimAttributes.text(element, sub);
                        if (value != null && !value.isBlank()) {
                            kept.put(sub, value);
                        }
                    }
                }
            } else if (!element.isNull()) {
                throw ScimException.invalidValue(kind.scimName + " holds objects, not lists.");
            }
            if (kept.size() > (kept.has("primary") ? 1 : 0)) {
                out.add(kept);
            }
        }
        if (primaries > 1) {
            throw ScimException.invalidValue(kind.scimName + ": at most one element may be primary (RFC 7643 §2.4); "
                    + primaries + " are.");
        }
        return out.isEmpty() ? null : out;
    }

    /** Puts a kept list as stored; else the one element Roster shows for its column's value (none when empty). */
    static void render(ObjectNode doc, Kind kind, String stored, String columnValue, ObjectMapper json) {
        if (stored != null) {
            try {
                doc.set(kind.scimName, json.readTree(stored));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(kind.column + " is not JSON", e);
            }
        } else if (columnValue != null) {
            doc.set(kind.scimName, single(columnValue));
        }
    }

    /**
     * The plan cell of a document's list (its jsonb text); null when absent, or when it is the one element Roster
     * shows for the column anyway ({value: the stored address or number, type work, primary}): a user written from a
     * file keeps no list, and a PATCH of such a user does not invent one.
     *
     * @param primary the value the document's email or phone column gets (its primary element's)
     */
    static String cell(JsonNode doc, Kind kind, String primary) {
        ArrayNode list = read(doc, kind);
        if (list == null) {
            return null;
        }
        String stored = kind.mirrored() == null ? null : SingleRowPlan.normalised(kind.mirrored(), primary);
        return stored != null && list.equals(single(stored)) ? null : jsonbText(list);
    }

    /** The list with one element that Roster shows for a user whose list it does not keep: the column's value. */
    static ArrayNode single(String value) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        list.addObject().put("value", value).put("type", "work").put("primary", true);
        return list;
    }

    /** The list as jsonb writes it (jsonb::text), so that the stored and the wanted list compare as strings. */
    static String jsonbText(ArrayNode list) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            JsonNode element = list.get(i);
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = element.fields();
            it.forEachRemaining(fields::add);
            // jsonb keeps an object's keys shorter first, then by their UTF-8 bytes (ASCII names here)
            fields.sort(Comparator.comparingInt((Map.Entry<String, JsonNode> f) -> f.getKey().length())
                    .thenComparing(Map.Entry::getKey));
            out.append('{');
            for (int f = 0; f < fields.size(); f++) {
                if (f > 0) {
                    out.append(", ");
                }
                string(out, fields.get(f).getKey());
                out.append(": ");
                JsonNode value = fields.get(f).getValue();
                if (value.isBoolean()) {
                    out.append(value.booleanValue());
                } else {
                    string(out, value.asText());
                }
            }
            out.append('}');
        }
        return out.append(']').toString();
    }

    /** A JSON string escaped as PostgreSQL's escape_json does. */
    private static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0 -> {
                    // jsonb cannot hold U+0000
                }
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
