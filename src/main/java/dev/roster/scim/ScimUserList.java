package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * GET /Users lists: SCIM filter paths as SQL over directory_user (values always bound), index-served or guarded,
 * sorted and paged, with totalResults from {@link ScimUserTotal} when unfiltered (decision 0024).
 */
@ApplicationScoped
public class ScimUserList {

    @Inject
    Jdbc jdbc;
    @Inject
    ScimUserSchema schema;
    @Inject
    ScimLists lists;
    @Inject
    ScimResponses responses;
    @Inject
    ScimUserTotal userTotal;

    final ScimQuery query = new ScimQuery(ScimUserList::attribute, ScimMedia.USER_SCHEMA);

    /**
     * A sub-attribute of the element a kept list makes the user's value (primary, else the first work, else the first:
     * as ScimAttributes.primaryValue chooses it); a user without a kept list (made by CSV) shows its value as one
     * work, primary element.
     */
    private static String primaryElement(String list, String column, String attribute, String withoutList) {
        return "(CASE WHEN " + list + " IS NULL THEN CASE WHEN " + column + " IS NOT NULL THEN " + withoutList + " END "
                + "ELSE (SELECT " + attribute + " FROM jsonb_array_elements(" + list + ") WITH ORDINALITY x(e, n) "
                + "ORDER BY (lower(e->>'primary') = 'true') IS TRUE DESC, (lower(e->>'type') = 'work') IS TRUE DESC, n "
                + "LIMIT 1) END)";
    }

    static ScimQuery.Attr attribute(String path) {
        if (path.startsWith("roster:")) {
            String key = path.substring("roster:".length());
            if (!ScimQuery.ATTRIBUTE_NAME.matcher(key).matches()) {
                return null;
            }
            return new ScimQuery.Attr("u.attributes->>?", List.of(key), ScimQuery.Type.STRING_EXACT, false);
        }
        return switch (path) {
            case "id" -> ScimQuery.Attr.of("u.id", ScimQuery.Type.ID, true);
            case "username" -> ScimQuery.Attr.of("lower(coalesce(u.username, u.email))", ScimQuery.Type.STRING_CI, true);
            case "emails", "emails.value" -> ScimQuery.Attr.of("lower(u.email)", ScimQuery.Type.STRING_CI, true);
            // filters on emails and phoneNumbers match the user's primary element (docs/scim.md, decision 0033)
            case "emails.type" -> ScimQuery.Attr.of(primaryElement("u.emails", "u.email", "lower(e->>'type')", "'work'"),
                    ScimQuery.Type.STRING_CI, false);
            case "phonenumbers.type" -> ScimQuery.Attr.of(primaryElement("u.phone_numbers", "u.phone", "lower(e->>'type')",
                    "'work'"), ScimQuery.Type.STRING_CI, false);
            case "emails.primary" -> ScimQuery.Attr.of(primaryElement("u.emails", "u.email",
                    "coalesce(lower(e->>'primary') = 'true', false)", "true"), ScimQuery.Type.BOOLEAN, false);
            case "externalid" -> ScimQuery.Attr.of("u.external_id", ScimQuery.Type.STRING_EXACT, true);
            case "name.givenname" -> ScimQuery.Attr.of("lower(u.given_name)", ScimQuery.Type.STRING_CI, false);
            case "name.familyname" -> ScimQuery.Attr.of("lower(u.family_name)", ScimQuery.Type.STRING_CI, false);
            case "name.formatted" -> ScimQuery.Attr.of("lower(coalesce(u.formatted_name, nullif(concat_ws(' ', u.given_name, u.family_name), '')))",
                    ScimQuery.Type.STRING_CI, false);
            case "displayname" -> ScimQuery.Attr.of("lower(u.display_name)", ScimQuery.Type.STRING_CI, false);
            case "title" -> ScimQuery.Attr.of("lower(u.title)", ScimQuery.Type.STRING_CI, false);
            case "locale" -> ScimQuery.Attr.of("lower(u.locale)", ScimQuery.Type.STRING_CI, false);
            case "preferredlanguage" -> ScimQuery.Attr.of("lower(u.preferred_language)", ScimQuery.Type.STRING_CI, false);
            case "nickname" -> ScimQuery.Attr.of("lower(u.nick_name)", ScimQuery.Type.STRING_CI, false);
            case "usertype" -> ScimQuery.Attr.of("lower(u.user_type)", ScimQuery.Type.STRING_CI, false);
            case "timezone" -> ScimQuery.Attr.of("u.timezone", ScimQuery.Type.STRING_EXACT, false);
            case "name.middlename" -> ScimQuery.Attr.of("lower(u.middle_name)", ScimQuery.Type.STRING_CI, false);
            case "phonenumbers", "phonenumbers.value" -> ScimQuery.Attr.of("u.phone", ScimQuery.Type.STRING_EXACT, false);
            case "active" -> ScimQuery.Attr.of("u.status <> 'SUSPENDED'", ScimQuery.Type.BOOLEAN, false);
            case "meta.created" -> ScimQuery.Attr.of("u.created_at", ScimQuery.Type.DATETIME, false);
            case "meta.lastmodified" -> ScimQuery.Attr.of("u.updated_at", ScimQuery.Type.DATETIME, false);
            case "enterprise:department" -> ScimQuery.Attr.of("lower(u.department)", ScimQuery.Type.STRING_CI, false);
            case "enterprise:employeenumber" -> ScimQuery.Attr.of("u.employee_number", ScimQuery.Type.STRING_EXACT, false);
            case "enterprise:costcenter" -> ScimQuery.Attr.of("u.cost_center", ScimQuery.Type.STRING_EXACT, false);
            case "enterprise:organization" -> ScimQuery.Attr.of("u.organization", ScimQuery.Type.STRING_EXACT, false);
            case "enterprise:division" -> ScimQuery.Attr.of("u.division", ScimQuery.Type.STRING_EXACT, false);
            case "enterprise:manager", "enterprise:manager.value" -> ScimQuery.Attr.of("u.manager_id", ScimQuery.Type.ID, false);
            default -> null;
        };
    }

    public ObjectNode list(ScimSearch q) {
        String filter = q.filter();
        boolean filtered = filter != null && !filter.isBlank();
        ScimQuery.Where where = filtered ? query.where(ScimFilter.parse(filter)) : new ScimQuery.Where("TRUE", List.of());
        boolean indexed = filtered && query.indexed(ScimFilter.parse(filter));
        boolean sortServed = query.sortIndexed(q.sortBy());
        int start = ScimLists.start(q.startIndex());
        int size = lists.pageSize(q.count());
        List<Object> orderArgs = new ArrayList<>();
        String order = query.orderBy(q.sortBy(), q.sortOrder(), "u.id", orderArgs);
        ScimProjection projection = ScimProjection.of(q.attributes(), q.excludedAttributes());
        ScimCursors.Position from = q.byCursor() ? lists.position(ScimMedia.USER_SCHEMA, q) : null;
        return jdbc.withConnection(c -> {
            if ((filtered && !indexed) || (!indexed && !sortServed)) {
                lists.guardScan(c, "directory_user", "users", filtered && !indexed ? "filter" : "sortBy",
                        "Include userName, emails, externalId or id with eq (alone, or joined with and), or sort by "
                                + "id, userName, emails or externalId.");
            }
            // A filter's count is served by its index; the whole directory's is not counted on every call (0024).
            long counted = !filtered ? -1 : Jdbc.one(c, "SELECT count(*) FROM directory_user u WHERE u.status <> 'DELETED' AND "
                    + where.sql(), rs -> rs.getLong(1), where.args().toArray()).orElse(0L);
            if (from != null) {
                ScimKeyset.Page page = ScimKeyset.page(c, new ScimKeyset.Walk("directory_user u", "u.status <> 'DELETED'",
                        "u.id", where, query.sortAttr(q.sortBy()), ScimQuery.descending(q.sortOrder())), from, size);
                List<UUID> ids = page.entries().stream().map(ScimKeyset.Entry::id).toList();
                List<ScimUserSchema.UserRow> rows = rowsInOrder(c, ids);
                long total = filtered ? counted : userTotal.total(c, from.segment() == ScimCursors.Segment.START, page.more(), rows.size());
                return responses.cursorListResponse(total, render(rows, projection),
                        lists.nextCursor(ScimMedia.USER_SCHEMA, q, page, from, ids.size()));
            }
            List<Object> args = new ArrayList<>(where.args());
            args.addAll(orderArgs);
            args.add(size);
            args.add(start - 1);
            // The page's ids first, then their rows: with the rows' columns in the paged query, PostgreSQL computed
            // them (the groups sub-select, the manager join) for every row OFFSET skipped, 1.4 s a page deep in 600k.
            List<UUID> ids = size == 0 || (filtered && start > counted) ? List.of() : Jdbc.list(c, "SELECT u.id FROM directory_user u"
                    + " WHERE u.status <> 'DELETED' AND " + where.sql() + " ORDER BY " + order + " LIMIT ? OFFSET ?",
                    rs -> rs.getObject(1, UUID.class), args.toArray());
            List<ScimUserSchema.UserRow> rows = rowsInOrder(c, ids);
            long total = filtered ? counted : userTotal.total(c, start, size, rows.size());
            return responses.listResponse(total, start, render(rows, projection));
        });
    }

    private List<ObjectNode> render(List<ScimUserSchema.UserRow> rows, ScimProjection projection) {
        List<ObjectNode> resources = new ArrayList<>();
        for (ScimUserSchema.UserRow r : rows) {
            resources.add(projection.apply(schema.render(r)));
        }
        return resources;
    }

    /** The users of a page in the page's order; one deleted between the two statements is left out. */
    private List<ScimUserSchema.UserRow> rowsInOrder(Connection c, List<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        return ScimLists.inOrder(ids, Jdbc.list(c, "SELECT " + ScimUserSchema.COLUMNS + ScimUserSchema.FROM
                + " WHERE u.id = ANY(?) AND u.status <> 'DELETED'", schema::row, (Object) c.createArrayOf("uuid", ids.toArray())),
                ScimUserSchema.UserRow::id);
    }
}
