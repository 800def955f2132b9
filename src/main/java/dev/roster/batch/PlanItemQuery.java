package dev.roster.batch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.batch.state.Batch;
import dev.roster.plan.ChangeKind;
import dev.roster.plan.GroupNames;
import dev.roster.sql.Jdbc;
import dev.roster.web.PageOf;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;

/** Pages through a stored plan: by kind (or rows with warnings), by key substring, in file order. */
@ApplicationScoped
public class PlanItemQuery {

    /** One field's change as shown: before and after. */
    public record FieldChange(String name, String before, String after) {
        public boolean cleared() {
            return after == null && before != null;
        }

        /** A change of group memberships (a user's "groups" set, a membership row's "group"): shown as + and −. */
        public boolean membership() {
            return name.equals("groups") || name.equals("group");
        }

        /** Groups joined, in the after set's order. */
        public List<String> joined() {
            return GroupNames.minus(GroupNames.parse(after), GroupNames.parse(before));
        }

        /** Groups left. */
        public List<String> left() {
            return GroupNames.minus(GroupNames.parse(before), GroupNames.parse(after));
        }
    }

    /** One message about a row. */
    public record RowMessage(String severity, String column, String text) {
    }

    /** One planned change as pages and the API show it (never the password hash). */
    public record ChangeView(long line, String kind, String key, UUID userId, List<FieldChange> fields,
            List<RowMessage> messages) {
        public String kindLabel() {
            return (kind.charAt(0) + kind.substring(1).toLowerCase(Locale.ROOT)).replace('_', ' ');
        }

        /** Group creates asked for by a whole file have no line of their own (negative lines): shown as a dash. */
        public String lineLabel() {
            return line > 0 ? Long.toString(line) : "–";
        }
    }

    /** A tab of the diff: a kind, "warning", or null for all. */
    public record Filter(ChangeKind kind, boolean warningsOnly, String q) {
        public static Filter parse(String kind, String q) {
            String k = kind == null ? "" : kind.trim().toLowerCase(Locale.ROOT);
            String query = q == null || q.isBlank() ? null : q.trim().toLowerCase(Locale.ROOT);
            if (k.isEmpty() || k.equals("all")) {
                return new Filter(null, false, query);
            }
            if (k.equals("warning") || k.equals("warnings")) {
                return new Filter(null, true, query);
            }
            String singular = k.endsWith("s") ? k.substring(0, k.length() - 1) : k;
            for (ChangeKind ck : ChangeKind.values()) {
                if (ck.name().equalsIgnoreCase(k) || ck.name().equalsIgnoreCase(singular)) {
                    return new Filter(ck, false, query);
                }
            }
            throw new BadRequestException("Unknown kind \"" + kind
                    + "\": use all, create, update, delete, reset, unchanged, error, warning, group_create, group_update, "
                    + "group_delete, member_add or member_remove.");
        }

        public String tab() {
            return warningsOnly ? "warning" : kind == null ? "all" : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    private static final TypeReference<List<FieldChange>> FIELDS = new TypeReference<>() {
    };
    private static final TypeReference<List<RowMessage>> MESSAGES = new TypeReference<>() {
    };

    /**
     * Match counts of key searches: a count scans every item of the batch (100 ms at 100k), and paging through
     * a search asks again on every page. A stored plan never changes (a re-plan makes a new batch; a discard
     * changes the status and deletes the items), so a count stays true. Bounded, and emptied when full.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> searchCounts = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SEARCH_COUNTS_MAX = 1000;
    static final int SEARCH_COUNT_CAP = 1000;

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;

    /** A page with its exact total (the API). */
    public PageOf<ChangeView> page(Batch batch, Filter filter, int page, int size) {
        return page(batch, filter, page, size, true);
    }

    /**
     * A page; without {@code exactTotal} (the batch page) a key search counts at most {@link #SEARCH_COUNT_CAP}
     * matches while the page lies within them: counting every match of a common term in a 1M-row plan reads the
     * whole plan (seconds), and "1,000+" is all the pager needs.
     */
    public PageOf<ChangeView> page(Batch batch, Filter filter, int page, int size, boolean exactTotal) {
        StringBuilder where = new StringBuilder(" WHERE batch_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(batch.id);
        if (filter.kind() != null) {
            where.append(" AND kind = ?");
            params.add(filter.kind().name());
        }
        if (filter.warningsOnly()) {
            where.append(" AND has_warning");
        }
        if (filter.q() != null) {
            where.append(" AND lower(key) LIKE ? ESCAPE '\\'");
            params.add("%" + filter.q().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        try (Connection c = jdbc.connection()) {
            long total = knownTotal(batch, filter);
            boolean capped = !exactTotal && (long) page * size <= SEARCH_COUNT_CAP;
            String countKey = batch.id + "|" + batch.plannedAt + "|" + batch.status + "|" + filter.tab() + "|" + filter.q()
                    + (capped ? "|capped" : "");
            if (total < 0) {
                Long counted = searchCounts.get(countKey);
                total = counted == null ? -1 : counted;
            }
            if (total < 0) {
                try (PreparedStatement ps = c.prepareStatement(capped
                        ? "SELECT count(*) FROM (SELECT 1 FROM plan_item" + where + " LIMIT " + (SEARCH_COUNT_CAP + 1) + ") m"
                        : "SELECT count(*) FROM plan_item" + where)) {
                    Jdbc.bind(ps, params.toArray());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
                if (searchCounts.size() >= SEARCH_COUNTS_MAX) {
                    searchCounts.clear();
                }
                searchCounts.put(countKey, total);
            }
            List<ChangeView> items = new ArrayList<>();
            long offset = (long) (page - 1) * size;
            String sql;
            List<Object> bound = new ArrayList<>();
            bound.add(batch.id);
            if (filter.q() == null) {
                // A range of the positions the planner numbered (V6): page n of a tab reads its 50 rows, whatever n.
                String ord = filter.warningsOnly() ? "warning_ord" : filter.kind() != null ? "kind_ord" : "ord";
                sql = "SELECT line, kind, key, user_id, fields::text, messages::text FROM plan_item WHERE batch_id = ?"
                        + (filter.kind() != null ? " AND kind = ?" : "") + " AND " + ord + " > ? ORDER BY " + ord + " LIMIT ?";
                if (filter.kind() != null) {
                    bound.add(filter.kind().name());
                }
                bound.add(offset);
                bound.add(size);
            } else {
                // A key search: a deferred join, the offset walks line numbers only and just the page's rows are read
                // whole. The page's lines are materialised first: as a semi-join under statistics that predate a small
                // plan (estimated at one row), the search ran once per row of the plan (0.4 s for 1,000 rows).
                sql = "WITH page AS MATERIALIZED (SELECT line FROM plan_item" + where + " ORDER BY line LIMIT ? OFFSET ?) "
                        + "SELECT p.line, p.kind, p.key, p.user_id, p.fields::text, p.messages::text "
                        + "FROM page JOIN plan_item p ON p.batch_id = ? AND p.line = page.line ORDER BY p.line";
                bound.clear();
                bound.addAll(params);
                bound.add(size);
                bound.add(offset);
                bound.add(batch.id);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Jdbc.bind(ps, bound.toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new ChangeView(rs.getLong(1), rs.getString(2), rs.getString(3),
                                rs.getObject(4, UUID.class), json.readValue(rs.getString(5), FIELDS),
                                json.readValue(rs.getString(6), MESSAGES)));
                    }
                }
            }
            boolean atLeast = capped && total > SEARCH_COUNT_CAP;
            return new PageOf<>(items, atLeast ? SEARCH_COUNT_CAP : total, page, size, atLeast);
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
        }
    }

    /** E-mails an apply of this plan queues: invitations of creates and reset links. */
    public long mailCount(Batch batch) {
        return jdbc.one("""
                SELECT count(*) FROM plan_item WHERE batch_id = ?
                   AND (kind = 'RESET' OR (kind = 'CREATE' AND send_invite AND password_hash IS NULL))""",
                rs -> rs.getLong(1), batch.id).orElse(0L);
    }

    /** Totals the batch row already holds, so the common tabs need no count(*) over a million items. */
    private static long knownTotal(Batch batch, Filter filter) {
        if (filter.q() != null) {
            return -1;
        }
        if (filter.warningsOnly()) {
            return batch.countWarning;
        }
        if (filter.kind() == null) {
            return batch.rows;
        }
        return switch (filter.kind()) {
            case CREATE -> batch.countCreate;
            case UPDATE -> batch.countUpdate;
            case DELETE -> batch.countDelete;
            case RESET -> batch.countReset;
            case UNCHANGED -> batch.countUnchanged;
            case ERROR -> batch.countError;
            case GROUP_CREATE -> batch.countGroupCreate;
            case GROUP_UPDATE -> batch.countGroupUpdate;
            case GROUP_DELETE -> batch.countGroupDelete;
            case MEMBER_ADD, MEMBER_REMOVE -> -1;
        };
    }

}
