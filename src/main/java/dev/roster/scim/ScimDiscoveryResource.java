package dev.roster.scim;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.access.AdminRole;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * SCIM discovery (RFC 7644 §4): /ServiceProviderConfig says exactly what is implemented and its limits; /Schemas
 * the attributes Roster maps (core User and Group, Enterprise User, Roster's custom attributes); /ResourceTypes.
 */
@Path("/scim/v2")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
public class ScimDiscoveryResource {

    @Inject
    ObjectMapper json;
    @Inject
    ScimSettings settings;
    @Inject
    ScimResponses responses;

    @GET
    @Path("ServiceProviderConfig")
    public Response config() {
        ObjectNode c = json.createObjectNode();
        c.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        c.put("documentationUri", base() + "/docs/scim.md");
        c.putObject("patch").put("supported", true);
        c.putObject("bulk").put("supported", true).put("maxOperations", settings.maxOperations())
                .put("maxPayloadSize", settings.maxPayloadSize());
        c.putObject("filter").put("supported", true).put("maxResults", settings.maxResults());
        c.putObject("changePassword").put("supported", false);
        c.putObject("sort").put("supported", true);
        // RFC 9865 §4: cursors beside index paging, which stays the default for clients that send neither (decision 0043)
        c.putObject("pagination").put("cursor", true).put("index", true).put("defaultPaginationMethod", "index")
                .put("defaultPageSize", settings.maxResults()).put("maxPageSize", settings.maxResults())
                .put("cursorTimeout", settings.cursorTimeout().toSeconds());
        c.putObject("etag").put("supported", true);
        ArrayNode schemes = c.putArray("authenticationSchemes");
        schemes.addObject().put("type", "oauthbearertoken").put("name", "Roster API token")
                .put("description", "Authorization: Bearer rst_..., made by an admin on the API tokens page")
                .put("primary", true);
        schemes.addObject().put("type", "httpbasic").put("name", "HTTP Basic")
                .put("description", "A local admin's email and password (kept for scripts)");
        meta(c, "ServiceProviderConfig", "/scim/v2/ServiceProviderConfig");
        return ScimResponses.answer(200, c, null, null);
    }

    @GET
    @Path("ResourceTypes")
    public Response resourceTypes() {
        return ScimResponses.answer(200, list(List.of(userType(), groupType())), null, null);
    }

    @GET
    @Path("ResourceTypes/{name}")
    public Response resourceType(@PathParam("name") String name) {
        for (ObjectNode t : List.of(userType(), groupType())) {
            if (t.path("id").asText().equals(name)) {
                return ScimResponses.answer(200, t, null, null);
            }
        }
        throw ScimException.notFound("No resource type " + name + ": Roster serves User and Group.");
    }

    @GET
    @Path("Schemas")
    public Response schemas() {
        return ScimResponses.answer(200, list(allSchemas()), null, null);
    }

    @GET
    @Path("Schemas/{id}")
    public Response schema(@PathParam("id") String id) {
        for (ObjectNode s : allSchemas()) {
            if (s.path("id").asText().equals(id)) {
                return ScimResponses.answer(200, s, null, null);
            }
        }
        throw ScimException.notFound("No schema " + id + ".");
    }

    private ObjectNode list(List<ObjectNode> items) {
        return responses.listResponse(items.size(), 1, items);
    }

    private ObjectNode userType() {
        ObjectNode t = json.createObjectNode();
        t.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ResourceType");
        t.put("id", "User").put("name", "User").put("endpoint", "/Users").put("description", "A user of Roster's directory")
                .put("schema", ScimMedia.USER_SCHEMA);
        ArrayNode ext = t.putArray("schemaExtensions");
        ext.addObject().put("schema", ScimMedia.ENTERPRISE_SCHEMA).put("required", false);
        ext.addObject().put("schema", ScimMedia.ROSTER_SCHEMA).put("required", false);
        ext.addObject().put("schema", ScimMedia.LIFECYCLE_SCHEMA).put("required", false);
        meta(t, "ResourceType", "/scim/v2/ResourceTypes/User");
        return t;
    }

    private ObjectNode groupType() {
        ObjectNode t = json.createObjectNode();
        t.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ResourceType");
        t.put("id", "Group").put("name", "Group").put("endpoint", "/Groups").put("description", "A group of Roster's directory")
                .put("schema", ScimMedia.GROUP_SCHEMA);
        t.putArray("schemaExtensions");
        meta(t, "ResourceType", "/scim/v2/ResourceTypes/Group");
        return t;
    }

    private List<ObjectNode> allSchemas() {
        ObjectNode user = schema(ScimMedia.USER_SCHEMA, "User", "A user of Roster's directory");
        ArrayNode a = user.putArray("attributes");
        attr(a, "userName", "string", false, true, "readWrite", "server", "Unique among live users, case-insensitive");
        ObjectNode name = attr(a, "name", "complex", false, false, "readWrite", "none", "The user's name");
        ArrayNode sub = name.putArray("subAttributes");
        attr(sub, "givenName", "string", false, true, "readWrite", "none", "Required by Roster (at most 100 characters)");
        attr(sub, "familyName", "string", false, true, "readWrite", "none", "Required by Roster (at most 100 characters)");
        attr(sub, "middleName", "string", false, false, "readWrite", "none", "At most 100 characters");
        attr(sub, "honorificPrefix", "string", false, false, "readWrite", "none", "At most 100 characters");
        attr(sub, "honorificSuffix", "string", false, false, "readWrite", "none", "At most 100 characters");
        attr(sub, "formatted", "string", false, false, "readWrite", "none",
                "Kept as written; when none is given, givenName familyName");
        attr(a, "displayName", "string", false, false, "readWrite", "none", "At most 100 characters");
        attr(a, "nickName", "string", false, false, "readWrite", "none", "At most 100 characters");
        attr(a, "profileUrl", "reference", false, false, "readWrite", "none", "An absolute http or https URL");
        attr(a, "userType", "string", false, false, "readWrite", "none", "At most 255 characters");
        attr(a, "preferredLanguage", "string", false, false, "readWrite", "none", "A BCP 47 tag such as de-CH");
        attr(a, "timezone", "string", false, false, "readWrite", "none", "An IANA time zone such as Europe/Berlin");
        ObjectNode emails = attr(a, "emails", "complex", true, true, "readWrite", "none",
                "Every element kept as written, in order; the primary (else the work, else the first) address is the "
                        + "user's email, unique case-insensitively");
        valueSub(emails);
        ObjectNode phones = attr(a, "phoneNumbers", "complex", true, false, "readWrite", "none",
                "Every element kept as written, in order; the primary (else the work, else the first) number is the "
                        + "user's phone, in E.164 (+49 30 1234567)");
        valueSub(phones);
        ObjectNode addresses = attr(a, "addresses", "complex", true, false, "readWrite", "none",
                "Every element kept as written, in order");
        ArrayNode addressSub = addresses.putArray("subAttributes");
        for (String part : List.of("formatted", "streetAddress", "locality", "region", "postalCode", "country", "type")) {
            attr(addressSub, part, "string", false, false, "readWrite", "none", "");
        }
        attr(addressSub, "primary", "boolean", false, false, "readWrite", "none", "");
        attr(a, "title", "string", false, false, "readWrite", "none", "At most 255 characters");
        attr(a, "locale", "string", false, false, "readWrite", "none", "A BCP 47 tag such as de-CH");
        attr(a, "active", "boolean", false, false, "readWrite", "none", "false suspends the user");
        attr(a, "externalId", "string", false, false, "readWrite", "server", "Unique, case-exact");
        attr(a, "password", "string", false, false, "writeOnly", "none",
                "Only when creating a user: checked against Roster's password policy and stored hashed (Argon2id); never returned");
        ObjectNode groups = attr(a, "groups", "complex", true, false, "readOnly", "none", "The groups the user belongs to");
        valueSub(groups);
        ObjectNode enterprise = schema(ScimMedia.ENTERPRISE_SCHEMA, "EnterpriseUser", "Enterprise User (RFC 7643 §4.3)");
        ArrayNode e = enterprise.putArray("attributes");
        attr(e, "employeeNumber", "string", false, false, "readWrite", "none", "Roster's employee_number");
        attr(e, "costCenter", "string", false, false, "readWrite", "none", "Roster's cost_center");
        attr(e, "organization", "string", false, false, "readWrite", "none", "Roster's organization");
        attr(e, "division", "string", false, false, "readWrite", "none", "Roster's division");
        attr(e, "department", "string", false, false, "readWrite", "none", "Roster's department");
        ObjectNode manager = attr(e, "manager", "complex", false, false, "readWrite", "none", "Another user of Roster, by id");
        ArrayNode m = manager.putArray("subAttributes");
        attr(m, "value", "string", false, false, "readWrite", "none", "The manager's id");
        attr(m, "displayName", "string", false, false, "readOnly", "none", "The manager's name");
        entraDates(e);
        ObjectNode roster = schema(ScimMedia.ROSTER_SCHEMA, "RosterUser",
                "Roster's custom attributes (the attr.* columns of CSV files): any name of letters, digits, _, . and -, "
                        + "string values; a name not given in a PUT is removed");
        roster.putArray("attributes");
        ObjectNode lifecycle = schema(ScimMedia.LIFECYCLE_SCHEMA, "RosterLifecycle",
                "A user's start and end dates (docs/scheduled-changes.md): a start date ahead keeps the user suspended until "
                        + "it, an end date suspends the user at the end of that day; dates in the user's timezone");
        ArrayNode l = lifecycle.putArray("attributes");
        attr(l, ScimDates.START, "string", false, false, "readWrite", "none",
                "YYYY-MM-DD (a date-time is read as its date in the user's timezone); null or \"\" clears it");
        attr(l, ScimDates.END, "string", false, false, "readWrite", "none",
                "YYYY-MM-DD, the last working day (a date-time is read as its date in the user's timezone); null or \"\" clears it");
        entraDates(l);
        ObjectNode group = schema(ScimMedia.GROUP_SCHEMA, "Group", "A group of Roster's directory (flat, no nesting)");
        ArrayNode g = group.putArray("attributes");
        attr(g, "displayName", "string", false, true, "readWrite", "server", "Unique among live groups, case-insensitive");
        attr(g, "externalId", "string", false, false, "readWrite", "server", "Unique among live groups");
        ObjectNode members = attr(g, "members", "complex", true, false, "readWrite", "none", "Users only (no nested groups)");
        valueSub(members);
        return List.of(user, enterprise, roster, lifecycle, group);
    }

    private ObjectNode schema(String id, String name, String description) {
        ObjectNode s = json.createObjectNode();
        s.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Schema");
        s.put("id", id).put("name", name).put("description", description);
        meta(s, "Schema", "/scim/v2/Schemas/" + id);
        return s;
    }

    private static ObjectNode attr(ArrayNode into, String name, String type, boolean multi, boolean required,
            String mutability, String uniqueness, String description) {
        ObjectNode a = into.addObject();
        a.put("name", name).put("type", type).put("multiValued", multi).put("description", description)
                .put("required", required).put("caseExact", name.equals("externalId") || name.equals("id"))
                .put("mutability", mutability).put("returned", mutability.equals("writeOnly") ? "never" : "default")
                .put("uniqueness", uniqueness);
        return a;
    }

    /** Microsoft Entra's names of the dates, accepted as they are sent and shown as startDate / endDate. */
    private static void entraDates(ArrayNode into) {
        attr(into, ScimDates.HIRE, "dateTime", false, false, "writeOnly", "none",
                "Entra's hire date: Roster's startDate (" + ScimMedia.LIFECYCLE_SCHEMA + "), returned there");
        attr(into, ScimDates.LEAVE, "dateTime", false, false, "writeOnly", "none",
                "Entra's leave date-time: Roster's endDate, the date in the user's timezone, returned there");
    }

    private static void valueSub(ObjectNode attr) {
        ArrayNode sub = attr.putArray("subAttributes");
        attr(sub, "value", "string", false, false, "readWrite", "none", "The value");
        attr(sub, "type", "string", false, false, "readWrite", "none", "work");
        attr(sub, "primary", "boolean", false, false, "readWrite", "none", "true");
        attr(sub, "display", "string", false, false, "readOnly", "none", "A name for people");
    }

    private void meta(ObjectNode node, String type, String path) {
        node.putObject("meta").put("resourceType", type).put("location", base() + path);
    }

    private String base() {
        return responses.base();
    }
}
