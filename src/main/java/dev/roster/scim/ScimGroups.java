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
import dev.roster.group.GroupEvents;
import dev.roster.group.GroupWriter;
import dev.roster.group.MembershipEvents;
import dev.roster.group.MembershipWriter;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SCIM Groups on the V12 model (user_group, group_membership): flat groups of users, soft-deleted. Writes go through
 * the table writers (group/GroupWriter, MembershipWriter) and event builders (GroupEvents, MembershipEvents): each
 * bumps the group's version and, for every membership change, the user's, in the caller's transaction.
 */
@ApplicationScoped
public class ScimGroups {

    static final String COLUMNS = "g.id, g.name, g.external_id, g.version, g.created_at, g.updated_at";

    record GroupRow(UUID id, String name, String externalId, long version, Instant created, Instant updated) {
    }

    /** A member; {@code email} is the user's identifier: its email, or its username when it has none (decisions/0031). */
    record Member(UUID id, String email, String displayName) {
    }

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    ScimResponses responses;
    @Inject
    ScimLists lists;
    @Inject
    ScimWrites writes;

    static GroupRow row(ResultSet rs) throws SQLException {
        return new GroupRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant());
    }

    GroupRow find(Connection c, UUID id, boolean lock) throws SQLException {
        if (id == null) {
            throw ScimException.notFound("No group with this id.");
        }
        return Jdbc.one(c, "SELECT " + COLUMNS + " FROM user_group g WHERE g.id = ? AND g.deleted_at IS NULL"
                + (lock ? " FOR UPDATE" : ""), ScimGroups::row, id)
                .orElseThrow(() -> ScimException.notFound("No group with id " + id + "."));
    }

    List<Member> members(Connection c, UUID group) throws SQLException {
        return Jdbc.list(c, "SELECT u.id, coalesce(u.email, u.username), u.display_name FROM group_membership m JOIN directory_user u ON u.id = m.user_id "
                + "WHERE m.group_id = ? AND u.status <> 'DELETED' ORDER BY lower(coalesce(u.email, u.username)), u.id", rs -> new Member(rs.getObject(1, UUID.class),
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
                        .put("type", "User").put("$ref", responses.location("Users", m.id()));
            }
        }
        ObjectNode meta = doc.putObject("meta");
        meta.put("resourceType", "Group").put("created", g.created().toString()).put("lastModified", g.updated().toString())
                .put("location", responses.location("Groups", g.id())).put("version", ScimResponses.etag(g.version()));
        return doc;
    }

    public ObjectNode get(UUID id, String attributes, String excluded) {
        ScimProjection projection = ScimProjection.of(attributes, excluded);
        return jdbc.withConnection(c -> projection.apply(render(c, find(c, id, false), wantsMembers(attributes, excluded))));
    }

    static boolean wantsMembers(String attributes, String excluded) {
        boolean excludedMembers = excluded != null && excluded.toLowerCase(java.util.Locale.ROOT).contains("members");
        boolean listed = attributes == null || attributes.isBlank() || attributes.toLowerCase(java.util.Locale.ROOT).contains("members");
        return !excludedMembers && listed;
    }

    // ---------------------------------------------------------------- writing

    public ScimOutcome create(Connection c, JsonNode doc, boolean dryRun, String actorName, List<AuditEventDraft> drafts)
            throws SQLException {
        checkDocument(doc);
        return write(c, null, doc, dryRun, actorName, drafts);
    }

    public ScimOutcome replace(Connection c, UUID id, JsonNode doc, String ifMatch, boolean dryRun, String actorName,
            List<AuditEventDraft> drafts) throws SQLException {
        checkDocument(doc);
        GroupRow g = find(c, id, !dryRun);
        ScimResponses.checkIfMatch(ifMatch, g.version());
        return write(c, g, doc, dryRun, actorName, drafts);
    }

    public ScimOutcome patch(Connection c, UUID id, JsonNode body, String ifMatch, boolean dryRun, String actorName,
            List<AuditEventDraft> drafts) throws SQLException {
        ScimPatchRequest.check(body);
        GroupRow g = find(c, id, !dryRun);
        ScimResponses.checkIfMatch(ifMatch, g.version());
        ObjectNode doc = render(c, g, true);
        ScimPatch.apply(doc, body);
        return write(c, g, doc, dryRun, actorName, drafts);
    }

    public ScimOutcome delete(Connection c, UUID id, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        writes.refuseDeleteUnderFourEyes("groups", "delete the group in Roster's pages or with a group file, "
                + "where a signed-in person confirms it");
        GroupRow g = find(c, id, !dryRun);
        ScimResponses.checkIfMatch(ifMatch, g.version());
        List<Member> members = members(c, id);
        if (dryRun) {
            ObjectNode d = json.createObjectNode().put("kind", "DELETE").put("key", g.name()).put("groupId", id.toString());
            d.put("memberships", members.size());
            return new ScimOutcome(200, responses.dryRun(List.of(d)), null, false);
        }
        GroupWriter.softDelete(c, id);
        MembershipWriter.bumpMembers(c, members.stream().map(Member::id).toList());
        drafts.add(GroupEvents.of(AuditAction.GROUP_DELETED, id, g.name(), Map.of("memberships", members.size())));
        return new ScimOutcome(204, null, null, true);
    }

    /** A Group body's syntax, schema URIs and displayName, checked before any lookup (decision 0033). */
    static void checkDocument(JsonNode doc) {
        ScimMessages.resource(doc, ScimMedia.GROUP_SCHEMA, List.of(), "displayName");
    }

    /** What a SCIM Group document asks for: name, external id, and the members' ids in order. */
    private record Desired(String name, String externalId, Set<UUID> members) {
    }

    /** Members before and after, with their emails for the events and the dry run. */
    private record MemberChange(Map<UUID, String> wanted, Map<UUID, String> current, List<UUID> added, List<UUID> removed) {
        boolean none() {
            return added.isEmpty() && removed.isEmpty();
        }
    }

    private ScimOutcome write(Connection c, GroupRow existing, JsonNode doc, boolean dryRun, String actorName,
            List<AuditEventDraft> drafts) throws SQLException {
        Desired desired = desired(doc);
        refuseTaken(c, existing, desired);
        MemberChange members = memberChange(c, existing, desired.members());
        List<Map<String, Object>> fields = fields(existing, desired);
        if (dryRun) {
            return new ScimOutcome(200, responses.dryRun(List.of(dryRunChange(existing, desired, fields, members))), null, false);
        }
        if (existing != null && fields.isEmpty() && members.none()) {
            return new ScimOutcome(200, render(c, existing, true), ScimResponses.etag(existing.version()), false);
        }
        UUID id = existing == null ? UUID.randomUUID() : existing.id();
        writeGroup(c, existing, id, desired, fields, drafts);
        MembershipWriter.add(c, id, members.added(), actorName);
        MembershipWriter.remove(c, id, members.removed());
        List<UUID> touched = new ArrayList<>(members.added());
        touched.addAll(members.removed());
        MembershipWriter.bumpMembers(c, touched);
        for (UUID u : members.added()) {
            drafts.add(MembershipEvents.of(true, u, members.wanted().get(u), id, desired.name()));
        }
        for (UUID u : members.removed()) {
            drafts.add(MembershipEvents.of(false, u, members.current().get(u), id, desired.name()));
        }
        GroupRow after = find(c, id, false);
        return new ScimOutcome(existing == null ? 201 : 200, render(c, after, true), ScimResponses.etag(after.version()), true);
    }

    private static Desired desired(JsonNode doc) {
        if (doc == null || !doc.isObject()) {
            throw ScimException.invalidSyntax("The body must be a JSON object (a SCIM Group).");
        }
        String name = ScimAttributes.text(doc, "displayName");
        name = name == null ? null : name.strip();
        String problem = GroupNames.problem(name);
        if (problem != null) {
            throw ScimException.invalidValue("displayName: " + problem + ".");
        }
        Set<UUID> wanted = new LinkedHashSet<>();
        JsonNode list = ScimAttributes.field(doc, "members");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ScimException.invalidValue("members must be a list of {\"value\": user id}.");
            }
            for (JsonNode m : list) {
                String value = m.isObject() ? ScimAttributes.text(m, "value") : m.asText();
                UUID id = ScimQuery.uuid(value);
                if (id == null) {
                    throw ScimException.invalidValue("members: \"" + value + "\" is not the id of a user (groups cannot be members).");
                }
                wanted.add(id);
            }
        }
        return new Desired(name, ScimAttributes.text(doc, "externalId"), wanted);
    }

    private static void refuseTaken(Connection c, GroupRow existing, Desired desired) throws SQLException {
        UUID self = existing == null ? new UUID(0, 0) : existing.id();
        if (Jdbc.one(c, "SELECT 1 FROM user_group WHERE lower(name) = lower(?) AND deleted_at IS NULL AND id <> ?", rs -> 1,
                desired.name(), self).isPresent()) {
            throw ScimException.uniqueness("A group named \"" + desired.name() + "\" already exists.");
        }
        if (desired.externalId() != null && Jdbc.one(c, "SELECT 1 FROM user_group WHERE external_id = ? AND deleted_at IS NULL "
                + "AND id <> ?", rs -> 1, desired.externalId(), self).isPresent()) {
            throw ScimException.uniqueness("externalId " + desired.externalId() + " already belongs to another group.");
        }
    }

    /** The live users wanted (each must exist), the current members, and the difference, as sets. */
    private MemberChange memberChange(Connection c, GroupRow existing, Set<UUID> wanted) throws SQLException {
        Map<UUID, String> found = new LinkedHashMap<>();
        if (!wanted.isEmpty()) {
            Array ids = c.createArrayOf("uuid", wanted.toArray());
            for (Member m : Jdbc.list(c, "SELECT id, coalesce(email, username), display_name FROM directory_user WHERE id = ANY(?) "
                    + "AND status <> 'DELETED'",
                    rs -> new Member(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)), ids)) {
                found.put(m.id(), m.email());
            }
            for (UUID id : wanted) {
                if (!found.containsKey(id)) {
                    throw ScimException.invalidValue("members: no user with id " + id + ".");
                }
            }
        }
        Map<UUID, String> current = new LinkedHashMap<>();
        if (existing != null) {
            for (Member m : members(c, existing.id())) {
                current.put(m.id(), m.email());
            }
        }
        List<UUID> added = wanted.stream().filter(id -> !current.containsKey(id)).toList();
        List<UUID> removed = current.keySet().stream().filter(id -> !wanted.contains(id)).toList();
        return new MemberChange(found, current, added, removed);
    }

    private static List<Map<String, Object>> fields(GroupRow existing, Desired desired) {
        List<Map<String, Object>> fields = new ArrayList<>();
        if (existing == null || !existing.name().equals(desired.name())) {
            fields.add(field("name", existing == null ? null : existing.name(), desired.name()));
        }
        if (existing == null ? desired.externalId() != null : !Objects.equals(existing.externalId(), desired.externalId())) {
            fields.add(field("external_id", existing == null ? null : existing.externalId(), desired.externalId()));
        }
        return fields;
    }

    private ObjectNode dryRunChange(GroupRow existing, Desired desired, List<Map<String, Object>> fields, MemberChange members) {
        ObjectNode d = json.createObjectNode().put("kind", existing == null ? "CREATE"
                : fields.isEmpty() && members.none() ? "UNCHANGED" : "UPDATE").put("key", desired.name());
        if (existing != null) {
            d.put("groupId", existing.id().toString()).put("plannedVersion", existing.version());
        }
        d.set("fields", json.valueToTree(fields));
        d.set("membersAdded", json.valueToTree(members.added().stream().map(members.wanted()::get).toList()));
        d.set("membersRemoved", json.valueToTree(members.removed().stream().map(members.current()::get).toList()));
        return d;
    }

    /** Inserts or renames the group (its version moves either way) with group.created / group.updated. */
    private static void writeGroup(Connection c, GroupRow existing, UUID id, Desired desired, List<Map<String, Object>> fields,
            List<AuditEventDraft> drafts) throws SQLException {
        try {
            if (existing == null) {
                GroupWriter.insert(c, id, desired.name(), null, desired.externalId());
                drafts.add(GroupEvents.of(AuditAction.GROUP_CREATED, id, desired.name(), Map.of("source", ScimWrites.SOURCE)));
                return;
            }
            GroupWriter.rename(c, id, desired.name(), desired.externalId());
            if (!fields.isEmpty()) {
                Map<String, Object> more = new LinkedHashMap<>();
                more.put("fields", fields);
                more.put("source", ScimWrites.SOURCE);
                drafts.add(GroupEvents.of(AuditAction.GROUP_UPDATED, id, desired.name(), more));
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw ScimException.uniqueness("Another group has this displayName or externalId.");
            }
            throw e;
        }
    }

    private static Map<String, Object> field(String name, Object before, Object after) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("before", before);
        f.put("after", after);
        return f;
    }
}
