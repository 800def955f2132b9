package dev.roster.scim;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * PATCH (RFC 7644 §3.5.2) on a resource's JSON document: add, replace and remove with or without a path, value
 * paths with filters ({@code emails[type eq "work"].value}, {@code members[value eq "..."]}). The patched document is
 * then written like a PUT, through the same checks. Client quirks accepted (docs/scim.md): operation names in any case
 * (Entra's "Replace"), path-less value objects whose keys are paths ("name.givenName", extension URNs), a remove of
 * members with a value list instead of a filter, and Entra's manager given as a plain id.
 */
final class ScimPatch {

    /** Attribute names as Roster writes them, by lower case (names are case-insensitive). */
    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("username", "userName"), Map.entry("name", "name"), Map.entry("givenname", "givenName"),
            Map.entry("familyname", "familyName"), Map.entry("formatted", "formatted"),
            Map.entry("displayname", "displayName"), Map.entry("emails", "emails"),
            Map.entry("phonenumbers", "phoneNumbers"), Map.entry("title", "title"), Map.entry("locale", "locale"),
            Map.entry("active", "active"), Map.entry("externalid", "externalId"), Map.entry("members", "members"),
            Map.entry("password", "password"), Map.entry("employeenumber", "employeeNumber"),
            Map.entry("department", "department"), Map.entry("costcenter", "costCenter"),
            Map.entry("organization", "organization"), Map.entry("division", "division"),
            Map.entry("manager", "manager"), Map.entry("value", "value"), Map.entry("type", "type"),
            Map.entry("primary", "primary"), Map.entry("display", "display"),
            Map.entry("preferredlanguage", "preferredLanguage"), Map.entry("middlename", "middleName"),
            Map.entry("honorificprefix", "honorificPrefix"), Map.entry("honorificsuffix", "honorificSuffix"),
            Map.entry("nickname", "nickName"), Map.entry("profileurl", "profileUrl"), Map.entry("usertype", "userType"),
            Map.entry("timezone", "timezone"), Map.entry("addresses", "addresses"),
            Map.entry("streetaddress", "streetAddress"), Map.entry("locality", "locality"), Map.entry("region", "region"),
            Map.entry("postalcode", "postalCode"), Map.entry("country", "country"));
    private static final List<String> SCHEMAS = List.of(ScimMedia.ENTERPRISE_SCHEMA, ScimMedia.ROSTER_SCHEMA,
            ScimMedia.LIFECYCLE_SCHEMA, ScimMedia.USER_SCHEMA, ScimMedia.GROUP_SCHEMA);

    private ScimPatch() {
    }

    /** Applies a PatchOp body to {@code doc} (changed in place); the body is checked first ({@link ScimPatchRequest}). */
    static void apply(ObjectNode doc, JsonNode body) {
        for (JsonNode op : ScimPatchRequest.check(body)) {
            String name = ScimPatchRequest.name(op);
            JsonNode path = ScimAttributes.field(op, "path");
            JsonNode value = ScimAttributes.field(op, "value");
            if (path == null || path.isNull() || path.asText().isBlank()) {
                Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    String key = f.getKey();
                    if (SCHEMAS.stream().anyMatch(s -> s.equalsIgnoreCase(key)) && f.getValue().isObject()) {
                        // {"urn:...:enterprise:2.0:User": {"department": "x"}}: each sub-attribute
                        f.getValue().fields().forEachRemaining(sub -> at(doc, key + ":" + sub.getKey(), name, sub.getValue()));
                    } else if (!ScimPatchRequest.READ_ONLY.contains(key.toLowerCase(Locale.ROOT))) {
                        at(doc, key, name, f.getValue()); // read-only keys in a value object are ignored, as in a PUT
                    }
                }
            } else {
                at(doc, path.asText(), name, value);
            }
        }
    }

    /** One operation at one path: [urn:...:]attr[ [filter] ][.sub]. */
    /** A path taken apart: the object it starts in, the attribute, an optional [filter] and .subAttribute. */
    record Target(ObjectNode container, String attr, String filter, String sub) {
    }

    private static void at(ObjectNode doc, String rawPath, String op, JsonNode value) {
        Target target = dates(doc, target(doc, rawPath));
        ObjectNode container = target.container();
        String key = key(container, target.attr());
        if (key.equals("manager") && value != null && value.isTextual()) {
            value = JsonNodeFactory.instance.objectNode().put("value", value.asText()); // Entra sends the id alone
        }
        if (target.filter() != null) {
            onMatches(container, key, ScimPatchRequest.filter(target.filter(), rawPath), target.sub(), op, value, rawPath);
        } else if (target.sub() != null) {
            onSub(container, key, target.sub(), op, value);
        } else if (op.equals("remove")) {
            remove(container, key, value);
        } else {
            set(container, key, op, value);
        }
    }

    /** The schema-qualified prefix resolved to its extension object, then attr[filter].sub split. */
    static Target target(ObjectNode doc, String rawPath) {
        String path = rawPath.strip();
        ObjectNode container = doc;
        for (String schema : SCHEMAS) {
            if (path.regionMatches(true, 0, schema, 0, schema.length())) {
                String rest = path.substring(schema.length());
                if (rest.isEmpty()) {
                    throw ScimException.invalidPath("\"" + rawPath + "\" names a schema; name an attribute of it.");
                }
                if (rest.charAt(0) != ':') {
                    continue;
                }
                path = rest.substring(1);
                if (!schema.equals(ScimMedia.USER_SCHEMA) && !schema.equals(ScimMedia.GROUP_SCHEMA)) {
                    container = doc.has(schema) && doc.get(schema).isObject() ? (ObjectNode) doc.get(schema) : doc.putObject(schema);
                    addSchema(doc, schema);
                }
                break;
            }
        }
        String attr;
        String filter = null;
        String sub = null;
        int bracket = path.indexOf('[');
        if (bracket >= 0) {
            int close = path.lastIndexOf(']');
            if (close < bracket) {
                throw ScimException.invalidPath("\"" + rawPath + "\": a [ is not closed.");
            }
            attr = path.substring(0, bracket);
            filter = path.substring(bracket + 1, close);
            String after = path.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(".")) {
                    throw ScimException.invalidPath("\"" + rawPath + "\": expected .subAttribute after ].");
                }
                sub = after.substring(1);
            }
        } else {
            int dot = path.indexOf('.');
            attr = dot < 0 ? path : path.substring(0, dot);
            sub = dot < 0 ? null : path.substring(dot + 1);
        }
        if (attr.isEmpty() || (sub != null && (sub.isEmpty() || sub.contains(".")))) {
            throw ScimException.invalidPath("\"" + rawPath + "\" is not a path Roster understands.");
        }
        return new Target(container, attr, filter, sub);
    }

    /**
     * A start or end date under the Enterprise or lifecycle extension, by Roster's name or Entra's (decision 0039), is
     * the lifecycle extension's startDate / endDate: one place, so that a remove by either name clears the date.
     */
    private static Target dates(ObjectNode doc, Target target) {
        boolean enterprise = target.container() == doc.get(ScimMedia.ENTERPRISE_SCHEMA);
        if (target.filter() != null || target.sub() != null || target.container() == doc
                || !(enterprise || target.container() == doc.get(ScimMedia.LIFECYCLE_SCHEMA))) {
            return target;
        }
        String lifecycle = ScimDates.lifecycleName(target.attr(), enterprise);
        if (lifecycle == null) {
            return target;
        }
        JsonNode existing = doc.get(ScimMedia.LIFECYCLE_SCHEMA);
        ObjectNode container = existing != null && existing.isObject() ? (ObjectNode) existing : doc.putObject(ScimMedia.LIFECYCLE_SCHEMA);
        addSchema(doc, ScimMedia.LIFECYCLE_SCHEMA);
        return new Target(container, lifecycle, null, null);
    }

    /** attr.sub without a filter: on a list, its primary (or first) element; on an object, the object. */
    private static void onSub(ObjectNode container, String key, String sub, String op, JsonNode value) {
        JsonNode parent = container.get(key);
        if (parent != null && parent.isArray()) {
            ObjectNode element = primary((ArrayNode) parent);
            if (element == null) {
                if (op.equals("remove")) {
                    return;
                }
                element = ((ArrayNode) parent).addObject();
            }
            set(element, sub, op, value);
            return;
        }
        ObjectNode object = parent != null && parent.isObject() ? (ObjectNode) parent : null;
        if (object == null) {
            if (op.equals("remove")) {
                return;
            }
            object = container.putObject(key);
        }
        set(object, sub, op, value);
    }

    /** remove of a whole attribute, or (Entra) of the listed values of a multi-valued one. */
    private static void remove(ObjectNode container, String key, JsonNode value) {
        JsonNode existing = container.get(key);
        if (existing != null && existing.isArray() && value != null && value.isArray()) {
            // Entra: {"op": "Remove", "path": "members", "value": [{"value": "id"}]}
            // One set of the values named, one pass over the list (not list x values: security review M5).
            Set<String> named = new HashSet<>();
            for (JsonNode v : value) {
                if (v.hasNonNull("value")) {
                    named.add(v.get("value").asText().toLowerCase(Locale.ROOT));
                }
            }
            ArrayNode kept = JsonNodeFactory.instance.arrayNode();
            for (JsonNode element : existing) {
                if (!named.contains(element.path("value").asText().toLowerCase(Locale.ROOT))) {
                    kept.add(element);
                }
            }
            container.set(key, kept);
        } else {
            container.remove(key);
        }
    }

    /** add/replace/remove of one attribute of an object: complex values merge, lists append (add) or replace. */
    private static void set(ObjectNode object, String attr, String op, JsonNode value) {
        String key = key(object, attr);
        if (op.equals("remove")) {
            object.remove(key);
            return;
        }
        JsonNode existing = object.get(key);
        if (value.isObject() && existing != null && existing.isObject()) {
            ((ObjectNode) existing).setAll((ObjectNode) value.deepCopy());
        } else if (op.equals("add") && existing != null && existing.isArray()) {
            // Set-based de-duplication (security review M5): the elements and the values already there, looked up.
            ArrayNode list = (ArrayNode) existing;
            Set<JsonNode> elements = new HashSet<>();
            Set<String> values = new HashSet<>();
            for (JsonNode e : list) {
                elements.add(e);
                values.add(e.path("value").asText().toLowerCase(Locale.ROOT));
            }
            for (JsonNode v : value.isArray() ? value : JsonNodeFactory.instance.arrayNode().add(value)) {
                String known = v.path("value").asText().toLowerCase(Locale.ROOT);
                if (!elements.contains(v) && !(v.has("value") && values.contains(known))) {
                    list.add(v.deepCopy());
                    elements.add(v);
                    values.add(known);
                }
            }
        } else if (value.isArray() || !isMultiValued(key)) {
            object.set(key, value.deepCopy());
        } else {
            object.set(key, JsonNodeFactory.instance.arrayNode().add(value.deepCopy()));
        }
    }

    private static void onMatches(ObjectNode container, String key, ScimFilter filter, String sub, String op,
            JsonNode value, String rawPath) {
        JsonNode list = container.get(key);
        ArrayNode array = list != null && list.isArray() ? (ArrayNode) list : null;
        List<Integer> hits = new ArrayList<>();
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                if (matches(array.get(i), filter)) {
                    hits.add(i);
                }
            }
        }
        if (op.equals("remove")) {
            for (int i = hits.size() - 1; i >= 0; i--) {
                if (sub == null) {
                    array.remove(hits.get(i));
                } else if (array.get(hits.get(i)).isObject()) {
                    ((ObjectNode) array.get(hits.get(i))).remove(key(array.get(hits.get(i)), sub));
                }
            }
            return;
        }
        if (hits.isEmpty()) {
            // Entra replaces emails[type eq "work"].value on a user without one: add the element the filter describes
            ObjectNode element = JsonNodeFactory.instance.objectNode();
            seed(element, filter);
            if (sub != null) {
                element.set(sub, value.deepCopy());
            } else if (value.isObject()) {
                element.setAll((ObjectNode) value.deepCopy());
            } else {
                throw ScimException.noTarget("Nothing in " + key + " matches \"" + rawPath + "\".");
            }
            if (array == null) {
                array = container.putArray(key);
            }
            array.add(element);
            return;
        }
        for (int i : hits) {
            JsonNode element = array.get(i);
            if (sub != null && element.isObject()) {
                ((ObjectNode) element).set(key(element, sub), value.deepCopy());
            } else if (value.isObject() && element.isObject()) {
                ((ObjectNode) element).setAll((ObjectNode) value.deepCopy());
            } else {
                array.set(i, value.deepCopy());
            }
        }
    }

    private static void seed(ObjectNode element, ScimFilter filter) {
        if (filter instanceof ScimFilter.Compare c && c.op().equals("eq") && c.value() != null) {
            element.put(c.path(), c.value().toString());
        } else if (filter instanceof ScimFilter.And a) {
            seed(element, a.left());
            seed(element, a.right());
        }
    }

    /** Evaluates a filter on one element of a multi-valued attribute (strings compare case-insensitively). */
    static boolean matches(JsonNode element, ScimFilter f) {
        if (f instanceof ScimFilter.And a) {
            return matches(element, a.left()) && matches(element, a.right());
        }
        if (f instanceof ScimFilter.Or o) {
            return matches(element, o.left()) || matches(element, o.right());
        }
        if (f instanceof ScimFilter.Not n) {
            return !matches(element, n.inner());
        }
        if (f instanceof ScimFilter.Present p) {
            JsonNode v = element.get(key(element, p.path()));
            return v != null && !v.isNull() && !v.asText().isEmpty();
        }
        if (f instanceof ScimFilter.Compare c) {
            JsonNode node = element.isObject() ? element.get(key(element, c.path())) : element;
            String actual = node == null || node.isNull() ? null : node.asText();
            Object want = c.value();
            if (want == null) {
                return c.op().equals("eq") == (actual == null);
            }
            if (actual == null) {
                return c.op().equals("ne");
            }
            String w = (want instanceof BigDecimal d ? d.toPlainString() : want.toString()).toLowerCase(Locale.ROOT);
            String a = actual.toLowerCase(Locale.ROOT);
            return switch (c.op()) {
                case "eq" -> a.equals(w);
                case "ne" -> !a.equals(w);
                case "co" -> a.contains(w);
                case "sw" -> a.startsWith(w);
                case "ew" -> a.endsWith(w);
                case "gt" -> a.compareTo(w) > 0;
                case "ge" -> a.compareTo(w) >= 0;
                case "lt" -> a.compareTo(w) < 0;
                default -> a.compareTo(w) <= 0;
            };
        }
        throw ScimException.invalidFilter("A value filter inside a value filter is not supported.");
    }

    private static ObjectNode primary(ArrayNode list) {
        ObjectNode first = null;
        for (JsonNode e : list) {
            if (e.isObject()) {
                if (e.path("primary").asBoolean(false) || "true".equalsIgnoreCase(e.path("primary").asText())) {
                    return (ObjectNode) e;
                }
                first = first == null ? (ObjectNode) e : first;
            }
        }
        return first;
    }

    /** The key an object already uses for a name in any case, else the canonical spelling. */
    static String key(JsonNode object, String name) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String existing = names.next();
            if (existing.equalsIgnoreCase(name)) {
                return existing;
            }
        }
        return CANONICAL.getOrDefault(name.toLowerCase(Locale.ROOT), name);
    }

    private static boolean isMultiValued(String key) {
        return key.equals("emails") || key.equals("phoneNumbers") || key.equals("addresses") || key.equals("members");
    }

    private static void addSchema(ObjectNode doc, String schema) {
        JsonNode schemas = doc.get("schemas");
        if (schemas != null && schemas.isArray()) {
            for (JsonNode s : schemas) {
                if (s.asText().equalsIgnoreCase(schema)) {
                    return;
                }
            }
            ((ArrayNode) schemas).add(schema);
        }
    }
}
