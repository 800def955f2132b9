package dev.roster.scim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * attributes and excludedAttributes (RFC 7644 §3.4.2.5) on a rendered resource, read or written: id, schemas and meta
 * are always returned (decision 0033), password never is (it is never rendered); sub-attributes of multi-valued
 * attributes ({@code emails.value}) apply to each value.
 */
final class ScimProjection {

    private static final List<String> EXTENSIONS = List.of(ScimMedia.ENTERPRISE_SCHEMA, ScimMedia.ROSTER_SCHEMA,
            ScimMedia.LIFECYCLE_SCHEMA);
    private static final List<String> CORES = List.of(ScimMedia.USER_SCHEMA, ScimMedia.GROUP_SCHEMA);
    /** returned "always": neither attributes nor excludedAttributes change them. */
    private static final List<String> ALWAYS = List.of("schemas", "id", "meta");

    private final List<String[]> include;
    private final List<String[]> exclude;

    private ScimProjection(List<String[]> include, List<String[]> exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    static ScimProjection of(String attributes, String excludedAttributes) {
        return new ScimProjection(parse(attributes), parse(excludedAttributes));
    }

    boolean none() {
        return include.isEmpty() && exclude.isEmpty();
    }

    /** A path as [container or null, attribute, sub-attribute or null]. */
    private static List<String[]> parse(String list) {
        List<String[]> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String raw : list.split(",")) {
            String path = raw.strip();
            if (path.isEmpty()) {
                continue;
            }
            String container = null;
            for (String core : CORES) {
                if (path.regionMatches(true, 0, core + ":", 0, core.length() + 1)) {
                    path = path.substring(core.length() + 1);
                }
            }
            for (String ext : EXTENSIONS) {
                if (path.equalsIgnoreCase(ext)) {
                    container = ext;
                    path = "";
                } else if (path.regionMatches(true, 0, ext + ":", 0, ext.length() + 1)) {
                    container = ext;
                    path = path.substring(ext.length() + 1);
                }
            }
            int dot = path.indexOf('.');
            out.add(new String[] { container, dot < 0 ? path : path.substring(0, dot), dot < 0 ? null : path.substring(dot + 1) });
        }
        return out;
    }

    ObjectNode apply(ObjectNode doc) {
        if (none()) {
            return doc;
        }
        ObjectNode out;
        if (!include.isEmpty()) {
            out = doc.objectNode();
            for (String always : ALWAYS) {
                if (doc.has(always)) {
                    out.set(always, doc.get(always));
                }
            }
            for (String[] p : include) {
                copy(doc, out, p);
            }
        } else {
            out = doc.deepCopy();
        }
        for (String[] p : exclude) {
            remove(out, p);
        }
        return out;
    }

    private static void copy(ObjectNode from, ObjectNode to, String[] p) {
        ObjectNode source = from;
        ObjectNode target = to;
        if (p[0] != null) {
            JsonNode ext = from.get(p[0]);
            if (ext == null || !ext.isObject()) {
                return;
            }
            if (p[1].isEmpty()) {
                to.set(p[0], ext);
                return;
            }
            source = (ObjectNode) ext;
            target = to.has(p[0]) ? (ObjectNode) to.get(p[0]) : to.putObject(p[0]);
        }
        String key = find(source, p[1]);
        if (key == null) {
            return;
        }
        if (p[2] != null && source.get(key).isArray()) {
            // emails.value: each value with only that sub-attribute
            ArrayNode values = target.has(key) && target.get(key).isArray()
                    ? (ArrayNode) target.get(key) : target.putArray(key);
            boolean fresh = values.isEmpty();
            int i = 0;
            for (JsonNode element : source.get(key)) {
                ObjectNode into = fresh ? values.addObject() : (ObjectNode) values.get(i);
                String sub = element.isObject() ? find(element, p[2]) : null;
                if (sub != null) {
                    into.set(sub, element.get(sub));
                }
                i++;
            }
            return;
        }
        if (p[2] == null || !source.get(key).isObject()) {
            target.set(key, source.get(key));
            return;
        }
        String sub = find(source.get(key), p[2]);
        if (sub != null) {
            ObjectNode parent = target.has(key) && target.get(key).isObject() ? (ObjectNode) target.get(key) : target.putObject(key);
            parent.set(sub, source.get(key).get(sub));
        }
    }

    private static void remove(ObjectNode doc, String[] p) {
        ObjectNode node = doc;
        if (p[0] != null) {
            if (p[1].isEmpty()) {
                doc.remove(p[0]);
                return;
            }
            JsonNode ext = doc.get(p[0]);
            if (ext == null || !ext.isObject()) {
                return;
            }
            node = (ObjectNode) ext;
        }
        String key = find(node, p[1]);
        if (key == null || (p[0] == null && ALWAYS.contains(key))) {
            return;
        }
        if (p[2] == null) {
            node.remove(key);
        } else if (node.get(key).isArray()) {
            for (JsonNode element : node.get(key)) {
                String sub = element.isObject() ? find(element, p[2]) : null;
                if (sub != null) {
                    ((ObjectNode) element).remove(sub);
                }
            }
        } else if (node.get(key).isObject()) {
            String sub = find(node.get(key), p[2]);
            if (sub != null) {
                ((ObjectNode) node.get(key)).remove(sub);
            }
        }
    }

    private static String find(JsonNode node, String name) {
        Iterator<String> names = node.fieldNames();
        String lower = name.toLowerCase(Locale.ROOT);
        while (names.hasNext()) {
            String n = names.next();
            if (n.toLowerCase(Locale.ROOT).equals(lower)) {
                return n;
            }
        }
        return null;
    }
}
