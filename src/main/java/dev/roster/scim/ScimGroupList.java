package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * GET /Groups lists: filter paths as SQL over user_group, guarded, sorted and paged; members only when asked by
 * name, two queries per page, capped by roster.scim.max-listed-members (decision 0025).
 */
@ApplicationScoped
public class ScimGroupList {

    @Inject
    Jdbc jdbc;
    @Inject
    ScimGroups groups;
    @Inject
    ScimLists lists;
    @Inject
    ScimResponses responses;
    @Inject
    ScimSettings settings;

    final ScimQuery query = new ScimQuery(ScimGroupList::attribute, ScimMedia.GROUP_SCHEMA);

    static ScimQuery.Attr attribute(String path) {
        return switch (path) {
            case "id" -> ScimQuery.Attr.of("g.id", ScimQuery.Type.ID, true);
            case "displayname" -> ScimQuery.Attr.of("lower(g.name)", ScimQuery.Type.STRING_CI, true);
            case "externalid" -> ScimQuery.Attr.of("g.external_id", ScimQuery.Type.STRING_EXACT, true);
            case "meta.created" -> ScimQuery.Attr.of("g.created_at", ScimQuery.Type.DATETIME, false);
            case "meta.lastmodified" -> ScimQuery.Attr.of("g.updated_at", ScimQuery.Type.DATETIME, false);
            default -> null;
        };
    }

    /** A list shows members only when asked by name (attributes=members), never by default (security review M5). */
    private static boolean listsMembers(String attributes, String excluded) {
        return attributes != null && !attributes.isBlank() && ScimGroups.wantsMembers(attributes, excluded);
    }

    public ObjectNode list(ScimSearch q) {
        String filter = q.filter();
        boolean filtered = filter != null && !filter.isBlank();
        ScimQuery.Where where = filtered ? query.where(ScimFilter.parse(filter)) : new ScimQuery.Where("TRUE", List.of());
        int start = ScimLists.start(q.startIndex());
        int size = lists.pageSize(q.count());
        List<Object> orderArgs = new ArrayList<>();
        String order = query.orderBy(q.sortBy(), q.sortOrder(), "g.id", orderArgs);
        ScimProjection projection = ScimProjection.of(q.attributes(), q.excludedAttributes());
        boolean members = listsMembers(q.attributes(), q.excludedAttributes());
        boolean indexed = filtered && query.indexed(ScimFilter.parse(filter));
        boolean sortServed = query.sortIndexed(q.sortBy());
        ScimCursors.Position from = q.byCursor() ? lists.position(ScimMedia.GROUP_SCHEMA, q) : null;
        return jdbc.withConnection(c -> {
            if ((filtered && !indexed) || (!indexed && !sortServed)) {
                lists.guardScan(c, "user_group", "groups", filtered && !indexed ? "filter" : "sortBy",
                        "Include displayName, externalId or id with eq (alone, or joined with and), or sort by "
                                + "id, displayName or externalId.");
            }
            long total = Jdbc.one(c, "SELECT count(*) FROM user_group g WHERE g.deleted_at IS NULL AND " + where.sql(),
                    rs -> rs.getLong(1), where.args().toArray()).orElse(0L);
            if (from != null) {
                ScimKeyset.Page page = ScimKeyset.page(c, new ScimKeyset.Walk("user_group g", "g.deleted_at IS NULL", "g.id",
                        where, query.sortAttr(q.sortBy()), ScimQuery.descending(q.sortOrder())), from, size);
                List<UUID> ids = page.entries().stream().map(ScimKeyset.Entry::id).toList();
                List<ScimGroups.GroupRow> rows = ids.isEmpty() ? List.of() : ScimLists.inOrder(ids, Jdbc.list(c, "SELECT "
                        + ScimGroups.COLUMNS + " FROM user_group g WHERE g.id = ANY(?) AND g.deleted_at IS NULL", ScimGroups::row,
                        (Object) c.createArrayOf("uuid", ids.toArray())), ScimGroups.GroupRow::id);
                List<ObjectNode> resources = render(c, rows, members, projection);
                // the members cap may end the page early: the next cursor follows the last group sent
                int given = resources.size() == rows.size() ? ids.size() : ids.indexOf(rows.get(resources.size() - 1).id()) + 1;
                return responses.cursorListResponse(total, resources, lists.nextCursor(ScimMedia.GROUP_SCHEMA, q, page, from, given));
            }
            List<Object> args = new ArrayList<>(where.args());
            args.addAll(orderArgs);
            args.add(size);
            args.add(start - 1);
            List<ScimGroups.GroupRow> rows = size == 0 || start > total ? List.of() : Jdbc.list(c, "SELECT " + ScimGroups.COLUMNS + " FROM user_group g WHERE "
                    + "g.deleted_at IS NULL AND " + where.sql() + " ORDER BY " + order + " LIMIT ? OFFSET ?", ScimGroups::row,
                    args.toArray());
            return responses.listResponse(total, start, render(c, rows, members, projection));
        });
    }

    /** The groups of a page as resources; with members, cut before the group that would pass the members cap. */
    private List<ObjectNode> render(Connection c, List<ScimGroups.GroupRow> rows, boolean members, ScimProjection projection)
            throws SQLException {
        Map<UUID, List<ScimGroups.Member>> byGroup = members ? membersOfPage(c, rows) : null;
        List<ObjectNode> resources = new ArrayList<>();
        for (ScimGroups.GroupRow g : rows) {
            if (byGroup != null && !byGroup.containsKey(g.id())) {
                break; // the members cap: the client goes on from startIndex + itemsPerPage (or the nextCursor)
            }
            resources.add(projection.apply(groups.render(g, byGroup == null ? null : byGroup.get(g.id()))));
        }
        return resources;
    }

    /**
     * The members of a page of groups, in two queries whatever the page's size (security review M5): the page is cut
     * before the group whose members would pass roster.scim.max-listed-members (the first group always stays).
     */
    Map<UUID, List<ScimGroups.Member>> membersOfPage(Connection c, List<ScimGroups.GroupRow> page) throws SQLException {
        Map<UUID, List<ScimGroups.Member>> byGroup = new LinkedHashMap<>();
        if (page.isEmpty()) {
            return byGroup;
        }
        Map<UUID, Long> counts = new LinkedHashMap<>();
        Jdbc.list(c, "SELECT m.group_id, count(*) FROM group_membership m JOIN directory_user u ON u.id = m.user_id "
                + "WHERE m.group_id = ANY(?) AND u.status <> 'DELETED' GROUP BY m.group_id",
                rs -> counts.put(rs.getObject(1, UUID.class), rs.getLong(2)),
                (Object) c.createArrayOf("uuid", page.stream().map(ScimGroups.GroupRow::id).toArray()));
        long listed = 0;
        for (ScimGroups.GroupRow g : page) {
            long n = counts.getOrDefault(g.id(), 0L);
            if (!byGroup.isEmpty() && listed + n > settings.maxListedMembers()) {
                break;
            }
            listed += n;
            byGroup.put(g.id(), new ArrayList<>());
        }
        for (Object[] row : Jdbc.list(c, "SELECT m.group_id, u.id, u.email, u.display_name FROM group_membership m "
                + "JOIN directory_user u ON u.id = m.user_id WHERE m.group_id = ANY(?) AND u.status <> 'DELETED' "
                + "ORDER BY m.group_id, u.email", rs -> new Object[] { rs.getObject(1, UUID.class),
                        new ScimGroups.Member(rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4)) },
                (Object) c.createArrayOf("uuid", byGroup.keySet().toArray()))) {
            byGroup.get((UUID) row[0]).add((ScimGroups.Member) row[1]);
        }
        return byGroup;
    }
}
