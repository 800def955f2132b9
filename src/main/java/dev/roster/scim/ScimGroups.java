package dev.roster.scim;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.plan.GroupNames;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SCIM Groups on the V12 model (user_group, group_membership): flat groups of users, soft-deleted. Written with
 * minimal SQL of its own (dev.roster.group.GroupService was not on main when this was built); each write bumps the
 * group's version and, for every membership change, the user's version, and appends group.* and membership.* events
 * in the caller's transaction.
 */
@ApplicationScoped
public class ScimGroups {

    private static final String COLUMNS = "g.id, g.name, g.external_id, g.version, g.created_at, g.updated_at";

    record GroupRow(UUID id, String name, String externalId, long version, Instant created, Instant updated) {
    }

    record Member(UUID id, String email, String displayName) {
    }

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    ScimUsers users;
    @Inject
    ScimSettings settings;

    final ScimQuery query = new ScimQuery(ScimGroups::attribute, ScimMedia.GROUP_SCHEMA);

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

    private static GroupRow row(ResultSet rs) throws SQLException {
        return new GroupRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant());
    }

    GroupRow find(Connection c, UUID id, boolean lock) throws SQLException {
        return Jdbc.one(c, "SELECT " + COLUMNS + " FROM user_group g WHERE g.id = ? AND g.deleted_at IS NULL"
                + (lock ? " FOR UPDATE" : ""), ScimGroups::row, id)
                .orElseThrow(() -> ScimException.notFound("No group with id " + id + "."));
    }

    List<Member> members(Connection c, UUID group) throws SQLException {
        return Jdbc.list(c, "SELECT u.id, u.email, u.display_name FROM group_membership m JOIN directory_user u ON u.id = m.user_id "
                + "WHERE m.group_id = ? AND u.status <> 'DELETED' ORDER BY u.email", rs -> new Member(rs.getObject(1, UUID.class),
                        rs.getString(2), rs.getString(3)), group);
    }

    ObjectNode render(Connection c, GroupRow g, boolean withMembers) throws SQLException {
        return render(g, withMembers ? members(c, g.id()) : null);
    }

    /** The group as SCIM shows it; members null: left out. */
    ObjectNode render(GroupRow g, List<Member> members) {
        ObjectNode doc = json.createObjectNode();
        doc.putArray("schemas").add(ScimMedia.GROUP_SCHEMA);
        doc.put("id", g.id().toString());
        doc.put("displayName", g.name());
        if (g.externalId() != null) {
            doc.put("externalId", g.externalId());
        }
        if (members != null) {
            ArrayNode list = doc.putArray("members");
            for (Member m : members) {
                list.addObject().put("value", m.id().toString()).put("display", m.displayName() != null ? m.displayName() : m.email())
                        .put("type", "User").put("$ref", users.location("Users", m.id()));
            }
        }
        ObjectNode meta = doc.putObject("meta");
        meta.put("resourceType", "Group").put("created", g.created().toString()).put("lastModified", g.updated().toString())
                .put("location", users.location("Groups", g.id())).put("version", ScimUsers.etag(g.version()));
        return doc;
    }

    /**
     * The members of a page of groups, in two queries whatever the page's size (security review M5): the page is cut
     * before the group whose members would pass roster.scim.max-listed-members (the first group always stays).
     */
    Map<UUID, List<Member>> membersOfPage(Connection c, List<GroupRow> page) throws SQLException {
        Map<UUID, List<Member>> byGroup = new LinkedHashMap<>();
        if (page.isEmpty()) {
            return byGroup;
        }
        Map<UUID, Long> counts = new LinkedHashMap<>();
        Jdbc.list(c, "SELECT m.group_id, count(*) FROM group_membership m JOIN directory_user u ON u.id = m.user_id "
                + "WHERE m.group_id = ANY(?) AND u.status <> 'DELETED' GROUP BY m.group_id",
                rs -> counts.put(rs.getObject(1, UUID.class), rs.getLong(2)),
                (Object) c.createArrayOf("uuid", page.stream().map(GroupRow::id).toArray()));
        long listed = 0;
        for (GroupRow g : page) {
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
                        new Member(rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4)) },
                (Object) c.createArrayOf("uuid", byGroup.keySet().toArray()))) {
            byGroup.get((UUID) row[0]).add((Member) row[1]);
        }
        return byGroup;
    }

    public ObjectNode get(UUID id, String attributes, String excluded) {
        ScimProjection projection = ScimProjection.of(attributes, excluded);
        return jdbc.withConnection(c -> projection.apply(render(c, find(c, id, false), wantsMembers(attributes, excluded))));
    }

    private static boolean wantsMembers(String attributes, String excluded) {
        boolean excludedMembers = excluded != null && excluded.toLowerCase(java.util.Locale.ROOT).contains("members");
        boolean listed = attributes == null || attributes.isBlank() || attributes.toLowerCase(java.util.Locale.ROOT).contains("members");
        return !excludedMembers && listed;
    }

    /** A list shows members only when asked by name (attributes=members), never by default (security review M5). */
    private static boolean listsMembers(String attributes, String excluded) {
        return attributes != null && !attributes.isBlank() && wantsMembers(attributes, excluded);
    }

    public ObjectNode list(String filter, String sortBy, String sortOrder, Integer startIndex, Integer count,
            String attributes, String excluded) {
        ScimQuery.Where where = filter == null || filter.isBlank() ? new ScimQuery.Where("TRUE", List.of())
                : query.where(ScimFilter.parse(filter));
        int start = startIndex == null || startIndex < 1 ? 1 : startIndex;
        int size = users.pageSize(count);
        List<Object> orderArgs = new ArrayList<>();
        String order = query.orderBy(sortBy, sortOrder, "g.id", orderArgs);
        ScimProjection projection = ScimProjection.of(attributes, excluded);
        boolean members = listsMembers(attributes, excluded);
        boolean filtered = filter != null && !filter.isBlank();
        boolean indexed = filtered && query.indexed(ScimFilter.parse(filter));
        boolean sortServed = query.sortIndexed(sortBy);
        return jdbc.withConnection(c -> {
            if ((filtered && !indexed) || (!indexed && !sortServed)) {
                users.guardScan(c, "user_group", "groups", filtered && !indexed ? "filter" : "sortBy",
                        "Include displayName, externalId or id with eq (alone, or joined with and), or sort by "
                                + "id, displayName or externalId.");
            }
            long total = Jdbc.one(c, "SELECT count(*) FROM user_group g WHERE g.deleted_at IS NULL AND " + where.sql(),
                    rs -> rs.getLong(1), where.args().toArray()).orElse(0L);
            List<Object> args = new ArrayList<>(where.args());
            args.addAll(orderArgs);
            args.add(size);
            args.add(start - 1);
            List<GroupRow> rows = size == 0 || start > total ? List.of() : Jdbc.list(c, "SELECT " + COLUMNS + " FROM user_group g WHERE "
                    + "g.deleted_at IS NULL AND " + where.sql() + " ORDER BY " + order + " LIMIT ? OFFSET ?", ScimGroups::row,
                    args.toArray());
            Map<UUID, List<Member>> byGroup = members ? membersOfPage(c, rows) : null;
            List<ObjectNode> resources = new ArrayList<>();
            for (GroupRow g : rows) {
                if (byGroup != null && !byGroup.containsKey(g.id())) {
                    break; // the members cap: the client goes on from startIndex + itemsPerPage
                }
                resources.add(projection.apply(render(g, byGroup == null ? null : byGroup.get(g.id()))));
            }
            return users.listResponse(total, start, resources);
        });
    }

    // ---------------------------------------------------------------- writing

    public ScimUsers.Outcome create(Connection c, JsonNode doc, boolean dryRun, String actorName, List<AuditEventDraft> drafts)
            throws SQLException {
        return write(c, null, doc, dryRun, actorName, drafts);
    }

    public ScimUsers.Outcome replace(Connection c, UUID id, JsonNode doc, String ifMatch, boolean dryRun, String actorName,
            List<AuditEventDraft> drafts) throws SQLException {
        GroupRow g = find(c, id, !dryRun);
        ScimUsers.checkIfMatch(ifMatch, g.version());
        return write(c, g, doc, dryRun, actorName, drafts);
    }

    public ScimUsers.Outcome patch(Connection c, UUID id, JsonNode body, String ifMatch, boolean dryRun, String actorName,
            List<AuditEventDraft> drafts) throws SQLException {
        GroupRow g = find(c, id, !dryRun);
        ScimUsers.checkIfMatch(ifMatch, g.version());
        ObjectNode doc = render(c, g, true);
        ScimPatch.apply(doc, body);
        return write(c, g, doc, dryRun, actorName, drafts);
    }

    public ScimUsers.Outcome delete(Connection c, UUID id, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        users.refuseDeleteUnderFourEyes("groups", "delete the group in Roster's pages or with a group file, "
                + "where a signed-in person confirms it");
        GroupRow g = find(c, id, !dryRun);
        ScimUsers.checkIfMatch(ifMatch, g.version());
        List<Member> members = members(c, id);
        if (dryRun) {
            ObjectNode d = json.createObjectNode().put("kind", "DELETE").put("key", g.name()).put("groupId", id.toString());
            d.put("memberships", members.size());
            return new ScimUsers.Outcome(200, users.dryRun(List.of(d)), null, false);
        }
        Jdbc.update(c, "UPDATE user_group SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = ?", id);
        bumpUsers(c, members.stream().map(Member::id).toList());
        Map<String, Object> details = groupDetails(id, g.name());
        details.put("memberships", members.size());
        drafts.add(new AuditEventDraft(AuditAction.GROUP_DELETED, null, null, null, details));
        return new ScimUsers.Outcome(204, null, null, true);
    }

    private ScimUsers.Outcome write(Connection c, GroupRow existing, JsonNode doc, boolean dryRun, String actorName,
            List<AuditEventDraft> drafts) throws SQLException {
        if (doc == null || !doc.isObject()) {
            throw ScimException.invalidSyntax("The body must be a JSON object (a SCIM Group).");
        }
        String name = ScimUsers.text(doc, "displayName");
        name = name == null ? null : name.strip();
        String problem = GroupNames.problem(name);
        if (problem != null) {
            throw ScimException.invalidValue("displayName: " + problem + ".");
        }
        String externalId = ScimUsers.text(doc, "externalId");
        Set<UUID> wanted = new LinkedHashSet<>();
        JsonNode list = ScimUsers.field(doc, "members");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ScimException.invalidValue("members must be a list of {\"value\": user id}.");
            }
            for (JsonNode m : list) {
                String value = m.isObject() ? ScimUsers.text(m, "value") : m.asText();
                UUID id = ScimQuery.uuid(value);
                if (id == null) {
                    throw ScimException.invalidValue("members: \"" + value + "\" is not the id of a user (groups cannot be members).");
                }
                wanted.add(id);
            }
        }
        Map<UUID, String> found = new LinkedHashMap<>();
        if (!wanted.isEmpty()) {
            Array ids = c.createArrayOf("uuid", wanted.toArray());
            for (Member m : Jdbc.list(c, "SELECT id, email, display_name FROM directory_user WHERE id = ANY(?) AND status <> 'DELETED'",
                    rs -> new Member(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)), ids)) {
                found.put(m.id(), m.email());
            }
            for (UUID id : wanted) {
                if (!found.containsKey(id)) {
                    throw ScimException.invalidValue("members: no user with id " + id + ".");
                }
            }
        }
        UUID self = existing == null ? new UUID(0, 0) : existing.id();
        if (Jdbc.one(c, "SELECT 1 FROM user_group WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?", rs -> 1, name, self)
                .isPresent()) {
            throw ScimException.uniqueness("A group named \"" + name + "\" already exists.");
        }
        if (externalId != null && Jdbc.one(c, "SELECT 1 FROM user_group WHERE external_id = ? AND deleted_at IS NULL AND id <> ?",
                rs -> 1, externalId, self).isPresent()) {
            throw ScimException.uniqueness("externalId " + externalId + " already belongs to another group.");
        }
        Map<UUID, String> current = new LinkedHashMap<>();
        if (existing != null) {
            for (Member m : members(c, existing.id())) {
                current.put(m.id(), m.email());
            }
        }
        List<UUID> added = wanted.stream().filter(id -> !current.containsKey(id)).toList();
        List<UUID> removed = current.keySet().stream().filter(id -> !wanted.contains(id)).toList();
        List<Map<String, Object>> fields = new ArrayList<>();
        if (existing == null || !existing.name().equals(name)) {
            fields.add(field("name", existing == null ? null : existing.name(), name));
        }
        if (existing == null ? externalId != null : !Objects.equals(existing.externalId(), externalId)) {
            fields.add(field("external_id", existing == null ? null : existing.externalId(), externalId));
        }
        if (dryRun) {
            ObjectNode d = json.createObjectNode().put("kind", existing == null ? "CREATE"
                    : fields.isEmpty() && added.isEmpty() && removed.isEmpty() ? "UNCHANGED" : "UPDATE").put("key", name);
            if (existing != null) {
                d.put("groupId", existing.id().toString()).put("plannedVersion", existing.version());
            }
            d.set("fields", json.valueToTree(fields));
            d.set("membersAdded", json.valueToTree(added.stream().map(found::get).toList()));
            d.set("membersRemoved", json.valueToTree(removed.stream().map(current::get).toList()));
            return new ScimUsers.Outcome(200, users.dryRun(List.of(d)), null, false);
        }
        if (existing != null && fields.isEmpty() && added.isEmpty() && removed.isEmpty()) {
            ObjectNode same = render(c, existing, true);
            return new ScimUsers.Outcome(200, same, ScimUsers.etag(existing.version()), false);
        }
        UUID id = existing == null ? UUID.randomUUID() : existing.id();
        try {
            if (existing == null) {
                Jdbc.update(c, "INSERT INTO user_group (id, name, external_id, version, created_at, updated_at) VALUES (?, ?, ?, 1, now(), now())",
                        id, name, externalId);
                Map<String, Object> details = groupDetails(id, name);
                details.put("source", "scim");
                drafts.add(new AuditEventDraft(AuditAction.GROUP_CREATED, null, null, null, details));
            } else {
                Jdbc.update(c, "UPDATE user_group SET name = ?, external_id = ?, version = version + 1, updated_at = now() WHERE id = ?",
                        name, externalId, id);
                if (!fields.isEmpty()) {
                    Map<String, Object> details = groupDetails(id, name);
                    details.put("fields", fields);
                    details.put("source", "scim");
                    drafts.add(new AuditEventDraft(AuditAction.GROUP_UPDATED, null, null, null, details));
                }
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw ScimException.uniqueness("Another group has this displayName or externalId.");
            }
            throw e;
        }
        if (!added.isEmpty()) {
            Jdbc.update(c, "INSERT INTO group_membership (group_id, user_id, added_at, added_by) SELECT ?, unnest(?), now(), ? "
                    + "ON CONFLICT DO NOTHING", id, c.createArrayOf("uuid", added.toArray()), actorName);
        }
        if (!removed.isEmpty()) {
            Jdbc.update(c, "DELETE FROM group_membership WHERE group_id = ? AND user_id = ANY(?)", id,
                    c.createArrayOf("uuid", removed.toArray()));
        }
        List<UUID> touched = new ArrayList<>(added);
        touched.addAll(removed);
        bumpUsers(c, touched);
        for (UUID u : added) {
            drafts.add(new AuditEventDraft(AuditAction.MEMBERSHIP_ADDED, u, found.get(u), null, groupDetails(id, name)));
        }
        for (UUID u : removed) {
            drafts.add(new AuditEventDraft(AuditAction.MEMBERSHIP_REMOVED, u, current.get(u), null, groupDetails(id, name)));
        }
        GroupRow after = find(c, id, false);
        return new ScimUsers.Outcome(existing == null ? 201 : 200, render(c, after, true), ScimUsers.etag(after.version()), true);
    }

    private static void bumpUsers(Connection c, List<UUID> ids) throws SQLException {
        if (!ids.isEmpty()) {
            Jdbc.update(c, "UPDATE directory_user SET version = version + 1, updated_at = now() WHERE id = ANY(?)",
                    c.createArrayOf("uuid", ids.toArray()));
        }
    }

    private static Map<String, Object> field(String name, Object before, Object after) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("before", before);
        f.put("after", after);
        return f;
    }

    private static Map<String, Object> groupDetails(UUID id, String name) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("groupId", id.toString());
        d.put("group", name);
        return d;
    }
}
