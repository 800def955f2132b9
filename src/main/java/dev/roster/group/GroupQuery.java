package dev.roster.group;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import dev.roster.sql.Jdbc;
import dev.roster.web.PageOf;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Reads groups and their members. Deleted users never count and are never listed. Members come in a stable
 * order (the identifier: lower(coalesce(email, username)), then id, directory_user_identifier_idx) by keyset: a
 * page after (or before) a member's id walks that index from there, so the 2,000th page of a 100k-member group costs what the first does.
 */
@ApplicationScoped
public class GroupQuery {

    /** The live members of group g (an anti-join served by directory_user_status_deleted_idx, V18). */
    static final String MEMBER_COUNT = """
            (SELECT count(*) FROM group_membership m WHERE m.group_id = g.id
                AND NOT EXISTS (SELECT 1 FROM directory_user d WHERE d.id = m.user_id AND d.status = 'DELETED'))""";
    static final String COLUMNS = "g.id, g.name, g.description, g.external_id, " + MEMBER_COUNT
            + ", g.version, g.created_at, g.updated_at, g.deleted_at";

    /** The live members of one group (bind its id), in the shape of {@link #member}; callers add the order. */
    static final String MEMBER_SELECT = """
            SELECT u.id, u.email, u.external_id, coalesce(nullif(u.display_name, ''),
                   nullif(btrim(coalesce(u.given_name, '') || ' ' || coalesce(u.family_name, '')), ''), u.email, u.username),
                   u.status, m.added_at, m.added_by
              FROM directory_user u JOIN group_membership m ON m.user_id = u.id AND m.group_id = ?
             WHERE u.status <> 'DELETED'""";

    /** The members' order: a user's identifier (email, or username without one), then id. */
    private static final String ORDER = "lower(coalesce(u.email, u.username)), u.id";
    private static final String ORDER_BACKWARDS = "lower(coalesce(u.email, u.username)) DESC, u.id DESC";

    /** A page of members and the cursors either side of it (null at an end). */
    public record MemberPage(List<GroupMember> items, UUID previousBefore, UUID nextAfter, int size) {
        public boolean hasPrevious() {
            return previousBefore != null;
        }

        public boolean hasNext() {
            return nextAfter != null;
        }
    }

    @Inject
    Jdbc jdbc;

    /** Live groups whose name contains q (any case), by name, with their member counts. */
    public PageOf<UserGroup> search(String q, int page, int size) {
        String where = "g.deleted_at IS NULL";
        List<Object> params = new ArrayList<>();
        if (q != null && !q.isBlank()) {
            where += " AND lower(g.name) LIKE ? ESCAPE '\\'";
            params.add("%" + escapeLike(q.trim().toLowerCase(Locale.ROOT)) + "%");
        }
        String filter = where;
        return jdbc.withConnection(c -> {
            long total = Jdbc.one(c, "SELECT count(*) FROM user_group g WHERE " + filter, rs -> rs.getLong(1),
                    params.toArray()).orElse(0L);
            List<Object> paged = new ArrayList<>(params);
            paged.add(size);
            paged.add((long) (page - 1) * size);
            List<UserGroup> items = Jdbc.list(c, "SELECT " + COLUMNS + " FROM user_group g WHERE " + filter
                    + " ORDER BY lower(g.name), g.id LIMIT ? OFFSET ?", GroupQuery::group, paged.toArray());
            return new PageOf<>(items, total, page, size);
        });
    }

    /** A group by id, live or deleted. */
    public Optional<UserGroup> find(UUID id) {
        return jdbc.withConnection(c -> find(c, id));
    }

    /**
     * A group by id without counting its members (memberCount is -1): for the members fragment, which pages
     * a 100k-member group in well under a millisecond and should not pay a count of 100k rows each time.
     */
    public Optional<UserGroup> findUncounted(UUID id) {
        return jdbc.withConnection(c -> Jdbc.one(c, "SELECT " + COLUMNS.replace(MEMBER_COUNT, "-1")
                + " FROM user_group g WHERE g.id = ?", GroupQuery::group, id));
    }

    static Optional<UserGroup> find(Connection c, UUID id) throws SQLException {
        return Jdbc.one(c, "SELECT " + COLUMNS + " FROM user_group g WHERE g.id = ?", GroupQuery::group, id);
    }

    /**
     * A page of live members in email order: after the member {@code after}, before the member {@code before},
     * or from the start. The cursor is a user id, so links stay short and survive an email change.
     */
    public MemberPage members(UUID groupId, UUID after, UUID before, int size) {
        return jdbc.withConnection(c -> {
            boolean backwards = before != null && after == null;
            UUID cursor = backwards ? before : after;
            String sql = MEMBER_SELECT
                    + (cursor == null ? "" : " AND (" + ORDER + ") " + (backwards ? "<" : ">")
                            + " (SELECT lower(coalesce(email, username)), id FROM directory_user WHERE id = ?)")
                    + " ORDER BY " + (backwards ? ORDER_BACKWARDS : ORDER) + " LIMIT ?";
            Object[] args = cursor == null ? new Object[] { groupId, size + 1 } : new Object[] { groupId, cursor, size + 1 };
            List<GroupMember> rows = Jdbc.list(c, sql, GroupQuery::member, args);
            boolean more = rows.size() > size;
            if (more) {
                rows = new ArrayList<>(rows.subList(0, size));
            }
            if (backwards) {
                Collections.reverse(rows);
            }
            if (rows.isEmpty()) {
                return new MemberPage(rows, null, null, size);
            }
            UUID first = rows.get(0).userId();
            UUID last = rows.get(rows.size() - 1).userId();
            UUID previous = backwards ? (more ? first : null) : (cursor != null ? first : null);
            UUID next = backwards ? last : (more ? last : null);
            return new MemberPage(rows, previous, next, size);
        });
    }

    /** The live members of a group, for offset paging in the API (page from 1). */
    public List<GroupMember> membersAt(UUID groupId, int page, int size) {
        return jdbc.withConnection(c -> Jdbc.list(c, MEMBER_SELECT + " ORDER BY " + ORDER + " LIMIT ? OFFSET ?",
                GroupQuery::member, groupId, size, (long) (page - 1) * size));
    }

    static UserGroup group(ResultSet rs) throws SQLException {
        OffsetDateTime deleted = rs.getObject(9, OffsetDateTime.class);
        return new UserGroup(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getLong(5), rs.getLong(6), rs.getObject(7, OffsetDateTime.class).toInstant(),
                rs.getObject(8, OffsetDateTime.class).toInstant(), deleted == null ? null : deleted.toInstant());
    }

    static GroupMember member(ResultSet rs) throws SQLException {
        return new GroupMember(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getObject(6, OffsetDateTime.class).toInstant(), rs.getString(7));
    }

    static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
