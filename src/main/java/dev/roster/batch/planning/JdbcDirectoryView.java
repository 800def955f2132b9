package dev.roster.batch.planning;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.csv.ColumnNames;
import dev.roster.plan.DirectoryView;
import dev.roster.plan.GroupSnapshot;
import dev.roster.plan.UserDates;
import dev.roster.plan.UserSnapshot;
import dev.roster.plan.UserStatus;

/**
 * The planner's view of the directory: one query per chunk of keys, on one connection. The keys are a
 * set to join, not "= ANY (?)": a cached generic plan that scanned the table tested every row against
 * the whole 1,000-key array (seconds per chunk at 100k users, docs/performance.md).
 */
public final class JdbcDirectoryView implements DirectoryView {

    /** The SCIM attributes of issue #24 (UserSnapshot.extended), read after the fixed columns below. */
    private static final List<String> EXTENDED = java.util.stream.Stream.concat(ColumnNames.EXTENDED.stream(),
            ColumnNames.SCIM_ONLY.stream()).toList();
    private static final String COLUMNS = "id, email, external_id, username, given_name, family_name, display_name, "
            + "phone, department, title, locale, status, attributes::text, version, manager_id, "
            + String.join(", ", EXTENDED.stream().map(c -> ColumnNames.JSON_LISTS.contains(c) ? c + "::text" : c).toList());
    private static final String GROUP_COLUMNS = "g.id, g.name, g.description, g.external_id, g.version, "
            + "(SELECT count(*) FROM group_membership m JOIN directory_user u ON u.id = m.user_id "
            + "WHERE m.group_id = g.id AND u.status <> 'DELETED')";
    /** Identifiers belong to users not deleted (the partial unique indexes of V26, decisions/0031). */
    private static final String LIVE = "AND status <> 'DELETED'";
    private static final TypeReference<Map<String, String>> ATTRIBUTES = new TypeReference<>() {
    };

    private final Connection connection;
    private final ObjectMapper json;

    public JdbcDirectoryView(Connection connection, ObjectMapper json) {
        this.connection = connection;
        this.json = json;
    }

    @Override
    public Map<String, UserSnapshot> findByEmails(Collection<String> lowercasedEmails) {
        return lookup("SELECT " + COLUMNS + " FROM directory_user WHERE lower(email) IN (SELECT unnest(?::text[])) " + LIVE,
                "text", lowercasedEmails, this::read, (found, user) -> found.put(user.email().toLowerCase(Locale.ROOT), user));
    }

    @Override
    public Map<String, UserSnapshot> findByExternalIds(Collection<String> externalIds) {
        return lookup("SELECT " + COLUMNS + " FROM directory_user WHERE external_id IN (SELECT unnest(?::text[])) " + LIVE,
                "text", externalIds, this::read, (found, user) -> found.put(user.externalId(), user));
    }

    @Override
    public Map<String, UserSnapshot> findByLogins(Collection<String> lowercasedLogins) {
        // directory_user_username_idx; a username's holder comes last, so it wins over an equal email of another user
        return lookup("SELECT " + COLUMNS + " FROM directory_user WHERE lower(coalesce(username, email)) IN "
                + "(SELECT unnest(?::text[])) " + LIVE + " ORDER BY username IS NOT NULL", "text", lowercasedLogins, this::read,
                (found, user) -> found.put((user.username() != null ? user.username() : user.email()).toLowerCase(Locale.ROOT), user));
    }

    @Override
    public Map<UUID, UserSnapshot> findByIds(Collection<UUID> ids) {
        return lookup("SELECT " + COLUMNS + " FROM directory_user WHERE id IN (SELECT unnest(?::uuid[]))",
                "uuid", ids, this::read, (found, user) -> found.put(user.id(), user));
    }

    @Override
    public Map<String, GroupSnapshot> findGroups(Collection<String> lowercasedNames) {
        return lookup("SELECT " + GROUP_COLUMNS + " FROM user_group g WHERE g.deleted_at IS NULL "
                + "AND lower(g.name) IN (SELECT unnest(?::text[]))", "text", lowercasedNames, JdbcDirectoryView::group,
                (found, group) -> found.put(group.name().toLowerCase(Locale.ROOT), group));
    }

    @Override
    public Map<String, GroupSnapshot> findGroupsByExternalIds(Collection<String> externalIds) {
        return lookup("SELECT " + GROUP_COLUMNS + " FROM user_group g WHERE g.deleted_at IS NULL "
                + "AND g.external_id IN (SELECT unnest(?::text[]))", "text", externalIds, JdbcDirectoryView::group,
                (found, group) -> found.put(group.externalId(), group));
    }

    @Override
    public Map<UUID, List<String>> groupsOf(Collection<UUID> userIds) {
        return lookup("""
                SELECT m.user_id, g.name FROM group_membership m JOIN user_group g ON g.id = m.group_id
                 WHERE g.deleted_at IS NULL AND m.user_id IN (SELECT unnest(?::uuid[]))""", "uuid", userIds,
                rs -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2)),
                (found, m) -> found.computeIfAbsent(m.getKey(), k -> new ArrayList<>()).add(m.getValue()));
    }

    @Override
    public Map<UUID, UserDates> datesOf(Collection<UUID> userIds) {
        return lookup("""
                SELECT id, start_date, end_date, timezone FROM directory_user
                 WHERE id IN (SELECT unnest(?::uuid[])) AND (start_date IS NOT NULL OR end_date IS NOT NULL OR timezone IS NOT NULL)""",
                "uuid", userIds, rs -> Map.entry(rs.getObject(1, UUID.class), new UserDates(rs.getObject(2, LocalDate.class),
                        rs.getObject(3, LocalDate.class), rs.getString(4))),
                (found, e) -> found.put(e.getKey(), e.getValue()));
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** One query for a set of keys (bound as one array), each row read and put into the result. */
    private <K, V, T> Map<K, V> lookup(String sql, String arrayType, Collection<?> keys, Row<T> row,
                                       BiConsumer<Map<K, V>, T> put) {
        Map<K, V> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            Array array = connection.createArrayOf(arrayType, keys.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    put.accept(found, row.read(rs));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new IllegalStateException("directory lookup failed: " + e.getMessage(), e);
        }
    }

    private static GroupSnapshot group(ResultSet rs) throws SQLException {
        return new GroupSnapshot(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getLong(5), rs.getLong(6));
    }

    private UserSnapshot read(ResultSet rs) throws SQLException {
        Map<String, String> attributes;
        try {
            attributes = json.readValue(rs.getString(13), ATTRIBUTES);
        } catch (Exception e) {
            attributes = Map.of();
        }
        Map<String, String> extended = null; // most users have none: no map
        for (int i = 0; i < EXTENDED.size(); i++) {
            String value = rs.getString(16 + i);
            if (value != null) {
                if (extended == null) {
                    extended = new HashMap<>();
                }
                extended.put(EXTENDED.get(i), value);
            }
        }
        return new UserSnapshot(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), UserStatus.valueOf(rs.getString(12)), attributes, rs.getLong(14), rs.getObject(15, UUID.class),
                extended);
    }
}
