package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

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
        // A full page proves at least before + rows users; an empty page past the end, at most before.
        return kept(c, known -> rows > 0 ? known >= before + rows : size == 0 || known <= before);
    }

    /**
     * The total for a cursor page of {@code rows} users (RFC 9865): exact from the page when it is both the first and
     * the last; otherwise the kept count, unless the page holds more users than it.
     */
    long total(Connection c, boolean first, boolean more, int rows) throws SQLException {
        if (first && !more) {
            return rows;
        }
        return kept(c, known -> known >= rows);
    }

    /** The count kept when fresh and consistent with the page, else a new count. */
    private long kept(Connection c, LongPredicate consistent) throws SQLException {
        Counted known = counted;
        boolean fresh = known != null && System.nanoTime() - known.atNanos() < TimeUnit.SECONDS.toNanos(FRESH_SECONDS);
        if (fresh && consistent.test(known.total())) {
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
