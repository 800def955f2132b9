package dev.roster.scim;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roster.scim.ScimCursors.Position;
import dev.roster.scim.ScimCursors.Segment;
import dev.roster.sql.Jdbc;

/**
 * The ids of a cursor page (RFC 9865, decision 0043): {@code WHERE (sortkey, id) > (last key, last id)} in the order
 * {@code sortkey, id} (both descending for sortOrder=descending), so a page deep in a million users reads only its
 * own rows, from the index that serves the sort. Rows whose sort key is null come last, by id, in a second segment:
 * a row comparison with a null is never true, and an OR over both would cost the index.
 */
final class ScimKeyset {

    /** The list walked: "directory_user u", its live-row condition, its id column, the filter, the sort (null: id). */
    record Walk(String from, String live, String idColumn, ScimQuery.Where where, ScimQuery.Attr sort, boolean descending) {
    }

    /** A row of a page and the position just after it. */
    record Entry(UUID id, Position after) {
    }

    /** A page's rows in order, and whether any row follows them. */
    record Page(List<Entry> entries, boolean more) {
        /** Where the next page starts: after the last row given, or where this one started when it gave none. */
        Position next(Position from, int given) {
            return given == 0 ? from : entries.get(given - 1).after();
        }
    }

    private ScimKeyset() {
    }

    /** Up to {@code size} rows after {@code from}, reading one more to know whether the list goes on. */
    static Page page(Connection c, Walk w, Position from, int size) throws SQLException {
        int limit = size + 1;
        String cmp = w.descending() ? " < " : " > ";
        String dir = w.descending() ? " DESC" : "";
        String base = " FROM " + w.from() + " WHERE " + w.live() + " AND (" + w.where().sql() + ")";
        List<Entry> entries = new ArrayList<>();
        if (w.sort() == null || w.sort().sql().equals(w.idColumn())) {
            List<Object> args = new ArrayList<>(w.where().args());
            String after = "";
            if (from.segment() != Segment.START) {
                after = " AND " + w.idColumn() + cmp + "?";
                args.add(from.id());
            }
            args.add(limit);
            entries.addAll(Jdbc.list(c, "SELECT " + w.idColumn() + base + after + " ORDER BY " + w.idColumn() + dir + " LIMIT ?",
                    rs -> keyed(rs.getObject(1, UUID.class), null), args.toArray()));
        } else {
            ScimQuery.Attr sort = w.sort();
            String key = "(" + sort.sql() + ")";
            if (from.segment() != Segment.NULL_KEYS) {
                List<Object> args = new ArrayList<>(sort.args());
                args.addAll(w.where().args());
                args.addAll(sort.args());
                String after = "";
                if (from.segment() == Segment.KEYED) {
                    after = " AND (" + key + ", " + w.idColumn() + ")" + cmp + "(?, ?)";
                    args.addAll(sort.args());
                    args.add(bind(sort.type(), from.key()));
                    args.add(from.id());
                }
                args.addAll(sort.args());
                args.add(limit);
                entries.addAll(Jdbc.list(c, "SELECT " + w.idColumn() + ", " + key + base + " AND " + key + " IS NOT NULL" + after
                        + " ORDER BY " + key + dir + ", " + w.idColumn() + dir + " LIMIT ?",
                        rs -> keyed(rs.getObject(1, UUID.class), text(sort.type(), rs)), args.toArray()));
            }
            if (entries.size() < limit) {
                List<Object> args = new ArrayList<>(w.where().args());
                args.addAll(sort.args());
                String after = "";
                if (from.segment() == Segment.NULL_KEYS) {
                    after = " AND " + w.idColumn() + cmp + "?";
                    args.add(from.id());
                }
                args.add(limit - entries.size());
                entries.addAll(Jdbc.list(c, "SELECT " + w.idColumn() + base + " AND " + key + " IS NULL" + after
                        + " ORDER BY " + w.idColumn() + dir + " LIMIT ?",
                        rs -> new Entry(rs.getObject(1, UUID.class), new Position(Segment.NULL_KEYS, null, rs.getObject(1, UUID.class))),
                        args.toArray()));
            }
        }
        boolean more = entries.size() > size;
        return new Page(more ? entries.subList(0, size) : entries, more);
    }

    private static Entry keyed(UUID id, String key) {
        return new Entry(id, new Position(Segment.KEYED, key, id));
    }

    /** A sort key as a cursor keeps it: text, an instant, true/false or an id. */
    private static String text(ScimQuery.Type type, ResultSet rs) throws SQLException {
        return switch (type) {
            case DATETIME -> rs.getTimestamp(2).toInstant().toString();
            case BOOLEAN -> Boolean.toString(rs.getBoolean(2));
            case ID -> rs.getObject(2, UUID.class).toString();
            default -> rs.getString(2);
        };
    }

    /** A kept sort key as the bind value its attribute compares with. */
    private static Object bind(ScimQuery.Type type, String key) {
        try {
            return switch (type) {
                case DATETIME -> Timestamp.from(Instant.parse(key));
                case BOOLEAN -> Boolean.valueOf(key);
                case ID -> UUID.fromString(key);
                default -> key;
            };
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // sealed by this server, so only a changed sortBy meaning between versions gets here
            throw new ScimException(400, "invalidCursor", "This cursor does not fit the sortBy of this list: start again "
                    + "with an empty cursor.");
        }
    }
}
