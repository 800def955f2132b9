package dev.roster.ldap;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.util.StaticUtils;

/**
 * An LDAP filter (RFC 4515: and, or, not, equality, presence, substrings, &gt;=, &lt;=, approximate) as a SQL condition
 * over directory_user (alias u) or user_group (alias g), values always bound. Case-insensitive attributes compare
 * lowercased on both sides, which the lower(...) indexes serve. SQL's three-valued logic is LDAP's: an attribute the
 * entry cannot have is Undefined (NULL), and NOT Undefined stays Undefined.
 * <p>
 * Each condition also says what reading it costs: {@link Cost#INDEXED} (an index narrows it: uid, mail, entryUUID, cn of a
 * group, memberOf, member, manager by equality), {@link Cost#ALL} (true of every entry of the kind, e.g.
 * objectClass=person: a keyset walk of the primary key), {@link Cost#NONE} (true of none: no query) or
 * {@link Cost#SCAN} (every row read and tested), which LdapSearch refuses on a large directory. Plain Java.
 */
public final class LdapFilterSql {

    /** The two tables a search reads. */
    public enum Table {
        USERS, GROUPS
    }

    /** What evaluating a condition costs. */
    public enum Cost {
        INDEXED, ALL, NONE, SCAN
    }

    /** A SQL condition with its bound values and its cost. */
    public record Where(String sql, List<Object> args, Cost cost) {
        static Where constant(boolean value) {
            return new Where(value ? "TRUE" : "FALSE", List.of(), value ? Cost.ALL : Cost.NONE);
        }

        static final Where UNDEFINED = new Where("NULL::boolean", List.of(), Cost.NONE);
    }

    public static final Set<String> USER_CLASSES = Set.of("top", "person", "organizationalperson", "inetorgperson");
    public static final Set<String> GROUP_CLASSES = Set.of("top", "groupofnames", "groupofuniquenames");

    /** The visible users (suspended and deleted ones are neither returned nor bound). */
    public static final String VISIBLE_USER = "u.status IN ('INVITED', 'ACTIVE')";
    static final String USER_UID = "coalesce(u.username, u.email)";
    /** cn: the display name, else given and family name, else the uid. */
    static final String USER_CN = "coalesce(nullif(btrim(u.display_name), ''), nullif(btrim(concat_ws(' ', u.given_name, "
            + "u.family_name)), ''), " + USER_UID + ")";
    /** sn (required by person): the family name, else cn. */
    static final String USER_SN = "coalesce(nullif(btrim(u.family_name), ''), " + USER_CN + ")";

    private record Attr(String expr, boolean indexedEquality, boolean alwaysPresent, Type type) {
    }

    private enum Type {
        TEXT, UUID, TIME, DN_USER, DN_GROUP, CLASS
    }

    private final LdapTree tree;

    public LdapFilterSql(LdapTree tree) {
        this.tree = tree;
    }

    public Where where(Filter filter, Table table) {
        return switch (filter.getFilterType()) {
            case Filter.FILTER_TYPE_AND -> and(filter.getComponents(), table);
            case Filter.FILTER_TYPE_OR -> or(filter.getComponents(), table);
            case Filter.FILTER_TYPE_NOT -> not(where(filter.getNOTComponent(), table));
            case Filter.FILTER_TYPE_PRESENCE -> presence(filter.getAttributeName(), table);
            case Filter.FILTER_TYPE_EQUALITY, Filter.FILTER_TYPE_APPROXIMATE_MATCH ->
                compare(filter.getAttributeName(), "=", filter.getAssertionValue(), table);
            case Filter.FILTER_TYPE_GREATER_OR_EQUAL -> compare(filter.getAttributeName(), ">=", filter.getAssertionValue(), table);
            case Filter.FILTER_TYPE_LESS_OR_EQUAL -> compare(filter.getAttributeName(), "<=", filter.getAssertionValue(), table);
            case Filter.FILTER_TYPE_SUBSTRING -> substring(filter, table);
            default -> Where.UNDEFINED; // extensible match: not supported, Undefined (RFC 4511 §4.5.1.7)
        };
    }

    private Where and(Filter[] parts, Table table) {
        if (parts.length == 0) {
            return Where.constant(true); // (&) is true (RFC 4526)
        }
        List<Where> ws = new ArrayList<>();
        for (Filter f : parts) {
            ws.add(where(f, table));
        }
        Cost cost = ws.stream().anyMatch(w -> w.cost() == Cost.NONE) ? Cost.NONE
                : ws.stream().anyMatch(w -> w.cost() == Cost.INDEXED) ? Cost.INDEXED
                : ws.stream().allMatch(w -> w.cost() == Cost.ALL) ? Cost.ALL : Cost.SCAN;
        return join(ws, " AND ", cost);
    }

    private Where or(Filter[] parts, Table table) {
        if (parts.length == 0) {
            return Where.constant(false); // (|) is false (RFC 4526)
        }
        List<Where> ws = new ArrayList<>();
        for (Filter f : parts) {
            ws.add(where(f, table));
        }
        List<Where> live = ws.stream().filter(w -> w.cost() != Cost.NONE).toList();
        Cost cost = ws.stream().anyMatch(w -> w.cost() == Cost.ALL) ? Cost.ALL
                : live.isEmpty() ? Cost.NONE
                : live.stream().allMatch(w -> w.cost() == Cost.INDEXED) ? Cost.INDEXED : Cost.SCAN;
        return join(ws, " OR ", cost);
    }

    private static Where not(Where inner) {
        if (inner == Where.UNDEFINED) {
            return inner;
        }
        Cost cost = switch (inner.cost()) {
            case ALL -> inner.sql().equals("TRUE") ? Cost.NONE : Cost.SCAN;
            case NONE -> inner.sql().equals("FALSE") ? Cost.ALL : Cost.SCAN;
            default -> Cost.SCAN;
        };
        return new Where("(NOT " + inner.sql() + ")", inner.args(), cost);
    }

    private static Where join(List<Where> ws, String op, Cost cost) {
        List<String> sql = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        for (Where w : ws) {
            sql.add(w.sql());
            args.addAll(w.args());
        }
        return new Where("(" + String.join(op, sql) + ")", args, cost);
    }

    private Attr attr(String name, Table table) {
        String n = name.toLowerCase(Locale.ROOT);
        int options = n.indexOf(';');
        if (options >= 0) {
            n = n.substring(0, options);
        }
        if (n.equals("objectclass")) {
            return new Attr(null, false, true, Type.CLASS);
        }
        if (table == Table.USERS) {
            return switch (n) {
                case "uid" -> new Attr("lower(" + USER_UID + ")", true, true, Type.TEXT);
                case "mail" -> new Attr("lower(u.email)", true, false, Type.TEXT);
                case "cn", "displayname" -> new Attr("lower(" + USER_CN + ")", false, true, Type.TEXT);
                case "givenname" -> new Attr("lower(u.given_name)", false, false, Type.TEXT);
                case "sn" -> new Attr("lower(" + USER_SN + ")", false, true, Type.TEXT);
                case "title" -> new Attr("lower(u.title)", false, false, Type.TEXT);
                case "telephonenumber" -> new Attr("lower(u.phone)", false, false, Type.TEXT);
                case "employeenumber" -> new Attr("lower(coalesce(u.employee_number, u.attributes->>'employeeNumber'))", false, false, Type.TEXT);
                case "entryuuid" -> new Attr("u.id", true, true, Type.UUID);
                case "createtimestamp" -> new Attr("u.created_at", false, true, Type.TIME);
                case "modifytimestamp" -> new Attr("u.updated_at", false, true, Type.TIME);
                case "memberof" -> new Attr(null, true, false, Type.DN_GROUP);
                case "manager" -> new Attr(null, true, false, Type.DN_USER);
                default -> null;
            };
        }
        return switch (n) {
            case "cn" -> new Attr("lower(g.name)", true, true, Type.TEXT);
            case "description" -> new Attr("lower(g.description)", false, false, Type.TEXT);
            case "entryuuid" -> new Attr("g.id", true, true, Type.UUID);
            case "createtimestamp" -> new Attr("g.created_at", false, true, Type.TIME);
            case "modifytimestamp" -> new Attr("g.updated_at", false, true, Type.TIME);
            case "member", "uniquemember" -> new Attr(null, true, false, Type.DN_USER);
            default -> null;
        };
    }

    private Where presence(String name, Table table) {
        Attr a = attr(name, table);
        if (a == null) {
            return Where.constant(false);
        }
        if (a.alwaysPresent()) {
            return Where.constant(true);
        }
        String sql = switch (a.type()) {
            case DN_GROUP -> "EXISTS (SELECT 1 FROM group_membership pm JOIN user_group pg ON pg.id = pm.group_id "
                    + "AND pg.deleted_at IS NULL WHERE pm.user_id = u.id)";
            case DN_USER -> table == Table.USERS ? "u.manager_id IS NOT NULL"
                    : "EXISTS (SELECT 1 FROM group_membership pm JOIN directory_user pu ON pu.id = pm.user_id "
                            + "AND pu.status IN ('INVITED', 'ACTIVE') WHERE pm.group_id = g.id)";
            default -> "(" + a.expr() + " IS NOT NULL AND " + a.expr() + " <> '')";
        };
        return new Where(sql, List.of(), Cost.SCAN);
    }

    private Where compare(String name, String op, String value, Table table) {
        Attr a = attr(name, table);
        if (a == null) {
            return Where.UNDEFINED;
        }
        String v = value == null ? "" : value;
        switch (a.type()) {
            case CLASS -> {
                Set<String> classes = table == Table.USERS ? USER_CLASSES : GROUP_CLASSES;
                String lower = v.toLowerCase(Locale.ROOT);
                boolean match = switch (op) {
                    case "=" -> classes.contains(lower);
                    case ">=" -> classes.stream().anyMatch(c -> c.compareTo(lower) >= 0);
                    default -> classes.stream().anyMatch(c -> c.compareTo(lower) <= 0);
                };
                return Where.constant(match);
            }
            case UUID -> {
                if (!op.equals("=")) {
                    return new Where(a.expr() + "::text " + op + " ?", List.of(v.toLowerCase(Locale.ROOT)), Cost.SCAN);
                }
                try {
                    return new Where(a.expr() + " = ?", List.of(UUID.fromString(v.strip())), Cost.INDEXED);
                } catch (IllegalArgumentException e) {
                    return Where.constant(false);
                }
            }
            case TIME -> {
                try {
                    Timestamp t = new Timestamp(StaticUtils.decodeGeneralizedTime(v).getTime());
                    String sqlOp = op.equals("=") ? "=" : op;
                    // createTimestamp compares at the second: the stored microseconds are cut to what LDAP shows.
                    return new Where("date_trunc('second', " + a.expr() + ") " + sqlOp + " ?", List.of(t), Cost.SCAN);
                } catch (java.text.ParseException e) {
                    return Where.UNDEFINED;
                }
            }
            case DN_USER, DN_GROUP -> {
                if (!op.equals("=")) {
                    return Where.UNDEFINED;
                }
                return dnEquality(a.type(), v, table);
            }
            default -> {
                String lower = v.toLowerCase(Locale.ROOT);
                boolean indexed = op.equals("=") && a.indexedEquality();
                return new Where(a.expr() + " " + op + " ?", List.of(lower), indexed ? Cost.INDEXED : Cost.SCAN);
            }
        }
    }

    private Where dnEquality(Type type, String value, Table table) {
        LdapTree.Node node;
        try {
            node = tree.classify(value);
        } catch (com.unboundid.ldap.sdk.LDAPException e) {
            return Where.constant(false);
        }
        if (type == Type.DN_GROUP) {
            if (node.kind() != LdapTree.Kind.GROUP) {
                return Where.constant(false);
            }
            return new Where("u.id IN (SELECT fm.user_id FROM group_membership fm JOIN user_group fg ON fg.id = fm.group_id "
                    + "WHERE fg.deleted_at IS NULL AND lower(fg.name) = ?)", List.of(node.name().toLowerCase(Locale.ROOT)),
                    Cost.INDEXED);
        }
        if (node.kind() != LdapTree.Kind.USER) {
            return Where.constant(false);
        }
        String uid = node.name().toLowerCase(Locale.ROOT);
        if (table == Table.USERS) {
            return new Where("u.manager_id IN (SELECT fu.id FROM directory_user fu WHERE lower(coalesce(fu.username, fu.email)) = ? "
                    + "AND fu.status IN ('INVITED', 'ACTIVE'))", List.of(uid), Cost.INDEXED);
        }
        return new Where("g.id IN (SELECT fm.group_id FROM group_membership fm JOIN directory_user fu ON fu.id = fm.user_id "
                + "WHERE lower(coalesce(fu.username, fu.email)) = ? AND fu.status IN ('INVITED', 'ACTIVE'))", List.of(uid),
                Cost.INDEXED);
    }

    private Where substring(Filter f, Table table) {
        Attr a = attr(f.getAttributeName(), table);
        if (a == null) {
            return Where.UNDEFINED;
        }
        StringBuilder pattern = new StringBuilder();
        if (f.getSubInitialString() != null) {
            pattern.append(like(f.getSubInitialString()));
        }
        pattern.append('%');
        for (String any : f.getSubAnyStrings()) {
            pattern.append(like(any)).append('%');
        }
        if (f.getSubFinalString() != null) {
            pattern.append(like(f.getSubFinalString()));
        }
        String p = pattern.toString().toLowerCase(Locale.ROOT);
        if (a.type() == Type.CLASS) {
            Set<String> classes = table == Table.USERS ? USER_CLASSES : GROUP_CLASSES;
            java.util.regex.Pattern regex = java.util.regex.Pattern.compile(likeToRegex(p));
            return Where.constant(classes.stream().anyMatch(c -> regex.matcher(c).matches()));
        }
        if (a.expr() == null) {
            return Where.UNDEFINED; // DN-valued attributes have no substring matching rule
        }
        String expr = a.type() == Type.TEXT ? a.expr() : "lower(" + a.expr() + "::text)";
        return new Where(expr + " LIKE ? ESCAPE '\\'", List.of(p), Cost.SCAN);
    }

    private static String like(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String likeToRegex(String like) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            if (c == '\\' && i + 1 < like.length()) {
                r.append(java.util.regex.Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (c == '%') {
                r.append(".*");
            } else {
                r.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }
}
