package dev.roster.scim;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.batch.planning.JdbcDirectoryView;
import dev.roster.batch.state.BatchSettings;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordPolicy;
import dev.roster.csv.ColumnNames;
import dev.roster.plan.ChangeKind;
import dev.roster.plan.FieldDiff;
import dev.roster.plan.PlanMessage;
import dev.roster.plan.PlannedChange;
import dev.roster.plan.Severity;
import dev.roster.plan.SingleRowPlan.Cell;
import dev.roster.plan.SingleRowPlan;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * SCIM Users over Roster's directory (docs/scim.md). Reads map directory_user rows to the core User schema, the
 * Enterprise extension and Roster's extension; every write is planned as one row through plan/'s checks and rules
 * ({@link SingleRowPlan}), then written in the caller's transaction with the version bump and the user.created /
 * updated / deleted event an apply writes, so a planned batch that touches the user becomes stale.
 */
@ApplicationScoped
public class ScimUsers {

    /** Enterprise extension attributes Roster keeps among the custom attributes. */
    static final List<String> ENTERPRISE_ATTRIBUTES = List.of("employeeNumber", "costCenter", "organization", "division");
    /** Profile columns a SCIM write may set, canonical name = directory_user column (never taken from input). */
    private static final List<String> PROFILE = List.of(ColumnNames.EMAIL, ColumnNames.EXTERNAL_ID, ColumnNames.USERNAME,
            ColumnNames.GIVEN_NAME, ColumnNames.FAMILY_NAME, ColumnNames.DISPLAY_NAME, ColumnNames.PHONE,
            ColumnNames.DEPARTMENT, ColumnNames.TITLE, ColumnNames.LOCALE, ColumnNames.STATUS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    static final String COLUMNS = "u.id, u.email, u.external_id, u.username, u.given_name, u.family_name, u.display_name, "
            + "u.phone, u.department, u.title, u.locale, u.status, u.attributes::text, u.manager_id, m.email, m.display_name, "
            + "u.version, u.created_at, u.updated_at, (SELECT coalesce(json_agg(json_build_object('value', g.id, 'display', "
            + "g.name) ORDER BY g.name), '[]') FROM group_membership gm JOIN user_group g ON g.id = gm.group_id "
            + "AND g.deleted_at IS NULL WHERE gm.user_id = u.id)::text";
    static final String FROM = " FROM directory_user u LEFT JOIN directory_user m ON m.id = u.manager_id";

    /** A directory user as SCIM sees it. */
    record UserRow(UUID id, String email, String externalId, String username, String givenName, String familyName,
            String displayName, String phone, String department, String title, String locale, String status,
            Map<String, String> attributes, UUID managerId, String managerEmail, String managerName, long version,
            Instant created, Instant updated, String groupsJson) {

        String column(String column) {
            return switch (column) {
                case ColumnNames.EMAIL -> email;
                case ColumnNames.EXTERNAL_ID -> externalId;
                case ColumnNames.USERNAME -> username;
                case ColumnNames.GIVEN_NAME -> givenName;
                case ColumnNames.FAMILY_NAME -> familyName;
                case ColumnNames.DISPLAY_NAME -> displayName;
                case ColumnNames.PHONE -> phone;
                case ColumnNames.DEPARTMENT -> department;
                case ColumnNames.TITLE -> title;
                case ColumnNames.LOCALE -> locale;
                default -> status;
            };
        }
    }

    /** What one write did: the resource after it (null after a delete), or the dry run's diff. */
    public record Outcome(int status, ObjectNode body, String etag, boolean changed) {
    }

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    ObjectMapper json;
    @Inject
    ScimSettings settings;
    @Inject
    BatchSettings.Approval approval;
    @ConfigProperty(name = "roster.public-url")
    String publicUrl;

    final ScimQuery query = new ScimQuery(ScimUsers::attribute, ScimMedia.USER_SCHEMA);

    // ---------------------------------------------------------------- reading

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
            case "emails.type", "phonenumbers.type" -> ScimQuery.Attr.of("'work'::text", ScimQuery.Type.STRING_CI, false);
            case "emails.primary" -> ScimQuery.Attr.of("true", ScimQuery.Type.BOOLEAN, false);
            case "externalid" -> ScimQuery.Attr.of("u.external_id", ScimQuery.Type.STRING_EXACT, true);
            case "name.givenname" -> ScimQuery.Attr.of("lower(u.given_name)", ScimQuery.Type.STRING_CI, false);
            case "name.familyname" -> ScimQuery.Attr.of("lower(u.family_name)", ScimQuery.Type.STRING_CI, false);
            case "name.formatted" -> ScimQuery.Attr.of("lower(nullif(concat_ws(' ', u.given_name, u.family_name), ''))",
                    ScimQuery.Type.STRING_CI, false);
            case "displayname" -> ScimQuery.Attr.of("lower(u.display_name)", ScimQuery.Type.STRING_CI, false);
            case "title" -> ScimQuery.Attr.of("lower(u.title)", ScimQuery.Type.STRING_CI, false);
            case "locale", "preferredlanguage" -> ScimQuery.Attr.of("lower(u.locale)", ScimQuery.Type.STRING_CI, false);
            case "phonenumbers", "phonenumbers.value" -> ScimQuery.Attr.of("u.phone", ScimQuery.Type.STRING_EXACT, false);
            case "active" -> ScimQuery.Attr.of("u.status <> 'SUSPENDED'", ScimQuery.Type.BOOLEAN, false);
            case "meta.created" -> ScimQuery.Attr.of("u.created_at", ScimQuery.Type.DATETIME, false);
            case "meta.lastmodified" -> ScimQuery.Attr.of("u.updated_at", ScimQuery.Type.DATETIME, false);
            case "enterprise:department" -> ScimQuery.Attr.of("lower(u.department)", ScimQuery.Type.STRING_CI, false);
            case "enterprise:employeenumber" -> jsonAttr("employeeNumber");
            case "enterprise:costcenter" -> jsonAttr("costCenter");
            case "enterprise:organization" -> jsonAttr("organization");
            case "enterprise:division" -> jsonAttr("division");
            case "enterprise:manager", "enterprise:manager.value" -> ScimQuery.Attr.of("u.manager_id", ScimQuery.Type.ID, false);
            default -> null;
        };
    }

    private static ScimQuery.Attr jsonAttr(String key) {
        return new ScimQuery.Attr("u.attributes->>?", List.of(key), ScimQuery.Type.STRING_EXACT, false);
    }

    UserRow row(ResultSet rs) throws SQLException {
        Map<String, String> attributes = new LinkedHashMap<>();
        try {
            json.readValue(rs.getString(13), MAP).forEach((k, v) -> attributes.put(k, v == null ? null : v.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("attributes of user " + rs.getString(1) + " are not JSON", e);
        }
        return new UserRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12), attributes, rs.getObject(14, UUID.class), rs.getString(15), rs.getString(16),
                rs.getLong(17), rs.getTimestamp(18).toInstant(), rs.getTimestamp(19).toInstant(), rs.getString(20));
    }

    /** A live (not deleted) user, optionally locked for a write; 404 otherwise. */
    UserRow find(Connection c, UUID id, boolean lock) throws SQLException {
        if (id == null) {
            throw ScimException.notFound("No user with this id.");
        }
        String sql = "SELECT " + COLUMNS + FROM + " WHERE u.id = ? AND u.status <> 'DELETED'";
        if (lock) {
            Jdbc.one(c, "SELECT 1 FROM directory_user WHERE id = ? FOR UPDATE", rs -> 1, id);
        }
        return Jdbc.one(c, sql, this::row, id).orElseThrow(() -> ScimException.notFound("No user with id " + id + "."));
    }

    public ObjectNode get(UUID id, String attributes, String excluded) {
        UserRow row = jdbc.withConnection(c -> find(c, id, false));
        return ScimProjection.of(attributes, excluded).apply(render(row));
    }

    public String etag(ObjectNode resource) {
        return resource.path("meta").path("version").asText(null);
    }

    public ObjectNode list(String filter, String sortBy, String sortOrder, Integer startIndex, Integer count,
            String attributes, String excluded) {
        ScimQuery.Where where = filter == null || filter.isBlank() ? new ScimQuery.Where("TRUE", List.of())
                : query.where(ScimFilter.parse(filter));
        boolean filtered = filter != null && !filter.isBlank();
        boolean indexed = filtered && query.indexed(ScimFilter.parse(filter));
        boolean sortServed = query.sortIndexed(sortBy);
        int start = startIndex == null || startIndex < 1 ? 1 : startIndex;
        int size = pageSize(count);
        List<Object> orderArgs = new ArrayList<>();
        String order = query.orderBy(sortBy, sortOrder, "u.id", orderArgs);
        ScimProjection projection = ScimProjection.of(attributes, excluded);
        return jdbc.withConnection(c -> {
            if ((filtered && !indexed) || (!indexed && !sortServed)) {
                guardScan(c, "directory_user", "users", filtered && !indexed ? "filter" : "sortBy",
                        "Include userName, emails, externalId or id with eq (alone, or joined with and), or sort by "
                                + "id, userName, emails or externalId.");
            }
            long total = Jdbc.one(c, "SELECT count(*) FROM directory_user u WHERE u.status <> 'DELETED' AND " + where.sql(),
                    rs -> rs.getLong(1), where.args().toArray()).orElse(0L);
            List<Object> args = new ArrayList<>(where.args());
            args.addAll(orderArgs);
            args.add(size);
            args.add(start - 1);
            List<UserRow> rows = size == 0 || start > total ? List.of() : Jdbc.list(c, "SELECT " + COLUMNS + FROM
                    + " WHERE u.status <> 'DELETED' AND " + where.sql() + " ORDER BY " + order + " LIMIT ? OFFSET ?",
                    this::row, args.toArray());
            List<ObjectNode> resources = new ArrayList<>();
            for (UserRow r : rows) {
                resources.add(projection.apply(render(r)));
            }
            return listResponse(total, start, resources);
        });
    }

    /**
     * The large-directory guard (docs/scim.md): a list whose filter or sortBy no index serves reads and sorts the whole
     * table, so it is refused once the table holds more than roster.scim.unindexed-filter-max-rows rows (the planner's
     * estimate, free to read).
     */
    void guardScan(Connection c, String table, String what, String culprit, String hint) throws SQLException {
        long rows = Jdbc.one(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?::regclass",
                rs -> rs.getLong(1), table).orElse(0L);
        if (rows > settings.unindexedFilterMaxRows()) {
            throw ScimException.invalidFilter("This " + culprit + " would read and sort all " + rows + " " + what
                    + ": no index serves it. " + hint);
        }
    }

    /** roster.public-url without a trailing slash: locations never come from the Host header. */
    String base() {
        return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /** A ListResponse (RFC 7644 §3.4.2). */
    ObjectNode listResponse(long total, int start, List<ObjectNode> resources) {
        ObjectNode answer = json.createObjectNode();
        answer.putArray("schemas").add(ScimMedia.LIST_SCHEMA);
        answer.put("totalResults", total).put("startIndex", start).put("itemsPerPage", resources.size());
        ArrayNode list = answer.putArray("Resources");
        resources.forEach(list::add);
        return answer;
    }

    /** count capped at maxResults (absent: maxResults). */
    int pageSize(Integer count) {
        return count == null ? settings.maxResults() : Math.max(0, Math.min(count, settings.maxResults()));
    }

    String location(String type, UUID id) {
        return base() + "/scim/v2/" + type + "/" + id;
    }

    static String etag(long version) {
        return "W/\"" + version + "\"";
    }

    ObjectNode render(UserRow u) {
        ObjectNode doc = json.createObjectNode();
        ArrayNode schemas = doc.putArray("schemas").add(ScimMedia.USER_SCHEMA).add(ScimMedia.ENTERPRISE_SCHEMA);
        doc.put("id", u.id().toString());
        putIf(doc, "externalId", u.externalId());
        doc.put("userName", u.username() != null ? u.username() : u.email());
        ObjectNode name = doc.putObject("name");
        putIf(name, "givenName", u.givenName());
        putIf(name, "familyName", u.familyName());
        String formatted = String.join(" ", java.util.stream.Stream.of(u.givenName(), u.familyName())
                .filter(Objects::nonNull).toList());
        putIf(name, "formatted", formatted.isEmpty() ? null : formatted);
        putIf(doc, "displayName", u.displayName());
        doc.putArray("emails").addObject().put("value", u.email()).put("type", "work").put("primary", true);
        if (u.phone() != null) {
            doc.putArray("phoneNumbers").addObject().put("value", u.phone()).put("type", "work").put("primary", true);
        }
        putIf(doc, "title", u.title());
        putIf(doc, "locale", u.locale());
        doc.put("active", !"SUSPENDED".equals(u.status()));
        try {
            ArrayNode groups = (ArrayNode) json.readTree(u.groupsJson());
            if (!groups.isEmpty()) {
                for (JsonNode g : groups) {
                    ((ObjectNode) g).put("$ref", location("Groups", UUID.fromString(g.path("value").asText())));
                }
                doc.set("groups", groups);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode enterprise = doc.putObject(ScimMedia.ENTERPRISE_SCHEMA);
        putIf(enterprise, "department", u.department());
        for (String key : ENTERPRISE_ATTRIBUTES) {
            putIf(enterprise, key, u.attributes().get(key));
        }
        if (u.managerId() != null) {
            ObjectNode manager = enterprise.putObject("manager").put("value", u.managerId().toString())
                    .put("$ref", location("Users", u.managerId()));
            putIf(manager, "displayName", u.managerName() != null ? u.managerName() : u.managerEmail());
        }
        Map<String, String> custom = new LinkedHashMap<>(u.attributes());
        ENTERPRISE_ATTRIBUTES.forEach(custom::remove);
        if (!custom.isEmpty()) {
            schemas.add(ScimMedia.ROSTER_SCHEMA);
            ObjectNode roster = doc.putObject(ScimMedia.ROSTER_SCHEMA);
            custom.forEach((k, v) -> putIf(roster, k, v));
        }
        ObjectNode meta = doc.putObject("meta");
        meta.put("resourceType", "User");
        meta.put("created", u.created().toString());
        meta.put("lastModified", u.updated().toString());
        meta.put("location", location("Users", u.id()));
        meta.put("version", etag(u.version()));
        return doc;
    }

    private static void putIf(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }

    // ---------------------------------------------------------------- writing

    /** What a SCIM document asks of Roster's columns. */
    record Desired(List<Cell> cells, Boolean active, boolean managerGiven, String managerId, String password) {
    }

    Desired desired(JsonNode doc, UserRow existing) {
        if (doc == null || !doc.isObject()) {
            throw ScimException.invalidSyntax("The body must be a JSON object (a SCIM User).");
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        String userName = text(doc, "userName");
        if (userName == null || userName.isBlank()) {
            throw ScimException.invalidValue("userName is required.");
        }
        String email = primaryValue(doc, "emails");
        if (email == null && userName.contains("@")) {
            email = userName;
        }
        if (email == null && existing == null) {
            throw ScimException.invalidValue("Roster needs an email address: give emails (a work or primary address) "
                    + "or an email address as userName.");
        }
        put(values, names, ColumnNames.EMAIL, "emails", email);
        boolean keepNullUsername = existing != null && existing.username() == null && userName.equalsIgnoreCase(existing.email());
        if (!keepNullUsername) {
            put(values, names, ColumnNames.USERNAME, "userName", userName);
        }
        put(values, names, ColumnNames.EXTERNAL_ID, "externalId", text(doc, "externalId"));
        JsonNode name = field(doc, "name");
        if (name != null && !name.isNull() && !name.isObject()) {
            throw ScimException.invalidValue("name must be an object with givenName and familyName.");
        }
        put(values, names, ColumnNames.GIVEN_NAME, "name.givenName", name == null ? null : text(name, "givenName"));
        put(values, names, ColumnNames.FAMILY_NAME, "name.familyName", name == null ? null : text(name, "familyName"));
        String display = text(doc, "displayName");
        if (display == null && existing == null && name != null) {
            display = text(name, "formatted");
        }
        put(values, names, ColumnNames.DISPLAY_NAME, "displayName", display);
        put(values, names, ColumnNames.PHONE, "phoneNumbers", primaryValue(doc, "phoneNumbers"));
        put(values, names, ColumnNames.TITLE, "title", text(doc, "title"));
        String locale = text(doc, "locale");
        put(values, names, ColumnNames.LOCALE, "locale", locale != null ? locale : text(doc, "preferredLanguage"));
        JsonNode enterprise = field(doc, ScimMedia.ENTERPRISE_SCHEMA);
        boolean managerGiven = true; // a document without a manager clears it (PUT replaces; PATCH starts from the whole user)
        String managerId = null;
        if (enterprise != null && enterprise.isObject()) {
            put(values, names, ColumnNames.DEPARTMENT, "department", text(enterprise, "department"));
            for (String key : ENTERPRISE_ATTRIBUTES) {
                put(values, names, ColumnNames.ATTRIBUTE_PREFIX + key, key, text(enterprise, key));
            }
            JsonNode manager = field(enterprise, "manager");
            if (manager != null && !manager.isNull()) {
                managerId = manager.isObject() ? text(manager, "value") : manager.asText();
            }
        }
        JsonNode roster = field(doc, ScimMedia.ROSTER_SCHEMA);
        if (roster != null && roster.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = roster.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!ScimQuery.ATTRIBUTE_NAME.matcher(e.getKey()).matches()) {
                    throw ScimException.invalidValue("\"" + e.getKey() + "\" is not a custom attribute name: use letters, "
                            + "digits, _, . and - (at most 100).");
                }
                if (e.getValue().isContainerNode()) {
                    throw ScimException.invalidValue("Custom attribute \"" + e.getKey() + "\" must be a string.");
                }
                put(values, names, ColumnNames.ATTRIBUTE_PREFIX + e.getKey(), e.getKey(),
                        e.getValue().isNull() ? null : e.getValue().asText());
            }
        }
        Boolean active = bool(doc, "active");
        String password = text(doc, "password");
        if (password != null && existing != null) {
            throw ScimException.mutability("Roster sets a password through SCIM only when it creates a user; an existing "
                    + "user changes theirs with a reset link (see docs/scim.md). Leave password out.");
        }
        List<Cell> cells = new ArrayList<>();
        values.forEach((column, value) -> cells.add(new Cell(column, names.get(column), value)));
        if (existing != null) {
            for (String column : PROFILE) {
                if (!values.containsKey(column) && existing.column(column) != null && !column.equals(ColumnNames.STATUS)
                        && !column.equals(ColumnNames.EMAIL) && !(column.equals(ColumnNames.USERNAME) && keepNullUsername)) {
                    cells.add(new Cell(column, scimName(column), SingleRowPlan.CLEAR));
                }
            }
            for (String key : existing.attributes().keySet()) {
                if (!values.containsKey(ColumnNames.ATTRIBUTE_PREFIX + key)) {
                    cells.add(new Cell(ColumnNames.ATTRIBUTE_PREFIX + key, key, SingleRowPlan.CLEAR));
                }
            }
            if (active != null) {
                if (!active && !"SUSPENDED".equals(existing.status())) {
                    cells.add(new Cell(ColumnNames.STATUS, "active", "SUSPENDED"));
                } else if (active && "SUSPENDED".equals(existing.status())) {
                    cells.add(new Cell(ColumnNames.STATUS, "active", "ACTIVE"));
                }
            }
        }
        return new Desired(cells, active, managerGiven, managerId, password);
    }

    private static void put(Map<String, String> values, Map<String, String> names, String column, String name, String value) {
        if (value != null && !value.isBlank()) {
            values.put(column, value);
            names.put(column, name);
        }
    }

    private static String scimName(String column) {
        return switch (column) {
            case ColumnNames.EXTERNAL_ID -> "externalId";
            case ColumnNames.USERNAME -> "userName";
            case ColumnNames.GIVEN_NAME -> "name.givenName";
            case ColumnNames.FAMILY_NAME -> "name.familyName";
            case ColumnNames.DISPLAY_NAME -> "displayName";
            case ColumnNames.PHONE -> "phoneNumbers";
            case ColumnNames.DEPARTMENT -> "department";
            default -> column;
        };
    }

    /** A field by name in any case (attribute names are case-insensitive). */
    static JsonNode field(JsonNode node, String name) {
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw ScimException.invalidValue(name + " must be a single value, not " + (v.isArray() ? "a list" : "an object") + ".");
        }
        return v.asText();
    }

    /** true/false, also as the strings "True"/"False" (Entra). */
    static Boolean bool(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String t = v.asText().strip().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.valueOf(t);
        }
        throw ScimException.invalidValue(name + " is true or false, not \"" + v.asText() + "\".");
    }

    /** The value of the primary element of a multi-valued attribute, else of a work one, else of the first. */
    static String primaryValue(JsonNode doc, String name) {
        JsonNode list = field(doc, name);
        if (list == null || list.isNull()) {
            return null;
        }
        if (!list.isArray()) {
            throw ScimException.invalidValue(name + " must be a list of {\"value\", \"type\", \"primary\"}.");
        }
        JsonNode chosen = null;
        for (JsonNode e : list) {
            if (bool(e, "primary") == Boolean.TRUE) {
                chosen = e;
                break;
            }
        }
        for (JsonNode e : list) {
            if (chosen == null && "work".equalsIgnoreCase(text(e, "type"))) {
                chosen = e;
            }
        }
        if (chosen == null && !list.isEmpty()) {
            chosen = list.get(0);
        }
        return chosen == null ? null : chosen.isObject() ? text(chosen, "value") : chosen.asText();
    }

    public Outcome create(Connection c, JsonNode doc, boolean dryRun, List<AuditEventDraft> drafts) throws SQLException {
        return write(c, null, doc, dryRun, drafts);
    }

    public Outcome replace(Connection c, UUID id, JsonNode doc, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        UserRow existing = find(c, id, !dryRun);
        checkIfMatch(ifMatch, existing.version());
        return write(c, existing, doc, dryRun, drafts);
    }

    public Outcome patch(Connection c, UUID id, JsonNode body, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        UserRow existing = find(c, id, !dryRun);
        checkIfMatch(ifMatch, existing.version());
        ObjectNode doc = render(existing);
        ScimPatch.apply(doc, body);
        return write(c, existing, doc, dryRun, drafts);
    }

    public Outcome delete(Connection c, UUID id, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts) throws SQLException {
        refuseDeleteUnderFourEyes("users", "send the deletions to /Bulk?asBatch=true: they become a batch that another "
                + "operator approves and a person confirms in Roster's pages");
        UserRow existing = find(c, id, !dryRun);
        checkIfMatch(ifMatch, existing.version());
        PlannedChange change = SingleRowPlan.plan(SingleRowPlan.Action.DELETE, existing.email(), List.of(),
                new JdbcDirectoryView(c, json));
        refuseErrors(change);
        if (dryRun) {
            return new Outcome(200, dryRun(List.of(diff(change, change.fields()))), null, false);
        }
        Jdbc.update(c, "UPDATE directory_user SET status_before_delete = status, status = 'DELETED', deleted_at = now(), "
                + "version = version + 1, updated_at = now() WHERE id = ?", id);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("statusBefore", existing.status());
        details.put("source", "scim");
        drafts.add(new AuditEventDraft(AuditAction.USER_DELETED, id, existing.email(), null, details));
        return new Outcome(204, null, null, true);
    }

    /**
     * In four-eyes mode no SCIM request deletes on its own (security review M3): a deletion needs a second person,
     * which a token or a provisioning client is not. 403 with scimType mutability (the directory's current state,
     * four-eyes, does not allow it), even for a dry run, so the preview never promises what the request cannot do.
     */
    void refuseDeleteUnderFourEyes(String what, String how) {
        if (approval.enabled()) {
            throw new ScimException(403, "mutability", "Four-eyes mode is on: SCIM cannot delete " + what
                    + " directly. Instead, " + how + ".");
        }
    }

    static void checkIfMatch(String ifMatch, long version) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return;
        }
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.replace("\"", "").equals(Long.toString(version))) {
                return;
            }
        }
        throw new ScimException(412, null, "The user changed since you read it (now version " + etag(version)
                + "); read it again and retry.");
    }

    private Outcome write(Connection c, UserRow existing, JsonNode doc, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        Desired desired = desired(doc, existing);
        PlannedChange change = SingleRowPlan.plan(existing == null ? SingleRowPlan.Action.CREATE : SingleRowPlan.Action.UPDATE,
                existing == null ? null : existing.email(), desired.cells(), new JdbcDirectoryView(c, json));
        refuseErrors(change);
        List<FieldDiff> fields = new ArrayList<>(change.fields());
        UUID managerId = existing == null ? null : existing.managerId();
        if (desired.managerGiven()) {
            UUID wanted = null;
            String wantedEmail = null;
            if (desired.managerId() != null && !desired.managerId().isBlank()) {
                wanted = ScimQuery.uuid(desired.managerId().strip());
                UUID target = wanted;
                wantedEmail = wanted == null ? null : Jdbc.one(c, "SELECT email FROM directory_user WHERE id = ? AND status <> 'DELETED'",
                        rs -> rs.getString(1), target).orElse(null);
                if (wantedEmail == null) {
                    throw ScimException.invalidValue("manager.value " + desired.managerId() + " is not the id of a user.");
                }
                if (existing != null && wanted.equals(existing.id())) {
                    throw ScimException.invalidValue("A user cannot be their own manager.");
                }
            }
            if (!Objects.equals(wanted, managerId)) {
                fields.add(new FieldDiff("manager", existing == null ? null : existing.managerEmail(), wantedEmail));
                managerId = wanted;
            }
        }
        String passwordHash = null;
        String status = null;
        if (existing == null) {
            String email = change.field(ColumnNames.EMAIL).map(FieldDiff::after).orElseThrow();
            if (desired.password() != null) {
                List<String> names = new ArrayList<>();
                change.field(ColumnNames.GIVEN_NAME).ifPresent(f -> names.add(f.after()));
                change.field(ColumnNames.FAMILY_NAME).ifPresent(f -> names.add(f.after()));
                List<String> problems = PasswordPolicy.violations(desired.password(), email, names);
                if (!problems.isEmpty()) {
                    throw ScimException.invalidValue("password: " + String.join(" ", problems) + " (the value is not shown or kept).");
                }
            }
            status = Boolean.FALSE.equals(desired.active()) ? "SUSPENDED" : desired.password() != null ? "ACTIVE" : "INVITED";
            fields.add(new FieldDiff(ColumnNames.STATUS, null, status));
        }
        checkUnique(c, existing, fields);
        if (dryRun) {
            ObjectNode d = diff(change, fields);
            if (desired.password() != null) {
                d.withArray("messages").addObject().put("severity", "NOTE").put("column", "password")
                        .put("text", "a password would be set (never shown)");
            }
            return new Outcome(200, dryRun(List.of(d)), null, false);
        }
        if (existing != null && fields.isEmpty()) {
            ObjectNode same = render(existing);
            return new Outcome(200, same, etag(same), false);
        }
        if (desired.password() != null) {
            passwordHash = PasswordHasher.hash(desired.password());
        }
        UUID id = existing == null ? UUID.randomUUID() : existing.id();
        try {
            if (existing == null) {
                insert(c, id, fields, status, passwordHash, managerId);
            } else {
                update(c, id, fields, managerId);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw ScimException.uniqueness("Another user already has this email address or externalId.");
            }
            throw e;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fields", fields.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.name());
            m.put("before", f.before());
            m.put("after", f.after());
            return m;
        }).toList());
        details.put("source", "scim");
        String email = existing == null ? change.field(ColumnNames.EMAIL).map(FieldDiff::after).orElse(null)
                : fields.stream().filter(f -> f.name().equals(ColumnNames.EMAIL)).map(FieldDiff::after).findFirst()
                        .orElse(existing.email());
        drafts.add(new AuditEventDraft(existing == null ? AuditAction.USER_CREATED : AuditAction.USER_UPDATED, id, email,
                null, details));
        ObjectNode after = render(find(c, id, false));
        return new Outcome(existing == null ? 201 : 200, after, etag(after), true);
    }

    private void checkUnique(Connection c, UserRow existing, List<FieldDiff> fields) throws SQLException {
        UUID self = existing == null ? new UUID(0, 0) : existing.id();
        for (FieldDiff f : fields) {
            if (f.after() == null) {
                continue;
            }
            if (f.name().equals(ColumnNames.EXTERNAL_ID) && Jdbc.one(c, "SELECT 1 FROM directory_user WHERE external_id = ? AND id <> ?",
                    rs -> 1, f.after(), self).isPresent()) {
                throw ScimException.uniqueness("externalId " + f.after() + " already belongs to another user.");
            }
            if (f.name().equals(ColumnNames.USERNAME) && Jdbc.one(c, "SELECT 1 FROM directory_user WHERE "
                    + "lower(coalesce(username, email)) = lower(?) AND status <> 'DELETED' AND id <> ?", rs -> 1, f.after(), self)
                    .isPresent()) {
                throw ScimException.uniqueness("userName " + f.after() + " already belongs to another user.");
            }
        }
    }

    private static void refuseErrors(PlannedChange change) {
        if (change.kind() != ChangeKind.ERROR) {
            return;
        }
        List<PlanMessage> errors = change.messages(Severity.ERROR);
        String detail = errors.stream().map(m -> (m.column() == null ? "" : m.column() + ": ") + m.text())
                .collect(Collectors.joining("; "));
        if (errors.stream().anyMatch(m -> m.text().contains("already belongs"))) {
            throw ScimException.uniqueness(detail);
        }
        throw ScimException.invalidValue(detail.isEmpty() ? "Roster cannot make this change." : detail);
    }

    private void insert(Connection c, UUID id, List<FieldDiff> fields, String status, String passwordHash, UUID managerId)
            throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (FieldDiff f : fields) {
            if (ColumnNames.isAttribute(f.name())) {
                attributes.put(ColumnNames.attributeName(f.name()), f.after());
            } else if (PROFILE.contains(f.name()) && !f.name().equals(ColumnNames.STATUS)) {
                columns.put(f.name(), f.after());
            }
        }
        List<Object> args = new ArrayList<>();
        args.add(id);
        for (String column : PROFILE.subList(0, PROFILE.size() - 1)) {
            args.add(columns.get(column));
        }
        args.add(status);
        args.add(write(attributes));
        args.add(passwordHash);
        args.add(managerId);
        Jdbc.update(c, "INSERT INTO directory_user (id, " + String.join(", ", PROFILE.subList(0, PROFILE.size() - 1))
                + ", status, attributes, password_hash, manager_id, version, created_at, updated_at) VALUES (?, "
                + "?, ".repeat(PROFILE.size() - 1) + "?, ?::jsonb, ?, ?, 1, now(), now())", args.toArray());
    }

    private void update(Connection c, UUID id, List<FieldDiff> fields, UUID managerId) throws SQLException {
        StringBuilder set = new StringBuilder();
        List<Object> args = new ArrayList<>();
        Map<String, String> attrSet = new LinkedHashMap<>();
        List<String> attrClear = new ArrayList<>();
        for (FieldDiff f : fields) {
            if (ColumnNames.isAttribute(f.name())) {
                if (f.after() == null) {
                    attrClear.add(ColumnNames.attributeName(f.name()));
                } else {
                    attrSet.put(ColumnNames.attributeName(f.name()), f.after());
                }
            } else if (f.name().equals("manager")) {
                set.append("manager_id = ?, ");
                args.add(managerId);
            } else if (PROFILE.contains(f.name())) {
                set.append(f.name()).append(" = ?, "); // a name from PROFILE, never from input
                args.add(f.after());
            }
        }
        if (!attrSet.isEmpty() || !attrClear.isEmpty()) {
            set.append("attributes = (attributes || ?::jsonb) - ?::text[], ");
            args.add(write(attrSet));
            args.add(c.createArrayOf("text", attrClear.toArray()));
        }
        args.add(id);
        Jdbc.update(c, "UPDATE directory_user SET " + set + "version = version + 1, updated_at = now() WHERE id = ?",
                args.toArray());
    }

    ObjectNode diff(PlannedChange change, List<FieldDiff> fields) {
        ObjectNode d = json.createObjectNode();
        d.put("kind", change.kind() == ChangeKind.UNCHANGED && !fields.isEmpty() ? "UPDATE" : change.kind().name());
        d.put("key", change.key());
        if (change.userId() != null) {
            d.put("userId", change.userId().toString());
            d.put("plannedVersion", change.plannedVersion());
        }
        ArrayNode f = d.putArray("fields");
        for (FieldDiff diff : fields) {
            f.addObject().put("name", diff.name()).put("before", diff.before()).put("after", diff.after());
        }
        ArrayNode m = d.putArray("messages");
        for (PlanMessage msg : change.messages()) {
            m.addObject().put("severity", msg.severity().name()).put("column", msg.column()).put("text", msg.text());
        }
        return d;
    }

    ObjectNode dryRun(List<ObjectNode> changes) {
        ObjectNode answer = json.createObjectNode();
        answer.put("dryRun", true);
        answer.put("detail", "Nothing was changed: this is what the request would do, in Roster's plan format.");
        ArrayNode list = answer.putArray("changes");
        changes.forEach(list::add);
        return answer;
    }

    // ---------------------------------------------------------------- one request, one transaction

    /** Runs one write in its own transaction and records its audit events in it, with the actor given. */
    public Outcome inTransaction(AuditActor actor, Write write) {
        return jdbc.inTransaction(c -> {
            List<AuditEventDraft> drafts = new ArrayList<>();
            Outcome outcome = write.run(c, drafts);
            if (!drafts.isEmpty()) {
                audit.recordAll(c, actor, drafts.iterator());
            }
            return outcome;
        });
    }

    @FunctionalInterface
    public interface Write {
        Outcome run(Connection c, List<AuditEventDraft> drafts) throws SQLException;
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
