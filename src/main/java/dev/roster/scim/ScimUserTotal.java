package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * totalResults of GET /Users without a filter, without counting the directory on every call (docs/decisions/0024):
 * exact from the page itself when the page ends the list; otherwise an exact count kept for {@value #FRESH_SECONDS}
 * seconds, counted again sooner when the page contradicts it or a SCIM write through Roster created or deleted a user.
 */
@ApplicationScoped
public class ScimUserTotal {

    static final long FRESH_SECONDS = 10;

    private record Counted(long total, long atNanos) {
    }

    private volatile Counted counted;

    /**
     * The total for a page of {@code rows} users read from {@code start} (1-based) with a page size of {@code size}.
     */
    long total(Connection c, int start, int size, int rows) throws SQLException {
        long before = start - 1L;
        if (rows < size && (rows > 0 || start == 1)) {
            return before + rows; // the page ends the list: its end is the total
        }
        Counted known = counted;
        boolean fresh = known != null && System.nanoTime() - known.atNanos() < TimeUnit.SECONDS.toNanos(FRESH_SECONDS);
        // A full page proves at least before + rows users; an empty page past the end, at most before.
        boolean consistent = known != null && (rows > 0 ? known.total() >= before + rows : size == 0 || known.total() <= before);
        if (fresh && consistent) {
            return known.total();
        }
        long total = Jdbc.one(c, "SELECT count(*) FROM directory_user WHERE status <> 'DELETED'", rs -> rs.getLong(1))
                .orElse(0L);
        counted = new Counted(total, System.nanoTime());
        return total;
    }

    /** A user was created or deleted here: the next list counts again. */
    void changed() {
        counted = null;
    }
}
