package dev.roster.scim;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Translates a {@link ScimFilter} into an SQL condition over one resource's table. Every value is a bind
 * parameter; the SQL text comes only from the attribute catalog. Attribute names are case-insensitive (RFC 7643
 * §2.1). {@link #indexed} says whether an index serves the condition, so large directories refuse the rest.
 */
final class ScimQuery {

    enum Type {
        /** Compared lower-cased (the SQL expression lower-cases, the value is lower-cased here). */
        STRING_CI,
        STRING_EXACT,
        BOOLEAN,
        DATETIME,
        ID
    }

    /** An attribute: its SQL expression (with its own bind values), its type, and whether "eq" is an index read. */
    record Attr(String sql, List<Object> args, Type type, boolean indexedEq) {
        static Attr of(String sql, Type type, boolean indexedEq) {
            return new Attr(sql, List.of(), type, indexedEq);
        }
    }

    /** Resolves a normalised path (lower case, core URN removed) to an attribute, or null when unknown. */
    interface Catalog {
        Attr resolve(String path);
    }

    /** The condition and its bind values. */
    record Where(String sql, List<Object> args) {
    }

    static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private final Catalog catalog;
    private final String coreSchema;

    ScimQuery(Catalog catalog, String coreSchema) {
        this.catalog = catalog;
        this.coreSchema = coreSchema.toLowerCase(Locale.ROOT) + ":";
    }

    /** The path as the catalog knows it: core schema URN removed, extension URNs shortened, lower case except roster keys. */
    String normalise(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.startsWith(coreSchema)) {
            return lower.substring(coreSchema.length());
        }
        String enterprise = ScimMedia.ENTERPRISE_SCHEMA.toLowerCase(Locale.ROOT) + ":";
        if (lower.startsWith(enterprise)) {
            return "enterprise:" + lower.substring(enterprise.length());
        }
        String roster = ScimMedia.ROSTER_SCHEMA.toLowerCase(Locale.ROOT) + ":";
        if (lower.startsWith(roster)) {
            return "roster:" + path.substring(roster.length()); // custom attribute names keep their case
        }
        return lower;
    }

    Attr attr(String path) {
        Attr a = catalog.resolve(normalise(path));
        if (a == null) {
            throw ScimException.invalidFilter("\"" + path + "\" is not an attribute Roster can filter or sort by; "
                    + "see docs/scim.md for the list.");
        }
        return a;
    }

    Where where(ScimFilter filter) {
        StringBuilder sql = new StringBuilder();
        List<Object> args = new ArrayList<>();
        append(filter, "", sql, args);
        return new Where(sql.toString(), args);
    }

    /** Whether an index answers the filter: an indexed eq in every branch of an or, in some part of an and. */
    boolean indexed(ScimFilter f) {
        return indexed(f, "");
    }

    private boolean indexed(ScimFilter f, String prefix) {
        if (f instanceof ScimFilter.Compare c) {
            return c.op().equals("eq") && c.value() != null && attr(prefix + c.path()).indexedEq();
        }
        if (f instanceof ScimFilter.And a) {
            return indexed(a.left(), prefix) || indexed(a.right(), prefix);
        }
        if (f instanceof ScimFilter.Or o) {
            return indexed(o.left(), prefix) && indexed(o.right(), prefix);
        }
        if (f instanceof ScimFilter.ValuePath v) {
            return indexed(v.inner(), prefix + v.path() + ".");
        }
        return false;
    }

    private void append(ScimFilter f, String prefix, StringBuilder sql, List<Object> args) {
        if (f instanceof ScimFilter.And a) {
            join(a.left(), " AND ", a.right(), prefix, sql, args);
        } else if (f instanceof ScimFilter.Or o) {
            join(o.left(), " OR ", o.right(), prefix, sql, args);
        } else if (f instanceof ScimFilter.Not n) {
            sql.append("NOT coalesce(");
            append(n.inner(), prefix, sql, args);
            sql.append(", false)");
        } else if (f instanceof ScimFilter.ValuePath v) {
            if (v.path().contains(".")) {
                throw ScimException.invalidFilter("A value filter applies to a multi-valued attribute such as emails, not \""
                        + v.path() + "\".");
            }
            append(v.inner(), prefix + v.path() + ".", sql, args);
        } else if (f instanceof ScimFilter.Present p) {
            Attr a = attr(prefix + p.path());
            if (a.type() == Type.BOOLEAN) {
                sql.append('(').append(a.sql()).append(") IS NOT NULL");
            } else {
                sql.append("coalesce((").append(a.sql()).append(")::text, '') <> ''");
            }
            args.addAll(a.args());
        } else {
            compare((ScimFilter.Compare) f, prefix, sql, args);
        }
    }

    private void join(ScimFilter left, String operator, ScimFilter right, String prefix, StringBuilder sql, List<Object> args) {
        sql.append('(');
        append(left, prefix, sql, args);
        sql.append(operator);
        append(right, prefix, sql, args);
        sql.append(')');
    }

    private void compare(ScimFilter.Compare c, String prefix, StringBuilder sql, List<Object> args) {
        Attr a = attr(prefix + c.path());
        String op = c.op();
        Object value = c.value();
        if (value == null) {
            if (!op.equals("eq") && !op.equals("ne")) {
                throw ScimException.invalidFilter("null can only be compared with eq or ne.");
            }
            sql.append('(').append(a.sql()).append(op.equals("eq") ? ") IS NULL" : ") IS NOT NULL");
            args.addAll(a.args());
            return;
        }
        switch (a.type()) {
            case BOOLEAN -> {
                if (!(value instanceof Boolean b) || !(op.equals("eq") || op.equals("ne"))) {
                    throw ScimException.invalidFilter("\"" + c.path() + "\" is true or false and compares only with eq or ne.");
                }
                String is = op.equals("eq") ? (b ? "IS TRUE" : "IS FALSE") : (b ? "IS NOT TRUE" : "IS NOT FALSE");
                sql.append('(').append(a.sql()).append(") ").append(is);
                args.addAll(a.args());
            }
            case DATETIME -> {
                if (op.equals("co") || op.equals("sw") || op.equals("ew")) {
                    throw ScimException.invalidFilter("\"" + c.path() + "\" is a time: use eq, ne, gt, ge, lt or le.");
                }
                Timestamp t = Timestamp.from(instant(c.path(), value));
                binary(a, op, t, sql, args);
            }
            case ID -> {
                if (!(op.equals("eq") || op.equals("ne"))) {
                    throw ScimException.invalidFilter("\"" + c.path() + "\" compares only with eq or ne.");
                }
                UUID id = uuid(value);
                if (id == null) {
                    sql.append(op.equals("eq") ? "FALSE" : "TRUE");
                    return;
                }
                binary(a, op, id, sql, args);
            }
            default -> {
                if (value instanceof Boolean) {
                    throw ScimException.invalidFilter("\"" + c.path() + "\" is a string; compare it with a quoted value.");
                }
                String v = value instanceof BigDecimal d ? d.toPlainString() : value.toString();
                if (a.type() == Type.STRING_CI) {
                    v = v.toLowerCase(Locale.ROOT);
                }
                switch (op) {
                    case "co" -> like(a, "%" + escapeLike(v) + "%", sql, args);
                    case "sw" -> like(a, escapeLike(v) + "%", sql, args);
                    case "ew" -> like(a, "%" + escapeLike(v), sql, args);
                    default -> binary(a, op, v, sql, args);
                }
            }
        }
    }

    private static void binary(Attr a, String op, Object value, StringBuilder sql, List<Object> args) {
        String operator = Map.of("eq", "=", "ne", "<>", "gt", ">", "ge", ">=", "lt", "<", "le", "<=").get(op);
        if (op.equals("ne")) {
            sql.append("((").append(a.sql()).append(") IS DISTINCT FROM ?)");
        } else {
            sql.append('(').append(a.sql()).append(") ").append(operator).append(" ?");
        }
        args.addAll(a.args());
        args.add(value);
    }

    private static void like(Attr a, String pattern, StringBuilder sql, List<Object> args) {
        sql.append('(').append(a.sql()).append(") LIKE ? ESCAPE '\\'");
        args.addAll(a.args());
        args.add(pattern);
    }

    static String escapeLike(String v) {
        return v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static Instant instant(String path, Object value) {
        try {
            return OffsetDateTime.parse(value.toString()).toInstant();
        } catch (DateTimeParseException e) {
            throw ScimException.invalidFilter("\"" + value + "\" is not a time for \"" + path
                    + "\"; use xsd:dateTime, e.g. 2026-12-01T06:00:00Z.");
        }
    }

    static UUID uuid(Object value) {
        try {
            return value == null ? null : UUID.fromString(value.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether an index serves the order of sortBy (none: the id order, which the primary key serves). */
    boolean sortIndexed(String sortBy) {
        return sortBy == null || sortBy.isBlank() || attr(sortBy.strip()).indexedEq();
    }

    /** ORDER BY text for sortBy (null: the resource's id order). */
    String orderBy(String sortBy, String sortOrder, String idColumn, List<Object> args) {
        if (sortBy == null || sortBy.isBlank()) {
            return idColumn;
        }
        Attr a = attr(sortBy.strip());
        boolean descending = descending(sortOrder);
        args.addAll(a.args());
        return "(" + a.sql() + ")" + (descending ? " DESC NULLS LAST" : " ASC NULLS LAST") + ", " + idColumn;
    }

    /** The attribute sortBy names; null without a sortBy (the id order). */
    Attr sortAttr(String sortBy) {
        return sortBy == null || sortBy.isBlank() ? null : attr(sortBy.strip());
    }

    /** sortOrder: ascending (also when absent) or descending. */
    static boolean descending(String sortOrder) {
        boolean descending = sortOrder != null && sortOrder.strip().equalsIgnoreCase("descending");
        if (sortOrder != null && !sortOrder.isBlank() && !descending && !sortOrder.strip().equalsIgnoreCase("ascending")) {
            throw ScimException.invalidValue("sortOrder is ascending or descending, not \"" + sortOrder + "\".");
        }
        return descending;
    }
}
