package dev.roster.scim;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * RFC 7644 walked section by section, as an independent SCIM client sees Roster: each test names its section, and
 * the assertions are the RFC's (statuses, scimType per §3.12 table 9, ListResponse fields, returned characteristics).
 * Users here have e-mail addresses (Roster still needs one); the choices the RFC leaves open are decision 0033's.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.MethodName.class)
class Rfc7644ConformanceTest {

    static final String USER = ScimMedia.USER_SCHEMA;
    static final String GROUP = ScimMedia.GROUP_SCHEMA;
    static final String ENTERPRISE = ScimMedia.ENTERPRISE_SCHEMA;
    static final String SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    @Inject
    Sql sql;

    private static String group(String name, String... members) {
        StringBuilder list = new StringBuilder();
        for (String m : members) {
            list.append(list.isEmpty() ? "" : ", ").append("{\"value\": \"").append(m).append("\"}");
        }
        return "{\"schemas\": [\"" + GROUP + "\"], \"displayName\": \"" + name + "\", \"members\": [" + list + "]}";
    }

    private static String groupName(String prefix) {
        return prefix + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An error answer as §3.12 shapes it: the Error schema, status as a string, scimType when there is one. */
    private static void error(Response r, int status, String scimType) {
        r.then().statusCode(status).contentType(containsString("application/scim+json"))
                .body("schemas", equalTo(List.of(ScimErrors.ERROR_SCHEMA))).body("status", equalTo(Integer.toString(status)))
                .body("detail", notNullValue()).body("scimType", scimType == null ? nullValue() : equalTo(scimType));
    }

    // ---------------------------------------------------------------- 3.1, 3.3 creating resources

    @Test
    void s3_1_and_3_3_createAnswers201WithLocationVersionAndTheResource() {
        String email = Scim.unique("rfc-create");
        // id and meta are read-only: a client's values are ignored, the server assigns its own (RFC 7643 §3.1)
        String body = Scim.user(email, "Ada", "Create").replace("\"userName\"",
                "\"id\": \"not-mine\", \"meta\": {\"version\": \"W/\\\"99\\\"\"}, \"userName\"");
        Response created = Scim.rw().body(body).post("/scim/v2/Users");
        created.then().statusCode(201).contentType(containsString("application/scim+json"))
                .body("schemas", hasItem(USER)).body("userName", equalTo(email)).body("meta.resourceType", equalTo("User"))
                .body("meta.version", equalTo("W/\"1\"")).body("meta.created", notNullValue())
                .body("meta.lastModified", notNullValue());
        String id = created.path("id");
        assertNotEquals("not-mine", id);
        assertEquals(created.header("Location"), created.path("meta.location"), "Location is the resource's meta.location");
        assertEquals(created.header("ETag"), created.path("meta.version"));

        String name = groupName("RFC create");
        Scim.rw().body(group(name, id)).post("/scim/v2/Groups").then().statusCode(201).header("Location", containsString("/Groups/"))
                .body("schemas", equalTo(List.of(GROUP))).body("displayName", equalTo(name)).body("members[0].value", equalTo(id))
                .body("meta.resourceType", equalTo("Group"));
    }

    @Test
    void s3_3_postErrors() {
        String email = Scim.unique("rfc-post");
        Scim.createId(email);
        // a userName taken: 409 uniqueness
        error(Scim.create(email), 409, "uniqueness");
        // required userName missing: invalidValue ("a required value was missing")
        error(Scim.rw().body("{\"schemas\": [\"" + USER + "\"], \"emails\": [{\"value\": \"" + Scim.unique("x") + "\"}]}")
                .post("/scim/v2/Users"), 400, "invalidValue");
        // a Group posted to /Users, a message schema, schemas that is not a list: the body does not conform (invalidSyntax)
        error(Scim.rw().body(Scim.user(Scim.unique("g"), "A", "B").replace(USER, GROUP)).post("/scim/v2/Users"), 400, "invalidSyntax");
        error(Scim.rw().body(Scim.user(Scim.unique("m"), "A", "B").replace(USER, ScimMedia.PATCH_SCHEMA)).post("/scim/v2/Users"),
                400, "invalidSyntax");
        error(Scim.rw().body(Scim.user(Scim.unique("s"), "A", "B").replace("[\"" + USER + "\"]", "\"" + USER + "\""))
                .post("/scim/v2/Users"), 400, "invalidSyntax");
        // an extension Roster does not serve: its attributes would be lost, so it is refused naming the URI
        Response unknown = Scim.rw().body(Scim.user(Scim.unique("ext"), "A", "B").replace("\"" + USER + "\"",
                "\"" + USER + "\", \"urn:example:params:scim:schemas:extension:acme:2.0:User\"")).post("/scim/v2/Users");
        error(unknown, 400, "invalidValue");
        unknown.then().body("detail", containsString("urn:example:params:scim:schemas:extension:acme:2.0:User"));
        // not JSON, or JSON that is not an object
        error(Scim.rw().body("{\"userName\": ").post("/scim/v2/Users"), 400, "invalidSyntax");
        error(Scim.rw().body("[]").post("/scim/v2/Users"), 400, "invalidSyntax");
        // a group with a member that is no user: 400 invalidValue naming it, nothing created
        String ghost = UUID.randomUUID().toString();
        String name = groupName("RFC ghost");
        Response g = Scim.rw().body(group(name, ghost)).post("/scim/v2/Groups");
        error(g, 400, "invalidValue");
        g.then().body("detail", containsString(ghost));
        error(Scim.rw().body(group(name, "not-an-id")).post("/scim/v2/Groups"), 400, "invalidValue");
        assertEquals(0, sql.count("SELECT count(*) FROM user_group WHERE name = ?", name));
        error(Scim.rw().body("{\"schemas\": [\"" + GROUP + "\"]}").post("/scim/v2/Groups"), 400, "invalidValue");
    }

    // ---------------------------------------------------------------- 3.4.1 one resource

    @Test
    void s3_4_1_getOneWithAttributesAndVersion() {
        String email = Scim.unique("rfc-get");
        String id = Scim.createId(email);
        Response one = Scim.as("read").get("/scim/v2/Users/" + id);
        one.then().statusCode(200).body("id", equalTo(id)).body("name.givenName", equalTo("Barbara"));
        String etag = one.header("ETag");
        Scim.as("read").header("If-None-Match", etag).get("/scim/v2/Users/" + id).then().statusCode(304);
        // attributes: the named ones plus those always returned (id, schemas, meta)
        Scim.as("read").queryParam("attributes", "displayName,name.familyName").get("/scim/v2/Users/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("schemas", hasItem(USER)).body("meta.version", equalTo(etag))
                .body("name.familyName", equalTo("Jensen")).body("name.givenName", nullValue())
                .body("userName", nullValue()).body("emails", nullValue());
        // excludedAttributes never removes an always-returned attribute
        Scim.as("read").queryParam("excludedAttributes", "emails,id,meta,name.givenName").get("/scim/v2/Users/" + id).then()
                .statusCode(200).body("id", equalTo(id)).body("meta", notNullValue()).body("emails", nullValue())
                .body("name.familyName", equalTo("Jensen")).body("name.givenName", nullValue()).body("userName", equalTo(email));
        error(Scim.as("read").get("/scim/v2/Users/" + UUID.randomUUID()), 404, null);
        error(Scim.as("read").get("/scim/v2/Users/not-an-id"), 404, null);
    }

    // ---------------------------------------------------------------- 3.4.2 lists

    @Test
    void s3_4_2_listFilterSortAndPagingWithExactListResponses() {
        String tag = "rfc-list-" + UUID.randomUUID().toString().substring(0, 8);
        for (String s : List.of("b", "a", "c")) {
            Scim.rw().body(Scim.user(tag + "-" + s + "@example.org", "List", s.toUpperCase())).post("/scim/v2/Users")
                    .then().statusCode(201);
        }
        String filter = "userName sw \"" + tag + "\"";
        JsonPath all = Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "userName").get("/scim/v2/Users")
                .then().statusCode(200).body("schemas", equalTo(List.of(ScimMedia.LIST_SCHEMA))).extract().jsonPath();
        assertEquals(3, all.getInt("totalResults"));
        assertEquals(3, all.getInt("itemsPerPage"));
        assertEquals(1, all.getInt("startIndex"));
        assertEquals(List.of(tag + "-a@example.org", tag + "-b@example.org", tag + "-c@example.org"), all.getList("Resources.userName"));
        // sortOrder descending; a page of 2 from 1, then the rest from 3: itemsPerPage is what the page holds
        Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "userName").queryParam("sortOrder", "descending")
                .queryParam("count", 2).get("/scim/v2/Users").then().statusCode(200).body("totalResults", equalTo(3))
                .body("itemsPerPage", equalTo(2)).body("startIndex", equalTo(1))
                .body("Resources.userName", equalTo(List.of(tag + "-c@example.org", tag + "-b@example.org")));
        Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "userName").queryParam("startIndex", 3)
                .queryParam("count", 2).get("/scim/v2/Users").then().body("totalResults", equalTo(3)).body("itemsPerPage", equalTo(1))
                .body("startIndex", equalTo(3)).body("Resources[0].userName", equalTo(tag + "-c@example.org"));
        // count=0: no resources, the total only; startIndex below 1 is 1
        Scim.as("read").queryParam("filter", filter).queryParam("count", 0).get("/scim/v2/Users").then().statusCode(200)
                .body("totalResults", equalTo(3)).body("itemsPerPage", equalTo(0));
        Scim.as("read").queryParam("filter", filter).queryParam("startIndex", 0).get("/scim/v2/Users").then()
                .body("startIndex", equalTo(1)).body("itemsPerPage", equalTo(3));
        // a filter that matches nothing: 0, 0, 1
        Scim.as("read").queryParam("filter", "userName eq \"" + tag + "-none@example.org\"").get("/scim/v2/Users").then()
                .statusCode(200).body("totalResults", equalTo(0)).body("itemsPerPage", equalTo(0)).body("startIndex", equalTo(1));
        Scim.as("read").queryParam("filter", "displayName eq \"" + tag + " none\"").get("/scim/v2/Groups").then()
                .statusCode(200).body("schemas", equalTo(List.of(ScimMedia.LIST_SCHEMA))).body("totalResults", equalTo(0))
                .body("itemsPerPage", equalTo(0)).body("startIndex", equalTo(1));
        // value paths and an invalid filter
        Scim.as("read").queryParam("filter", "emails[value eq \"" + tag + "-a@example.org\"]").get("/scim/v2/Users").then()
                .body("totalResults", equalTo(1)).body("itemsPerPage", equalTo(1));
        error(Scim.as("read").queryParam("filter", "userName xx \"a\"").get("/scim/v2/Users"), 400, "invalidFilter");
        error(Scim.as("read").queryParam("filter", filter).queryParam("sortOrder", "sideways").queryParam("sortBy", "userName")
                .get("/scim/v2/Users"), 400, "invalidValue");
    }

    // ---------------------------------------------------------------- 3.4.3 POST .search

    @Test
    void s3_4_3_searchAnswersExactlyAsTheGetList() {
        String tag = "rfc-search-" + UUID.randomUUID().toString().substring(0, 8);
        for (String s : List.of("a", "b", "c")) {
            Scim.createId(tag + "-" + s + "@example.org");
        }
        String filter = "userName sw \"" + tag + "\"";
        JsonPath get = Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "userName")
                .queryParam("sortOrder", "descending").queryParam("startIndex", 2).queryParam("count", 2)
                .queryParam("attributes", "userName,emails.value").get("/scim/v2/Users").then().statusCode(200).extract().jsonPath();
        String search = """
                {"schemas": ["%s"], "filter": "%s", "sortBy": "userName", "sortOrder": "descending",
                 "startIndex": 2, "count": 2, "attributes": ["userName", "emails.value"]}""".formatted(SEARCH, filter.replace("\"", "\\\""));
        // a read token may search: .search is a read
        JsonPath post = Scim.as("read").body(search).post("/scim/v2/Users/.search").then().statusCode(200)
                .contentType(containsString("application/scim+json")).extract().jsonPath();
        assertEquals(get.getMap(""), post.getMap(""), "the same ListResponse as the GET");
        assertEquals(3, post.getInt("totalResults"));
        assertEquals(2, post.getInt("itemsPerPage"));
        assertEquals(List.of(tag + "-b@example.org", tag + "-a@example.org"), post.getList("Resources.userName"));
        assertEquals(Map.of("value", tag + "-b@example.org"), post.getMap("Resources[0].emails[0]"), "emails.value only");
        assertNull((Object) post.get("Resources[0].name"));
        // excludedAttributes as a list
        Scim.as("read").body("{\"schemas\": [\"" + SEARCH + "\"], \"filter\": \"" + filter.replace("\"", "\\\"")
                + "\", \"excludedAttributes\": [\"emails\", \"name\"]}").post("/scim/v2/Users/.search").then().statusCode(200)
                .body("totalResults", equalTo(3)).body("Resources[0].emails", nullValue()).body("Resources[0].name", nullValue())
                .body("Resources[0].userName", notNullValue());
        // groups too
        String name = groupName("RFC search");
        Scim.rw().body(group(name)).post("/scim/v2/Groups").then().statusCode(201);
        Scim.as("read").body("{\"schemas\": [\"" + SEARCH + "\"], \"filter\": \"displayName eq \\\"" + name + "\\\"\"}")
                .post("/scim/v2/Groups/.search").then().statusCode(200).body("totalResults", equalTo(1))
                .body("itemsPerPage", equalTo(1)).body("Resources[0].displayName", equalTo(name));
        // the SearchRequest schema is required; types are checked
        error(Scim.as("read").body("{\"filter\": \"" + filter.replace("\"", "\\\"") + "\"}").post("/scim/v2/Users/.search"),
                400, "invalidSyntax");
        error(Scim.as("read").body("{\"schemas\": [\"" + ScimMedia.LIST_SCHEMA + "\"]}").post("/scim/v2/Groups/.search"),
                400, "invalidSyntax");
        error(Scim.as("read").body("{\"schemas\": [\"" + SEARCH + "\"], \"count\": \"many\"}").post("/scim/v2/Users/.search"),
                400, "invalidValue");
        error(Scim.as("read").body("{\"schemas\": [\"" + SEARCH + "\"], \"filter\": \"userName eq\"}").post("/scim/v2/Users/.search"),
                400, "invalidFilter");
    }

    // ---------------------------------------------------------------- 3.5.1 PUT

    @Test
    void s3_5_1_putReplacesTheWholeResourceAndIgnoresReadOnlyAttributes() {
        String email = Scim.unique("rfc-put");
        String full = """
                {"schemas": ["%s", "%s"], "userName": "%s", "externalId": "ext-%s", "displayName": "Put Person",
                 "title": "Before", "name": {"givenName": "Put", "familyName": "Person"},
                 "emails": [{"value": "%s", "type": "work", "primary": true}],
                 "phoneNumbers": [{"value": "+49 30 7654321", "type": "work"}],
                 "%s": {"department": "Legal", "employeeNumber": "42"}}""".formatted(USER, ENTERPRISE, email, email, email, ENTERPRISE);
        String id = Scim.rw().body(full).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        String name = groupName("RFC put");
        Scim.rw().body(group(name, id)).post("/scim/v2/Groups").then().statusCode(201);
        // PUT leaves out title, displayName, externalId, phoneNumbers and the Enterprise attributes: they are cleared;
        // id, meta and groups sent by the client are read-only and ignored
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"active\", \"value\": false}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("active", equalTo(false));
        String replacement = Scim.user(email, "Put", "Replaced").replace("\"userName\"", "\"id\": \"" + UUID.randomUUID()
                + "\", \"meta\": {\"created\": \"2001-01-01T00:00:00Z\"}, \"groups\": [], \"userName\"");
        Scim.rw().body(replacement).queryParam("attributes", "title,name").put("/scim/v2/Users/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("name.familyName", equalTo("Replaced")).body("title", nullValue())
                .body("userName", nullValue()).body("meta.version", notNullValue());
        JsonPath after = Scim.as("read").get("/scim/v2/Users/" + id).then().statusCode(200).extract().jsonPath();
        assertNull((Object) after.get("title"));
        assertNull((Object) after.get("displayName"));
        assertNull((Object) after.get("externalId"));
        assertNull((Object) after.get("phoneNumbers"));
        assertNull((Object) after.get("'" + ENTERPRISE + "'.department"));
        assertNull((Object) after.get("'" + ENTERPRISE + "'.employeeNumber"));
        assertEquals(List.of(name), after.getList("groups.display"), "groups is read-only: the membership stays");
        assertNotEquals("2001-01-01T00:00:00Z", after.getString("meta.created"));
        assertEquals(false, after.getBoolean("active"), "active left out: the status stays (decision 0033)");
        // syntax before lookup: a malformed PUT on an id that does not exist is 400, a well-formed one 404
        String nobody = "/scim/v2/Users/" + UUID.randomUUID();
        error(Scim.rw().body(Scim.user(email, "A", "B").replace(USER, GROUP)).put(nobody), 400, "invalidSyntax");
        error(Scim.rw().body("{\"schemas\": [\"" + USER + "\"]}").put(nobody), 400, "invalidValue");
        error(Scim.rw().body("{\"schemas\": [\"" + USER + "\"]}").put("/scim/v2/Users/not-an-id"), 400, "invalidValue");
        error(Scim.rw().body(Scim.user(Scim.unique("ok"), "A", "B")).put(nobody), 404, null);
        // a group PUT: members left out are removed; an unknown member is 400 invalidValue naming it
        String groupId = Scim.as("read").queryParam("filter", "displayName eq \"" + name + "\"").get("/scim/v2/Groups")
                .then().extract().path("Resources[0].id");
        String ghost = UUID.randomUUID().toString();
        Response bad = Scim.rw().body(group(name, id, ghost)).put("/scim/v2/Groups/" + groupId);
        error(bad, 400, "invalidValue");
        bad.then().body("detail", containsString(ghost));
        Scim.rw().body(group(name)).put("/scim/v2/Groups/" + groupId).then().statusCode(200).body("members", equalTo(List.of()));
        error(Scim.rw().body("{\"schemas\": [\"" + USER + "\"], \"displayName\": \"x\"}").put("/scim/v2/Groups/" + UUID.randomUUID()),
                400, "invalidSyntax");
    }

    // ---------------------------------------------------------------- 3.5.2 PATCH

    @Test
    void s3_5_2_patchAddRemoveReplace() {
        String email = Scim.unique("rfc-patch");
        String id = Scim.createId(email);
        // 3.5.2.1 add: a new attribute; a path-less add of several
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"title\", \"value\": \"Added\"}",
                "{\"op\": \"add\", \"value\": {\"displayName\": \"Patchy\", \"" + ENTERPRISE + ":department\": \"Ops\"}}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("title", equalTo("Added"))
                .body("displayName", equalTo("Patchy")).body("'" + ENTERPRISE + "'.department", equalTo("Ops"));
        // 3.5.2.3 replace: a sub-attribute; with attributes on the answer
        Scim.rw().queryParam("attributes", "name.givenName").body(Scim.patch(
                "{\"op\": \"replace\", \"path\": \"name.givenName\", \"value\": \"Patricia\"}")).patch("/scim/v2/Users/" + id)
                .then().statusCode(200).body("name.givenName", equalTo("Patricia")).body("title", nullValue())
                .body("id", equalTo(id));
        // 3.5.2.2 remove: an attribute; a value-filtered element of a multi-valued one
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"title\"}")).patch("/scim/v2/Users/" + id).then()
                .statusCode(200).body("title", nullValue()).body("displayName", equalTo("Patchy"));
        String alice = Scim.createId(Scim.unique("rfc-alice"));
        String name = groupName("RFC patch");
        String groupId = Scim.rw().body(group(name, id, alice)).post("/scim/v2/Groups").then().statusCode(201).extract().path("id");
        Scim.rw().queryParam("excludedAttributes", "members").body(Scim.patch("{\"op\": \"remove\", \"path\": \"members[value eq \\\""
                + alice + "\\\"]\"}")).patch("/scim/v2/Groups/" + groupId).then().statusCode(200).body("members", nullValue())
                .body("displayName", equalTo(name));
        Scim.as("read").get("/scim/v2/Groups/" + groupId).then().body("members.value", equalTo(List.of(id)));
        // removing a member that is no longer there changes nothing (decision 0033: removes are idempotent)
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"members[value eq \\\"" + alice + "\\\"]\"}"))
                .patch("/scim/v2/Groups/" + groupId).then().statusCode(200).body("members.value", equalTo(List.of(id)));
        // members added that are no users: 400 invalidValue naming them, nothing changed
        String ghost = UUID.randomUUID().toString();
        Response bad = Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"members\", \"value\": [{\"value\": \"" + ghost + "\"}]}"))
                .patch("/scim/v2/Groups/" + groupId);
        error(bad, 400, "invalidValue");
        bad.then().body("detail", containsString(ghost));
        // replace with a value filter that matches nothing and no element to make: noTarget
        error(Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"emails[type eq \\\"home\\\"]\", \"value\": \"x@example.org\"}"))
                .patch("/scim/v2/Users/" + id), 400, "noTarget");
    }

    /** §3.5.2 and §3.12: a malformed PATCH is 400 with its scimType whether the id exists, does not, or is no id at all. */
    @Test
    void s3_5_2_malformedPatchesAre400BeforeTheLookup() {
        String existing = "/scim/v2/Users/" + Scim.createId(Scim.unique("rfc-bad-patch"));
        String groupPath = "/scim/v2/Groups/" + Scim.rw().body(group(groupName("RFC bad patch"))).post("/scim/v2/Groups")
                .then().statusCode(201).extract().path("id");
        String patchOp = "[\"" + ScimMedia.PATCH_SCHEMA + "\"]";
        Map<String, String> cases = Map.ofEntries(
                Map.entry("{\"Operations\": [{\"op\": \"remove\", \"path\": \"title\"}]}", "invalidSyntax"),
                Map.entry("{\"schemas\": [\"" + USER + "\"], \"Operations\": [{\"op\": \"remove\", \"path\": \"title\"}]}", "invalidSyntax"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": []}", "invalidSyntax"),
                Map.entry("{\"schemas\": " + patchOp + "}", "invalidSyntax"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"replace\", \"path\": \"title\"}]}", "invalidValue"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"move\", \"path\": \"title\", \"value\": \"x\"}]}",
                        "invalidSyntax"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"path\": \"title\", \"value\": \"x\"}]}", "invalidSyntax"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"remove\"}]}", "noTarget"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"add\", \"value\": \"x\"}]}", "invalidValue"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"add\", \"path\": \"emails[type eq\", \"value\": \"x\"}]}",
                        "invalidPath"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"add\", \"path\": \"name.\", \"value\": \"x\"}]}",
                        "invalidPath"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"replace\", \"path\": \"id\", \"value\": \"x\"}]}",
                        "mutability"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [{\"op\": \"replace\", \"path\": \"meta.version\", \"value\": \"x\"}]}",
                        "mutability"),
                Map.entry("[]", "invalidSyntax"),
                Map.entry("{\"schemas\": " + patchOp + ", \"Operations\": [", "invalidSyntax"));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            for (String path : List.of(existing, "/scim/v2/Users/" + UUID.randomUUID(), "/scim/v2/Users/no-such-id", groupPath,
                    "/scim/v2/Groups/" + UUID.randomUUID())) {
                Response r = Scim.rw().body(c.getKey()).patch(path);
                assertEquals(400, r.statusCode(), c.getKey() + " on " + path + ": " + r.asString());
                assertEquals(c.getValue(), r.jsonPath().getString("scimType"), c.getKey() + " on " + path + ": " + r.asString());
            }
        }
        // well formed on an id that does not exist: 404
        error(Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"title\", \"value\": \"x\"}"))
                .patch("/scim/v2/Users/" + UUID.randomUUID()), 404, null);
        error(Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"title\", \"value\": \"x\"}"))
                .patch("/scim/v2/Users/no-such-id"), 404, null);
    }

    // ---------------------------------------------------------------- 3.6 DELETE

    @Test
    void s3_6_deleteThenDeleteAgainIs404() {
        String id = Scim.createId(Scim.unique("rfc-delete"));
        Scim.rw().delete("/scim/v2/Users/" + id).then().statusCode(204);
        error(Scim.rw().delete("/scim/v2/Users/" + id), 404, null);
        error(Scim.as("read").get("/scim/v2/Users/" + id), 404, null);
        Scim.as("read").queryParam("filter", "id eq \"" + id + "\"").get("/scim/v2/Users").then().body("totalResults", equalTo(0))
                .body("itemsPerPage", equalTo(0));
        String group = Scim.rw().body(group(groupName("RFC delete"))).post("/scim/v2/Groups").then().statusCode(201).extract().path("id");
        Scim.rw().delete("/scim/v2/Groups/" + group).then().statusCode(204);
        error(Scim.rw().delete("/scim/v2/Groups/" + group), 404, null);
        error(Scim.rw().delete("/scim/v2/Users/not-an-id"), 404, null);
    }

    // ---------------------------------------------------------------- 3.7 Bulk

    @Test
    void s3_7_bulkBasics() {
        String email = Scim.unique("rfc-bulk");
        String body = """
                {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
                  {"method": "POST", "path": "/Users", "bulkId": "u1", "data": %s},
                  {"method": "PATCH", "path": "/Users/bulkId:u1", "data": {"schemas": ["%s"],
                   "Operations": [{"op": "replace", "path": "title", "value": "Bulked"}]}},
                  {"method": "PATCH", "path": "/Users/bulkId:u1", "data": {"Operations": [{"op": "replace", "path": "title", "value": "x"}]}},
                  {"method": "DELETE", "path": "/Users/%s"}
                ]}""".formatted(Scim.user(email, "Bulk", "Basic"), ScimMedia.PATCH_SCHEMA, UUID.randomUUID());
        JsonPath answer = Scim.rw().body(body).post("/scim/v2/Bulk").then().statusCode(200)
                .body("schemas", equalTo(List.of(ScimMedia.BULK_RESPONSE_SCHEMA))).extract().jsonPath();
        assertEquals(List.of("201", "200", "400", "404"), answer.getList("Operations.status"));
        assertEquals("u1", answer.getString("Operations[0].bulkId"));
        String location = answer.getString("Operations[0].location");
        assertEquals(location, Scim.as("read").get(location.substring(location.indexOf("/scim/v2/"))).then().statusCode(200)
                .body("title", equalTo("Bulked")).extract().path("meta.location"));
        assertEquals("W/\"2\"", answer.getString("Operations[1].version"));
        assertEquals("invalidSyntax", answer.getString("Operations[2].response.scimType"), "a PATCH in a Bulk is checked as one");
        assertEquals(ScimErrors.ERROR_SCHEMA, answer.getString("Operations[3].response.schemas[0]"));
        // a body that says it is something else than a BulkRequest
        error(Scim.rw().body("{\"schemas\": [\"" + ScimMedia.PATCH_SCHEMA + "\"], \"Operations\": []}").post("/scim/v2/Bulk"),
                400, "invalidSyntax");
    }

    // ---------------------------------------------------------------- 3.9 attributes on every answer

    @Test
    void s3_9_attributesAndExcludedAttributesOnEveryReadAndWrite() {
        String email = Scim.unique("rfc-attrs");
        // POST
        Response created = Scim.rw().queryParam("attributes", "userName").body(Scim.user(email, "Attr", "Ibute")).post("/scim/v2/Users");
        created.then().statusCode(201).body("userName", equalTo(email)).body("name", nullValue()).body("emails", nullValue())
                .body("id", notNullValue()).body("schemas", hasItem(USER)).body("meta.location", notNullValue());
        String id = created.path("id");
        // PUT with excludedAttributes
        Scim.rw().queryParam("excludedAttributes", "emails,name").body(Scim.user(email, "Attr", "Put")).put("/scim/v2/Users/" + id)
                .then().statusCode(200).body("emails", nullValue()).body("name", nullValue()).body("userName", equalTo(email))
                .body("$", hasKey("meta"));
        // PATCH with attributes naming a sub-attribute of a multi-valued one
        Scim.rw().queryParam("attributes", "emails.type").body(Scim.patch("{\"op\": \"add\", \"path\": \"title\", \"value\": \"T\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("emails[0].type", equalTo("work"))
                .body("emails[0].value", nullValue()).body("title", nullValue());
        // lists: the same rules per resource
        Scim.as("read").queryParam("filter", "id eq \"" + id + "\"").queryParam("excludedAttributes", "emails.value,meta")
                .get("/scim/v2/Users").then().statusCode(200).body("Resources[0].emails[0].type", equalTo("work"))
                .body("Resources[0].emails[0]", not(hasKey("value"))).body("Resources[0].meta", notNullValue())
                .body("Resources[0].title", equalTo("T"));
        // groups: members left out of a write's answer on request
        String name = groupName("RFC attrs");
        Scim.rw().queryParam("attributes", "displayName").body(group(name, id)).post("/scim/v2/Groups").then().statusCode(201)
                .body("displayName", equalTo(name)).body("members", nullValue()).body("id", notNullValue());
        // the extension by its URN
        Scim.as("read").queryParam("attributes", ENTERPRISE + ":department,userName").get("/scim/v2/Users/" + id).then()
                .statusCode(200).body("userName", equalTo(email)).body("title", nullValue());
    }

    // ---------------------------------------------------------------- 3.12 errors

    @Test
    void s3_12_errorResponsesCarryTheErrorSchemaStatusAndScimType() {
        error(given().get("/scim/v2/Users"), 401, null);
        error(Scim.as("read").body(Scim.user(Scim.unique("r"), "A", "B")).post("/scim/v2/Users"), 403, null);
        String id = Scim.createId(Scim.unique("rfc-errors"));
        error(Scim.rw().header("If-Match", "W/\"7\"").body(Scim.patch("{\"op\": \"add\", \"path\": \"title\", \"value\": \"x\"}"))
                .patch("/scim/v2/Users/" + id), 412, null);
        error(Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"active\", \"value\": \"perhaps\"}"))
                .patch("/scim/v2/Users/" + id), 400, "invalidValue");
        error(Scim.as("read").queryParam("filter", "title eq \"x\" and").get("/scim/v2/Users"), 400, "invalidFilter");
        error(Scim.as("read").get("/scim/v2/Users/" + UUID.randomUUID()), 404, null);
        assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND version = 1", id), "nothing written");
    }
}
