package dev.roster.ldap;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.util.StaticUtils;

import dev.roster.sql.Jdbc;

/**
 * Reads users and groups for LDAP as entries, a keyset page at a time (ordered by id, so a paged search's cookie is
 * the last id sent and stays valid whatever changes between pages). memberOf and member are read only when the
 * answer includes them, for the page's rows in one statement.
 */
final class LdapDirectory {

    /** One page of entries and the id of the last row read. */
    record Page(List<Entry> entries, UUID last) {
    }

    private static final String USER_COLUMNS = "u.id, " + LdapFilterSql.USER_UID + ", u.email, u.given_name, "
            + LdapFilterSql.USER_SN + ", " + LdapFilterSql.USER_CN + ", u.display_name, u.title, u.phone, "
            + "coalesce(u.employee_number, u.attributes->>'employeeNumber'), coalesce(m.username, m.email), u.created_at, u.updated_at";
    private static final String USER_FROM = " FROM directory_user u LEFT JOIN directory_user m ON m.id = u.manager_id "
            + "AND m.status IN ('INVITED', 'ACTIVE')";

    private final LdapTree tree;

    private final int maxMembers;

    LdapDirectory(LdapTree tree, int maxMembers) {
        this.maxMembers = maxMembers;
        this.tree = tree;
    }

    Page users(Connection c, LdapFilterSql.Where where, UUID after, int limit, LdapAttributes attrs, int timeoutSeconds)
            throws SQLException {
        List<Object> args = new ArrayList<>(where.args());
        args.add(after == null ? new UUID(0, 0) : after);
        args.add(limit);
        String sql = "SELECT " + USER_COLUMNS + USER_FROM + " WHERE " + LdapFilterSql.VISIBLE_USER + " AND " + where.sql()
                + " AND u.id > ? ORDER BY u.id LIMIT ?";
        Map<UUID, Entry> entries = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(Math.max(1, timeoutSeconds));
            Jdbc.bind(ps, args.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.put(rs.getObject(1, UUID.class), user(rs));
                }
            }
        }
        if (!entries.isEmpty() && attrs.wants("memberOf")) {
            Map<UUID, List<String>> groups = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT gm.user_id, g.name FROM group_membership gm "
                    + "JOIN user_group g ON g.id = gm.group_id AND g.deleted_at IS NULL WHERE gm.user_id = ANY (?) "
                    + "ORDER BY lower(g.name)")) {
                ps.setArray(1, c.createArrayOf("uuid", entries.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        groups.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                                .add(tree.groupDn(rs.getString(2)));
                    }
                }
            }
            groups.forEach((id, dns) -> entries.get(id).addAttribute("memberOf", dns));
        }
        UUID last = null;
        for (UUID id : entries.keySet()) {
            last = id;
        }
        return new Page(new ArrayList<>(entries.values()), last);
    }

    Page groups(Connection c, LdapFilterSql.Where where, UUID after, int limit, LdapAttributes attrs, int timeoutSeconds)
            throws SQLException {
        List<Object> args = new ArrayList<>(where.args());
        args.add(after == null ? new UUID(0, 0) : after);
        args.add(limit);
        Map<UUID, Entry> entries = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT g.id, g.name, g.description, g.created_at, g.updated_at "
                + "FROM user_group g WHERE g.deleted_at IS NULL AND " + where.sql() + " AND g.id > ? ORDER BY g.id LIMIT ?")) {
            ps.setQueryTimeout(Math.max(1, timeoutSeconds));
            Jdbc.bind(ps, args.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    Entry e = new Entry(tree.groupDn(rs.getString(2)));
                    e.addAttribute("objectClass", "top", "groupOfNames", "groupOfUniqueNames");
                    e.addAttribute("cn", rs.getString(2));
                    if (rs.getString(3) != null && !rs.getString(3).isBlank()) {
                        e.addAttribute("description", rs.getString(3));
                    }
                    e.addAttribute("entryUUID", id.toString());
                    e.addAttribute("createTimestamp", time(rs.getTimestamp(4)));
                    e.addAttribute("modifyTimestamp", time(rs.getTimestamp(5)));
                    entries.put(id, e);
                }
            }
        }
        if (!entries.isEmpty() && (attrs.wants("member") || attrs.wants("uniqueMember"))) {
            Map<UUID, List<String>> members = new HashMap<>();
            // At most roster.ldap.max-group-members + 1 per group are read: one more means the entry is refused.
            try (PreparedStatement ps = c.prepareStatement("SELECT group_id, uid FROM (SELECT gm.group_id, "
                    + "coalesce(u.username, u.email) AS uid, row_number() OVER (PARTITION BY gm.group_id) AS n "
                    + "FROM group_membership gm JOIN directory_user u ON u.id = gm.user_id "
                    + "WHERE gm.group_id = ANY (?) AND " + LdapFilterSql.VISIBLE_USER + ") m WHERE n <= ?")) {
                ps.setQueryTimeout(Math.max(1, timeoutSeconds));
                ps.setArray(1, c.createArrayOf("uuid", entries.keySet().toArray()));
                ps.setLong(2, (long) maxMembers + 1);
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<String> dns = members.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>());
                        if (dns.size() == maxMembers) {
                            throw new SQLException(new com.unboundid.ldap.sdk.LDAPException(
                                    com.unboundid.ldap.sdk.ResultCode.ADMIN_LIMIT_EXCEEDED, "Group "
                                    + entries.get(rs.getObject(1, UUID.class)).getDN() + " has more than " + maxMembers
                                    + " members (roster.ldap.max-group-members): read it without member and "
                                    + "uniqueMember, and its members by (memberOf=<group DN>) with paged results."));
                        }
                        dns.add(tree.userDn(rs.getString(2)));
                    }
                }
            }
            members.forEach((id, dns) -> {
                entries.get(id).addAttribute("member", dns);
                entries.get(id).addAttribute("uniqueMember", dns);
            });
        }
        UUID last = null;
        for (UUID id : entries.keySet()) {
            last = id;
        }
        return new Page(new ArrayList<>(entries.values()), last);
    }

    private Entry user(ResultSet rs) throws SQLException {
        String uid = rs.getString(2);
        Entry e = new Entry(tree.userDn(uid));
        e.addAttribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson");
        e.addAttribute("uid", uid);
        add(e, "mail", rs.getString(3));
        add(e, "givenName", rs.getString(4));
        e.addAttribute("sn", rs.getString(5));
        e.addAttribute("cn", rs.getString(6));
        add(e, "displayName", rs.getString(7) == null || rs.getString(7).isBlank() ? rs.getString(6) : rs.getString(7));
        add(e, "title", rs.getString(8));
        add(e, "telephoneNumber", rs.getString(9));
        add(e, "employeeNumber", rs.getString(10));
        if (rs.getString(11) != null) {
            e.addAttribute("manager", tree.userDn(rs.getString(11)));
        }
        e.addAttribute("entryUUID", rs.getObject(1, UUID.class).toString());
        e.addAttribute("createTimestamp", time(rs.getTimestamp(12)));
        e.addAttribute("modifyTimestamp", time(rs.getTimestamp(13)));
        return e;
    }

    private static void add(Entry e, String name, String value) {
        if (value != null && !value.isBlank()) {
            e.addAttribute(name, value);
        }
    }

    static String time(Timestamp t) {
        return StaticUtils.encodeGeneralizedTime(new java.util.Date(t.getTime() / 1000 * 1000)).replace(".000Z", "Z");
    }
}
