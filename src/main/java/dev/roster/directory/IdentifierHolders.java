package dev.roster.directory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import dev.roster.sql.Jdbc;

/**
 * Who holds a deleted user's identifiers now. A deleted user frees its email, username and external_id (the partial
 * unique indexes of V26, decisions/0031), so another user may have taken one since; bringing the deleted user back
 * would then give two live users the same identifier. Restore and a batch's revert ask this first and refuse, naming
 * the holder.
 */
public final class IdentifierHolders {

    /** One identifier of a deleted user that a live user holds now. */
    public record Taken(UUID deletedUser, String identifier, String value, UUID holder, String holderName) {

        /** "email a@x.org now belongs to user 1b2c… (a@x.org)". */
        public String describe() {
            return identifier + " " + value + " now belongs to user " + holder + " (" + holderName + ")";
        }
    }

    private static final int LIMIT = 20;

    /** Each probe is a lookup in one partial unique index, the deleted users bound as one array. */
    private static final String TAKEN = """
            SELECT * FROM (
                SELECT d.id, 'email', d.email, h.id, coalesce(h.email, h.username)
                  FROM directory_user d JOIN directory_user h ON lower(h.email) = lower(d.email) AND h.status <> 'DELETED'
                 WHERE d.id = ANY (?) AND d.status = 'DELETED' AND h.id <> d.id
                UNION ALL
                SELECT d.id, 'username', d.username, h.id, coalesce(h.email, h.username)
                  FROM directory_user d JOIN directory_user h ON lower(h.username) = lower(d.username) AND h.username IS NOT NULL
                                                             AND h.status <> 'DELETED'
                 WHERE d.id = ANY (?) AND d.status = 'DELETED' AND h.id <> d.id
                UNION ALL
                -- an address that a live user signs in with as its username (both are sign-in names)
                SELECT d.id, 'email', d.email, h.id, coalesce(h.email, h.username)
                  FROM directory_user d JOIN directory_user h ON lower(h.username) = lower(d.email) AND h.username IS NOT NULL
                                                             AND h.status <> 'DELETED'
                 WHERE d.id = ANY (?) AND d.status = 'DELETED' AND h.id <> d.id AND d.email IS NOT NULL
                   AND (h.email IS NULL OR lower(h.email) <> lower(d.email))
                UNION ALL
                SELECT d.id, 'external_id', d.external_id, h.id, coalesce(h.email, h.username)
                  FROM directory_user d JOIN directory_user h ON h.external_id = d.external_id AND h.external_id IS NOT NULL
                                                             AND h.status <> 'DELETED'
                 WHERE d.id = ANY (?) AND d.status = 'DELETED' AND h.id <> d.id) t
             ORDER BY 1, 2 LIMIT""" + " " + LIMIT;

    private IdentifierHolders() {
    }

    /** The identifiers of these deleted users that live users hold now (at most 20); empty when all are free. */
    public static List<Taken> taken(Connection c, Collection<UUID> deletedUsers) throws SQLException {
        if (deletedUsers.isEmpty()) {
            return List.of();
        }
        java.sql.Array ids = c.createArrayOf("uuid", deletedUsers.toArray());
        return Jdbc.list(c, TAKEN, rs -> new Taken(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                rs.getObject(4, UUID.class), rs.getString(5)), ids, ids, ids, ids);
    }
}
