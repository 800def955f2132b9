package dev.roster.directory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A directory user's groups (live ones, by name) and manager, for the user page and /api/users; and the people
 * who report to them. Set-based: one page of users costs two queries, whatever its size.
 */
@ApplicationScoped
public class UserLinks {

    public record GroupRef(UUID id, String name) {
    }

    public record UserRef(UUID id, String email) {
    }

    /** A user's groups and manager (null when none). */
    public record Links(List<GroupRef> groups, UserRef manager) {
        public static final Links NONE = new Links(List.of(), null);
    }

    /** The live people who report to a user: the first ones by email, and how many there are. */
    public record Reports(List<UserRef> first, long total) {
        public boolean more() {
            return total > first.size();
        }

        public long others() {
            return total - first.size();
        }
    }

    @Inject
    Jdbc jdbc;

    public Map<UUID, Links> of(Collection<UUID> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        UUID[] ids = userIds.toArray(UUID[]::new);
        return jdbc.withConnection(c -> {
            Map<UUID, List<GroupRef>> groups = new HashMap<>();
            for (Object[] row : Jdbc.list(c, """
                    SELECT m.user_id, g.id, g.name FROM group_membership m
                      JOIN user_group g ON g.id = m.group_id AND g.deleted_at IS NULL
                     WHERE m.user_id = ANY(?) ORDER BY lower(g.name), g.id""",
                    rs -> new Object[] { rs.getObject(1, UUID.class), new GroupRef(rs.getObject(2, UUID.class), rs.getString(3)) },
                    (Object) ids)) {
                groups.computeIfAbsent((UUID) row[0], k -> new ArrayList<>()).add((GroupRef) row[1]);
            }
            Map<UUID, UserRef> managers = new HashMap<>();
            Jdbc.list(c, """
                    SELECT u.id, mg.id, mg.email FROM directory_user u JOIN directory_user mg ON mg.id = u.manager_id
                     WHERE u.id = ANY(?)""", rs -> managers.put(rs.getObject(1, UUID.class),
                    new UserRef(rs.getObject(2, UUID.class), rs.getString(3))), (Object) ids);
            Map<UUID, Links> links = new HashMap<>();
            for (UUID id : ids) {
                links.put(id, new Links(groups.getOrDefault(id, List.of()), managers.get(id)));
            }
            return links;
        });
    }

    public Links of(UUID userId) {
        return of(List.of(userId)).getOrDefault(userId, Links.NONE);
    }

    public Reports reportsOf(UUID userId, int limit) {
        return jdbc.withConnection(c -> new Reports(Jdbc.list(c, """
                SELECT id, email FROM directory_user WHERE manager_id = ? AND status <> 'DELETED'
                 ORDER BY lower(email) LIMIT ?""", rs -> new UserRef(rs.getObject(1, UUID.class), rs.getString(2)), userId,
                limit), Jdbc.one(c, "SELECT count(*) FROM directory_user WHERE manager_id = ? AND status <> 'DELETED'",
                        rs -> rs.getLong(1), userId).orElse(0L)));
    }
}
