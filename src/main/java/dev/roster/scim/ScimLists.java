package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What every SCIM list shares: the page size cap, the large-directory guard (docs/scim.md), and cursor paging's
 * position and next cursor (RFC 9865, decision 0043).
 */
@ApplicationScoped
public class ScimLists {

    @Inject
    ScimSettings settings;
    @Inject
    ScimCursors cursors;

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

    /** Where a cursor request starts (RFC 9865): its cursor's position; a startIndex beside a cursor is refused. */
    ScimCursors.Position position(String resourceType, ScimSearch q) {
        if (q.startIndex() != null) {
            throw ScimException.invalidValue("startIndex and cursor are two ways of paging: send cursor (empty for the "
                    + "first page, then each answer's nextCursor) or startIndex, not both.");
        }
        return cursors.decode(ScimCursors.query(resourceType, q), q.cursor());
    }

    /**
     * The nextCursor of a cursor page of which {@code given} rows were sent: null when they end the list (RFC 9865:
     * its absence alone says there are no more pages).
     */
    String nextCursor(String resourceType, ScimSearch q, ScimKeyset.Page page, ScimCursors.Position from, int given) {
        boolean more = page.more() || given < page.entries().size();
        return more ? cursors.encode(ScimCursors.query(resourceType, q), page.next(from, given)) : null;
    }

    /** Rows read by id, in the order of the ids; an id whose row went (deleted between two statements) is left out. */
    static <R> List<R> inOrder(List<UUID> ids, List<R> rows, Function<R, UUID> id) {
        Map<UUID, R> byId = new HashMap<>();
        for (R r : rows) {
            byId.put(id.apply(r), r);
        }
        List<R> ordered = new ArrayList<>(ids.size());
        for (UUID i : ids) {
            R r = byId.get(i);
            if (r != null) {
                ordered.add(r);
            }
        }
        return ordered;
    }
}
