package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The limits every SCIM list obeys: the page size cap and the large-directory guard (docs/scim.md). */
@ApplicationScoped
public class ScimLists {

    @Inject
    ScimSettings settings;

    /** count capped at maxResults (absent: maxResults). */
    int pageSize(Integer count) {
        return count == null ? settings.maxResults() : Math.max(0, Math.min(count, settings.maxResults()));
    }

    /** startIndex from 1. */
    static int start(Integer startIndex) {
        return startIndex == null || startIndex < 1 ? 1 : startIndex;
    }

    /**
     * The large-directory guard: a list whose filter or sortBy no index serves reads and sorts the whole table, so it
     * is refused once the table holds more than roster.scim.unindexed-filter-max-rows rows (the planner's estimate,
     * free to read).
     */
    void guardScan(Connection c, String table, String what, String culprit, String hint) throws SQLException {
        long rows = Jdbc.one(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?::regclass",
                rs -> rs.getLong(1), table).orElse(0L);
        if (rows > settings.unindexedFilterMaxRows()) {
            throw ScimException.invalidFilter("This " + culprit + " would read and sort all " + rows + " " + what
                    + ": no index serves it. " + hint);
        }
    }
}
