package dev.roster.scim;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.csv.ColumnNames;
import dev.roster.directory.ScheduleSettings;
import dev.roster.plan.SingleRowPlan;
import dev.roster.plan.SingleRowPlan.Cell;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The SCIM User schema over directory_user (docs/scim.md): a row as the core User, Enterprise and Roster extensions
 * ({@link #render}), and a document as the cells of a one-row plan ({@link #desired}). What changes when the schema
 * mapping changes, and nothing else.
 */
@ApplicationScoped
public class ScimUserSchema {

    /** The SCIM attributes of issue #24 (decisions/0032), directory_user columns read after the others below. */
    static final List<String> EXTENDED = Stream.concat(ColumnNames.EXTENDED.stream(), ColumnNames.SCIM_ONLY.stream()).toList();
    /** Profile columns a SCIM write may set, canonical name = directory_user column (never taken from input). */
    static final List<String> PROFILE = Stream.concat(Stream.of(ColumnNames.EMAIL, ColumnNames.EXTERNAL_ID,
            ColumnNames.USERNAME, ColumnNames.GIVEN_NAME, ColumnNames.FAMILY_NAME, ColumnNames.DISPLAY_NAME,
            ColumnNames.PHONE, ColumnNames.DEPARTMENT, ColumnNames.TITLE, ColumnNames.LOCALE, ColumnNames.STATUS),
            EXTENDED.stream()).toList();
    /** The scalar attributes of the core User besides name, by SCIM name -> column. */
    private static final Map<String, String> CORE_SCALARS = orderedMap("displayName", ColumnNames.DISPLAY_NAME,
            "nickName", ColumnNames.NICK_NAME, "profileUrl", ColumnNames.PROFILE_URL, "title", ColumnNames.TITLE,
            "userType", ColumnNames.USER_TYPE, "preferredLanguage", ColumnNames.PREFERRED_LANGUAGE,
            "locale", ColumnNames.LOCALE, "timezone", ColumnNames.TIMEZONE);
    /** name's sub-attributes kept as they are, by SCIM name -> column (formatted: see {@link #formatted}). */
    private static final Map<String, String> NAME_PARTS = orderedMap("givenName", ColumnNames.GIVEN_NAME,
            "familyName", ColumnNames.FAMILY_NAME, "middleName", ColumnNames.MIDDLE_NAME,
            "honorificPrefix", ColumnNames.HONORIFIC_PREFIX, "honorificSuffix", ColumnNames.HONORIFIC_SUFFIX);
    /** The Enterprise extension's strings, by SCIM name -> column (manager is an id: see {@link #enterpriseValues}). */
    private static final Map<String, String> ENTERPRISE = orderedMap("employeeNumber", ColumnNames.EMPLOYEE_NUMBER,
            "costCenter", ColumnNames.COST_CENTER, "organization", ColumnNames.ORGANIZATION,
            "division", ColumnNames.DIVISION, "department", ColumnNames.DEPARTMENT);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    static final String COLUMNS = "u.id, u.email, u.external_id, u.username, u.given_name, u.family_name, u.display_name, "
            + "u.phone, u.department, u.title, u.locale, u.status, u.attributes::text, u.manager_id, m.email, m.display_name, "
            + "u.version, u.created_at, u.updated_at, (SELECT coalesce(json_agg(json_build_object('value', g.id, 'display', "
            + "g.name) ORDER BY g.name), '[]') FROM group_membership gm JOIN user_group g ON g.id = gm.group_id "
            + "AND g.deleted_at IS NULL WHERE gm.user_id = u.id)::text, "
            + String.join(", ", EXTENDED.stream().map(c -> "u." + c + (ColumnNames.JSON_LISTS.contains(c) ? "::text" : "")).toList())
            + ", u.start_date::text, u.end_date::text";
    static final String FROM = " FROM directory_user u LEFT JOIN directory_user m ON m.id = u.manager_id";

    @Inject
    ObjectMapper json;
    @Inject
    ScimResponses responses;
    @Inject
    ScheduleSettings schedule;

    /** A directory user as SCIM sees it. */
    record UserRow(UUID id, String email, String externalId, String username, String givenName, String familyName,
            String displayName, String phone, String department, String title, String locale, String status,
            Map<String, String> attributes, UUID managerId, String managerEmail, String managerName, long version,
            Instant created, Instant updated, String groupsJson, Map<String, String> extended, String startDate,
            String endDate) {

        String column(String column) {
            if (EXTENDED.contains(column)) {
                return extended.get(column);
            }
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
                rs.getLong(17), rs.getTimestamp(18).toInstant(), rs.getTimestamp(19).toInstant(), rs.getString(20), extended(rs),
                rs.getString(21 + EXTENDED.size()), rs.getString(22 + EXTENDED.size()));
    }

    private static Map<String, String> extended(ResultSet rs) throws SQLException {
        Map<String, String> extended = new LinkedHashMap<>();
        for (int i = 0; i < EXTENDED.size(); i++) {
            extended.put(EXTENDED.get(i), rs.getString(21 + i));
        }
        return extended;
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

    ObjectNode render(UserRow u) {
        ObjectNode doc = json.createObjectNode();
        ArrayNode schemas = doc.putArray("schemas").add(ScimMedia.USER_SCHEMA).add(ScimMedia.ENTERPRISE_SCHEMA);
        doc.put("id", u.id().toString());
        putIf(doc, "externalId", u.externalId());
        doc.put("userName", u.username() != null ? u.username() : u.email());
        ObjectNode name = doc.putObject("name");
        NAME_PARTS.forEach((attribute, column) -> putIf(name, attribute, u.column(column)));
        String formatted = u.column(ColumnNames.FORMATTED_NAME);
        putIf(name, "formatted", formatted != null ? formatted : formatted(u.givenName(), u.familyName()));
        CORE_SCALARS.forEach((attribute, column) -> putIf(doc, attribute, u.column(column)));
        ScimMultiValued.render(doc, ScimMultiValued.Kind.EMAILS, u.column(ColumnNames.EMAILS), u.email(), json);
        ScimMultiValued.render(doc, ScimMultiValued.Kind.PHONE_NUMBERS, u.column(ColumnNames.PHONE_NUMBERS), u.phone(), json);
        ScimMultiValued.render(doc, ScimMultiValued.Kind.ADDRESSES, u.column(ColumnNames.ADDRESSES), null, json);
        doc.put("active", !"SUSPENDED".equals(u.status()));
        try {
            ArrayNode groups = (ArrayNode) json.readTree(u.groupsJson());
            if (!groups.isEmpty()) {
                for (JsonNode g : groups) {
                    ((ObjectNode) g).put("$ref", responses.location("Groups", UUID.fromString(g.path("value").asText())));
                }
                doc.set("groups", groups);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode enterprise = doc.putObject(ScimMedia.ENTERPRISE_SCHEMA);
        ENTERPRISE.forEach((attribute, column) -> putIf(enterprise, attribute, u.column(column)));
        if (u.managerId() != null) {
            ObjectNode manager = enterprise.putObject("manager").put("value", u.managerId().toString())
                    .put("$ref", responses.location("Users", u.managerId()));
            putIf(manager, "displayName", u.managerName() != null ? u.managerName() : u.managerEmail());
        }
        Map<String, String> custom = u.attributes();
        if (!custom.isEmpty()) {
            schemas.add(ScimMedia.ROSTER_SCHEMA);
            ObjectNode roster = doc.putObject(ScimMedia.ROSTER_SCHEMA);
            custom.forEach((k, v) -> putIf(roster, k, v));
        }
        ScimDates.render(doc, schemas, u.startDate(), u.endDate());
        ObjectNode meta = doc.putObject("meta");
        meta.put("resourceType", "User");
        meta.put("created", u.created().toString());
        meta.put("lastModified", u.updated().toString());
        meta.put("location", responses.location("Users", u.id()));
        meta.put("version", ScimResponses.etag(u.version()));
        return doc;
    }

    /** name.formatted when the client gave none: "givenName familyName". */
    private static String formatted(String givenName, String familyName) {
        String joined = String.join(" ", Stream.of(givenName, familyName).filter(Objects::nonNull).toList());
        return joined.isEmpty() ? null : joined;
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    private static void putIf(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }

    /** What a SCIM document asks of Roster's columns. */
    /**
     * What a SCIM document asks of Roster's columns; clearsEmail: an existing user's address goes (the document has no
     * usable emails and the user signs in with its userName, decision 0033).
     */
    record Desired(List<Cell> cells, Boolean active, boolean managerGiven, String managerId, String password,
                   boolean clearsEmail) {
    }

    /** A POST or PUT document: a date left out stays as it is (decision 0039). */
    Desired desired(JsonNode doc, UserRow existing) {
        return desired(doc, existing, false);
    }

    /**
     * @param patched the document is the user after a PATCH's operations (render + patch): a date no longer in it
     *                was removed, and is cleared
     */
    Desired desired(JsonNode doc, UserRow existing, boolean patched) {
        if (doc == null || !doc.isObject()) {
            throw ScimException.invalidSyntax("The body must be a JSON object (a SCIM User).");
        }
        Values values = new Values();
        String userName = ScimAttributes.text(doc, "userName");
        if (userName == null || userName.isBlank()) {
            throw ScimException.invalidValue("userName is required.");
        }
        boolean keepNullUsername = coreValues(doc, existing, userName, values);
        // a document without a manager clears it (PUT replaces; PATCH starts from the whole user)
        String managerId = enterpriseValues(doc, values);
        rosterValues(doc, values);
        // the dates fall in the user's zone after this write: the document's timezone (a PUT without one clears it)
        List<Cell> dates = new ArrayList<>(ScimDates.cells(doc, patched && existing != null,
                ScimDates.zone(values.values.get(ColumnNames.TIMEZONE), schedule.timeZone())));
        // clearing a date the user does not have is no change (and spares the plan its lookup of the dates)
        dates.removeIf(d -> d.value().equals(SingleRowPlan.CLEAR) && (existing == null
                || (d.column().equals(ColumnNames.START_DATE) ? existing.startDate() : existing.endDate()) == null));
        Boolean active = ScimAttributes.bool(doc, "active");
        String password = ScimAttributes.text(doc, "password");
        if (password != null && existing != null) {
            throw ScimException.mutability("Roster sets a password through SCIM only when it creates a user; an existing "
                    + "user changes theirs with a reset link (see docs/scim.md). Leave password out.");
        }
        List<Cell> cells = new ArrayList<>();
        values.values.forEach((column, value) -> cells.add(new Cell(column, values.names.get(column), value)));
        cells.addAll(dates);
        if (existing != null) {
            cells.addAll(clears(existing, values, keepNullUsername));
            Cell status = statusChange(existing, active);
            if (status != null) {
                cells.add(status);
            }
        }
        boolean clearsEmail = existing != null && existing.email() != null && !keepNullUsername
                && !values.values.containsKey(ColumnNames.EMAIL);
        return new Desired(cells, active, true, managerId, password, clearsEmail);
    }

    /** The columns a document sets, and the SCIM attribute that set each (for messages). */
    private static final class Values {
        final Map<String, String> values = new LinkedHashMap<>();
        final Map<String, String> names = new LinkedHashMap<>();

        void put(String column, String name, String value) {
            if (value != null && !value.isBlank()) {
                values.put(column, value);
                names.put(column, name);
            }
        }
    }

    /** The core schema's attributes; true when an existing user without a username keeps none. */
    private static boolean coreValues(JsonNode doc, UserRow existing, String userName, Values values) {
        String email = ScimAttributes.primaryValue(doc, "emails");
        if (email == null && existing == null && userName.contains("@")) {
            email = userName; // on create only: a PUT or PATCH without emails removes the address (decision 0033)
        }
        values.put(ColumnNames.EMAIL, "emails", email);
        boolean keepNullUsername = existing != null && existing.username() == null && userName.equalsIgnoreCase(existing.email());
        if (!keepNullUsername) {
            values.put(ColumnNames.USERNAME, "userName", userName);
        }
        values.put(ColumnNames.EXTERNAL_ID, "externalId", ScimAttributes.text(doc, "externalId"));
        JsonNode name = ScimAttributes.field(doc, "name");
        if (name != null && !name.isNull() && !name.isObject()) {
            throw ScimException.invalidValue("name must be an object with givenName and familyName.");
        }
        boolean hasName = name != null && name.isObject();
        NAME_PARTS.forEach((attribute, column) -> values.put(column, "name." + attribute,
                hasName ? ScimAttributes.text(name, attribute) : null));
        String formatted = hasName ? ScimAttributes.text(name, "formatted") : null;
        // kept only when it is not what Roster would show anyway
        if (formatted != null && !formatted.strip().equals(formatted(values.values.get(ColumnNames.GIVEN_NAME),
                values.values.get(ColumnNames.FAMILY_NAME)))) {
            values.put(ColumnNames.FORMATTED_NAME, "name.formatted", formatted);
        }
        CORE_SCALARS.forEach((attribute, column) -> values.put(column, attribute, ScimAttributes.text(doc, attribute)));
        if (!values.values.containsKey(ColumnNames.DISPLAY_NAME) && existing == null && formatted != null) {
            values.put(ColumnNames.DISPLAY_NAME, "displayName", formatted);
        }
        String phone = ScimAttributes.primaryValue(doc, "phoneNumbers");
        values.put(ColumnNames.PHONE, "phoneNumbers", phone);
        for (ScimMultiValued.Kind kind : ScimMultiValued.Kind.values()) {
            String primary = kind == ScimMultiValued.Kind.EMAILS ? email : phone;
            values.put(kind.column, kind.scimName, ScimMultiValued.cell(doc, kind, primary));
        }
        return keepNullUsername;
    }

    /** The Enterprise extension's attributes; returns the manager's id as given (null: none). */
    private static String enterpriseValues(JsonNode doc, Values values) {
        JsonNode enterprise = ScimAttributes.field(doc, ScimMedia.ENTERPRISE_SCHEMA);
        if (enterprise == null || !enterprise.isObject()) {
            return null;
        }
        ENTERPRISE.forEach((attribute, column) -> values.put(column, attribute, ScimAttributes.text(enterprise, attribute)));
        JsonNode manager = ScimAttributes.field(enterprise, "manager");
        if (manager == null || manager.isNull()) {
            return null;
        }
        return manager.isObject() ? ScimAttributes.text(manager, "value") : manager.asText();
    }

    /** Roster's extension: custom attributes, strings with safe names. */
    private static void rosterValues(JsonNode doc, Values values) {
        JsonNode roster = ScimAttributes.field(doc, ScimMedia.ROSTER_SCHEMA);
        if (roster == null || !roster.isObject()) {
            return;
        }
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
            values.put(ColumnNames.ATTRIBUTE_PREFIX + e.getKey(), e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
        }
    }

    /** What an existing user has that the document leaves out: cleared (a PUT replaces the whole user). */
    private static List<Cell> clears(UserRow existing, Values values, boolean keepNullUsername) {
        List<Cell> cells = new ArrayList<>();
        for (String column : PROFILE) {
            if (!values.values.containsKey(column) && existing.column(column) != null && !column.equals(ColumnNames.STATUS)
                    && !column.equals(ColumnNames.EMAIL) && !(column.equals(ColumnNames.USERNAME) && keepNullUsername)) {
                cells.add(new Cell(column, scimName(column), SingleRowPlan.CLEAR));
            }
        }
        for (String key : existing.attributes().keySet()) {
            if (!values.values.containsKey(ColumnNames.ATTRIBUTE_PREFIX + key)) {
                cells.add(new Cell(ColumnNames.ATTRIBUTE_PREFIX + key, key, SingleRowPlan.CLEAR));
            }
        }
        return cells;
    }

    /** active=false suspends, active=true reactivates; null when the status stays. */
    private static Cell statusChange(UserRow existing, Boolean active) {
        if (active == null) {
            return null;
        }
        if (!active && !"SUSPENDED".equals(existing.status())) {
            return new Cell(ColumnNames.STATUS, "active", "SUSPENDED");
        }
        if (active && "SUSPENDED".equals(existing.status())) {
            return new Cell(ColumnNames.STATUS, "active", "ACTIVE");
        }
        return null;
    }

    private static String scimName(String column) {
        return switch (column) {
            case ColumnNames.EXTERNAL_ID -> "externalId";
            case ColumnNames.USERNAME -> "userName";
            case ColumnNames.PHONE -> "phoneNumbers";
            case ColumnNames.FORMATTED_NAME -> "name.formatted";
            default -> Stream.of(NAME_PARTS, CORE_SCALARS, ENTERPRISE).flatMap(m -> m.entrySet().stream())
                    .filter(e -> e.getValue().equals(column)).map(e -> NAME_PARTS.containsValue(column) ? "name." + e.getKey()
                            : e.getKey()).findFirst()
                    .orElseGet(() -> Stream.of(ScimMultiValued.Kind.values()).filter(k -> k.column.equals(column))
                            .map(k -> k.scimName).findFirst().orElse(column));
        };
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
