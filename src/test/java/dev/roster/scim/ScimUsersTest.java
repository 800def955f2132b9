package dev.roster.scim;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.OwnerSql;
import dev.roster.support.ScimLimits;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** /scim/v2/Users against the real service: RFC 7644's examples, client quirks, dry runs, ETags, stale plans. */
@QuarkusTest
class ScimUsersTest {

    @Inject
    Sql sql;
    @Inject
    ScimLimits limits;

    private Map<String, Object> row(String id) {
        return sql.rows("SELECT * FROM directory_user WHERE id = ?::uuid", id).get(0);
    }

    @Test
    void discoveryTellsWhatIsImplemented() {
        Scim.as("read").get("/scim/v2/ServiceProviderConfig").then().statusCode(200)
                .contentType(containsString("application/scim+json"))
                .body("patch.supported", equalTo(true)).body("bulk.maxOperations", equalTo(1000))
                .body("filter.maxResults", equalTo(1000)).body("etag.supported", equalTo(true))
                .body("changePassword.supported", equalTo(false));
        Scim.as("read").get("/scim/v2/Schemas").then().statusCode(200)
                .body("Resources.id", hasItem("urn:ietf:params:scim:schemas:extension:roster:2.0:User"))
                .body("Resources.id", hasItem("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
        Scim.as("read").get("/scim/v2/ResourceTypes").then().statusCode(200).body("Resources.id", hasItem("User"));
        given().get("/scim/v2/Users").then().statusCode(401)
                .body("schemas[0]", equalTo(ScimErrors.ERROR_SCHEMA)).body("status", equalTo("401"));
    }

    @Test
    void createGetListReplaceAndDeleteAsRfc7644Shows() {
        String email = Scim.unique("bjensen");
        Response created = Scim.create(email);
        created.then().statusCode(201).header("Location", containsString("/scim/v2/Users/"))
                .header("ETag", equalTo("W/\"1\"")).body("userName", equalTo(email))
                .body("meta.version", equalTo("W/\"1\"")).body("meta.resourceType", equalTo("User"))
                .body("emails[0].value", equalTo(email)).body("active", equalTo(true));
        String id = created.path("id");
        assertEquals("INVITED", row(id).get("status"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.created' AND target_user_id = ?::uuid "
                + "AND actor_kind = 'token'", id));

        Scim.as("read").get("/scim/v2/Users/" + id).then().statusCode(200).body("name.familyName", equalTo("Jensen"))
                .header("ETag", equalTo("W/\"1\""));
        // userName is case-insensitive; emails[...] value paths; and/or/not; attributes
        for (String filter : List.of("userName eq \"" + email.toUpperCase() + "\"",
                "emails[type eq \"work\" and value eq \"" + email + "\"]", "emails.value eq \"" + email + "\"",
                "userName eq \"" + email + "\" and (title pr or not (active eq false))",
                "externalId eq \"nope\" or userName eq \"" + email + "\"")) {
            Scim.as("read").queryParam("filter", filter).queryParam("attributes", "userName,name.givenName")
                    .get("/scim/v2/Users").then().statusCode(200).body("totalResults", equalTo(1))
                    .body("Resources[0].id", equalTo(id)).body("Resources[0].name.givenName", equalTo("Barbara"))
                    .body("Resources[0].emails", equalTo(null));
        }
        Scim.as("read").queryParam("filter", "userName sw \"" + email.substring(0, 10) + "\"")
                .queryParam("sortBy", "userName").queryParam("sortOrder", "descending").queryParam("count", 1)
                .get("/scim/v2/Users").then().statusCode(200).body("itemsPerPage", equalTo(1));
        // values are bound, never SQL text
        Scim.as("read").queryParam("filter", "userName eq \"x' or '1'='1\" or title co \"%') or true --\"")
                .get("/scim/v2/Users").then().statusCode(200).body("totalResults", equalTo(0));
        Scim.as("read").queryParam("filter", "userName eq").get("/scim/v2/Users").then().statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
        Scim.as("read").queryParam("filter", "ims eq \"x\"").get("/scim/v2/Users").then().statusCode(400)
                .body("scimType", equalTo("invalidFilter"));

        // PUT replaces: title set, displayName absent stays absent; a stale If-Match is 412
        String replacement = Scim.user(email, "Barbara", "Jensen-Smith").replace("\"userName\"",
                "\"title\": \"Tour Guide\", \"userName\"");
        Scim.rw().header("If-Match", "W/\"1\"").body(replacement).put("/scim/v2/Users/" + id).then().statusCode(200)
                .body("title", equalTo("Tour Guide")).body("meta.version", equalTo("W/\"2\""));
        Scim.rw().header("If-Match", "W/\"1\"").body(replacement).put("/scim/v2/Users/" + id).then().statusCode(412);
        assertEquals("Jensen-Smith", row(id).get("family_name"));

        Scim.rw().delete("/scim/v2/Users/" + id).then().statusCode(204);
        Scim.as("read").get("/scim/v2/Users/" + id).then().statusCode(404).body("status", equalTo("404"));
        assertEquals("DELETED", row(id).get("status"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.deleted' AND target_user_id = ?::uuid", id));
    }

    @Test
    void everyPatchFormAndTheClientQuirks() {
        String email = Scim.unique("patch");
        String id = Scim.createId(email);
        String manager = Scim.createId(Scim.unique("boss"));
        Scim.rw().body(Scim.patch(
                "{\"op\": \"add\", \"path\": \"title\", \"value\": \"Engineer\"}",
                "{\"op\": \"replace\", \"path\": \"name.givenName\", \"value\": \"Babs\"}",
                "{\"op\": \"Replace\", \"path\": \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager\", \"value\": \"" + manager + "\"}",
                "{\"op\": \"add\", \"value\": {\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\": \"Legal\", "
                        + "\"urn:ietf:params:scim:schemas:extension:roster:2.0:User:badge\": \"B-7\", \"displayName\": \"Babs J\"}}",
                "{\"op\": \"replace\", \"path\": \"phoneNumbers[type eq \\\"work\\\"].value\", \"value\": \"+49 30 1234567\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("title", equalTo("Engineer")).body("name.givenName", equalTo("Babs"))
                .body("'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.manager.value", equalTo(manager))
                .body("'urn:ietf:params:scim:schemas:extension:roster:2.0:User'.badge", equalTo("B-7"))
                .body("phoneNumbers[0].value", equalTo("+49 30 1234567")); // as written (issue #24)
        Map<String, Object> r = row(id);
        assertEquals("+49301234567", r.get("phone"), "the phone column holds it in E.164");
        assertEquals("Legal", r.get("department"));
        assertEquals(manager, r.get("manager_id").toString());
        assertEquals(2L, r.get("version"), "one write, one version");
        String fields = sql.rows("SELECT details::text AS d FROM audit_event WHERE action = 'user.updated' AND target_user_id = ?::uuid",
                id).get(0).get("d").toString();
        assertTrue(fields.contains("\"manager\"") && fields.contains("attr.badge"), fields);

        // Entra: capitalised op, no path, "False" as a string; Okta: replace of active
        Scim.rw().body(Scim.patch("{\"op\": \"Replace\", \"value\": {\"active\": \"False\"}}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("active", equalTo(false));
        assertEquals("SUSPENDED", row(id).get("status"));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"value\": {\"active\": true}}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("active", equalTo(true));
        // email change through the value path; remove with a path; unknown op and bad values refused
        String other = Scim.unique("patched");
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"emails[type eq \\\"work\\\"].value\", \"value\": \"" + other + "\"}",
                "{\"op\": \"remove\", \"path\": \"title\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("emails[0].value", equalTo(other))
                .body("title", equalTo(null));
        Scim.rw().body(Scim.patch("{\"op\": \"move\", \"path\": \"title\", \"value\": \"x\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(400);
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"locale\", \"value\": \"not a locale!\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(400).body("scimType", equalTo("invalidValue"))
                .body("detail", containsString("locale"));
        Scim.rw().body(Scim.patch("{\"op\": \"remove\"}")).patch("/scim/v2/Users/" + id).then().statusCode(400)
                .body("scimType", equalTo("noTarget"));
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"password\", \"value\": \"a long enough password 1\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(400).body("scimType", equalTo("mutability"));
    }

    @Test
    void validationUniquenessRolesAndPasswords() {
        String email = Scim.unique("dup");
        Scim.createId(email);
        Scim.create(email).then().statusCode(409).body("scimType", equalTo("uniqueness"));
        Scim.rw().body(Scim.user("not-an-address", "A", "B")).post("/scim/v2/Users").then().statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        Scim.rw().body(Scim.user(Scim.unique("x"), "", "B")).post("/scim/v2/Users").then().statusCode(400)
                .body("detail", containsString("given_name is required"));
        Scim.as("read").body(Scim.user(Scim.unique("r"), "A", "B")).post("/scim/v2/Users").then().statusCode(403)
                .body("schemas[0]", equalTo(ScimErrors.ERROR_SCHEMA));
        Scim.rw().body("{not json").post("/scim/v2/Users").then().statusCode(400).body("scimType", equalTo("invalidSyntax"));
        // a password at creation: the policy, then a hash; never in the audit trail
        String withPassword = Scim.unique("pw");
        Scim.rw().body(Scim.user(withPassword, "Pat", "Word").replace("\"userName\"", "\"password\": \"short\", \"userName\""))
                .post("/scim/v2/Users").then().statusCode(400).body("detail", containsString("password"));
        String id = Scim.rw().body(Scim.user(withPassword, "Pat", "Word").replace("\"userName\"",
                "\"password\": \"correct horse battery staple 9\", \"userName\"")).post("/scim/v2/Users")
                .then().statusCode(201).body("password", equalTo(null)).extract().path("id");
        Map<String, Object> r = row(id);
        assertEquals("ACTIVE", r.get("status"));
        assertTrue(r.get("password_hash").toString().startsWith("$argon2id$"));
        assertEquals(0, sql.count("SELECT count(*) FROM audit_event WHERE details::text LIKE '%correct horse battery staple 9%'"));
    }

    @Test
    void aDryRunAnswersTheDiffAndChangesNothing() {
        String email = Scim.unique("dry");
        JsonPath plan = Scim.rw().queryParam("dryRun", "true").body(Scim.user(email, "Dry", "Run")).post("/scim/v2/Users")
                .then().statusCode(200).body("dryRun", equalTo(true)).extract().jsonPath();
        assertEquals("CREATE", plan.getString("changes[0].kind"));
        assertTrue(plan.getList("changes[0].fields.name").contains("given_name"));
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", email));

        String id = Scim.createId(email);
        Scim.rw().header("Roster-Dry-Run", "true").body(Scim.patch("{\"op\": \"replace\", \"path\": \"title\", \"value\": \"CTO\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("changes[0].kind", equalTo("UPDATE")).body("changes[0].fields[0].name", equalTo("title"))
                .body("changes[0].fields[0].after", equalTo("CTO")).body("changes[0].plannedVersion", equalTo(1));
        Scim.rw().queryParam("dryRun", "true").delete("/scim/v2/Users/" + id).then().statusCode(200)
                .body("changes[0].kind", equalTo("DELETE"));
        Map<String, Object> r = row(id);
        assertEquals(1L, r.get("version"));
        assertEquals("INVITED", r.get("status"));
        assertEquals(null, r.get("title"));
    }

    @Test
    void aScimWriteMakesAPlannedBatchStaleAndItsApplyIsRefused() {
        String email = Scim.unique("stale");
        String id = Scim.createId(email);
        String batch = Batches.upload(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD,
                "email,title\n" + email + ",Planned title\n", "update", "stale.csv");
        assertEquals("PLANNED", Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, batch).getString("status"));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"title\", \"value\": \"SCIM title\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200);
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).contentType("application/json")
                .body("{\"confirm\": 1, \"deleteCount\": 0}").post("/api/batches/" + batch + "/apply")
                .then().statusCode(409);
        assertEquals("SCIM title", row(id).get("title"));
    }

    @Test
    void entraAndOktaProvisioningSequences() {
        // Entra ID: look the user up by userName, create, read back by filter, deactivate with a string boolean
        String upn = Scim.unique("entra");
        Scim.rw().queryParam("filter", "userName eq \"" + upn + "\"").get("/scim/v2/Users").then().statusCode(200)
                .body("totalResults", equalTo(0));
        String entra = """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "externalId": "%s", "userName": "%s", "active": true,
                 "emails": [{"primary": true, "type": "work", "value": "%s"}],
                 "name": {"formatted": "Ellen Entra", "familyName": "Entra", "givenName": "Ellen"},
                 "title": "Analyst",
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Finance"}}
                """.formatted("ext-" + upn, upn, upn);
        String id = Scim.rw().body(entra).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        Scim.rw().queryParam("filter", "externalId eq \"ext-" + upn + "\"").get("/scim/v2/Users").then()
                .body("totalResults", equalTo(1)).body("Resources[0].'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.employeeNumber",
                        equalTo("701984"));
        Scim.rw().body(Scim.patch("{\"op\": \"Replace\", \"path\": \"active\", \"value\": \"False\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("active", equalTo(false));
        Scim.rw().body(entra).post("/scim/v2/Users").then().statusCode(409).body("scimType", equalTo("uniqueness"));

        // Okta: create, find by userName, deactivate with PUT carrying active false
        String login = Scim.unique("okta");
        String okta = """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "%s",
                 "name": {"givenName": "Otto", "familyName": "Okta"}, "emails": [{"primary": true, "value": "%s", "type": "work"}],
                 "displayName": "Otto Okta", "locale": "en-US", "externalId": "00u%s", "groups": [], "active": %s}""";
        String oid = Scim.rw().body(okta.formatted(login, login, login.hashCode(), "true")).post("/scim/v2/Users")
                .then().statusCode(201).extract().path("id");
        Scim.rw().queryParam("filter", "userName eq \"" + login + "\"").queryParam("startIndex", 1).queryParam("count", 100)
                .get("/scim/v2/Users").then().body("Resources[0].id", equalTo(oid));
        Scim.rw().body(okta.formatted(login, login, login.hashCode(), "false")).put("/scim/v2/Users/" + oid)
                .then().statusCode(200).body("active", equalTo(false));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"value\": {\"active\": true}}")).patch("/scim/v2/Users/" + oid)
                .then().statusCode(200).body("active", equalTo(true));
        assertEquals("ACTIVE", row(oid).get("status"));
    }

    /** Security review L3: a page past the end reads no rows; an indexed sort pages as before (the guard's threshold is config). */
    @Test
    void aPagePastTheEndIsEmptyAndIndexedSortsPage() {
        Scim.createId(Scim.unique("page"));
        Response past = Scim.as("read").queryParam("startIndex", Integer.MAX_VALUE).queryParam("sortBy", "title")
                .get("/scim/v2/Users");
        assertEquals(200, past.statusCode(), past.asString());
        assertEquals(0, past.jsonPath().getInt("itemsPerPage"));
        assertTrue(past.jsonPath().getLong("totalResults") >= 1);
        Scim.as("read").queryParam("sortBy", "emails").queryParam("count", 1).get("/scim/v2/Users").then().statusCode(200)
                .body("itemsPerPage", equalTo(1));
        Scim.as("read").queryParam("startIndex", Integer.MAX_VALUE).queryParam("sortBy", "meta.created").get("/scim/v2/Groups")
                .then().statusCode(200).body("itemsPerPage", equalTo(0));

        // The large-directory guard, its threshold lowered below the tables' (freshly analysed) sizes.
        Scim.rw().body("{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:Group\"], \"displayName\": \"Guard "
                + Scim.unique("g") + "\"}").post("/scim/v2/Groups").then().statusCode(201);
        OwnerSql.update("ANALYZE directory_user");
        OwnerSql.update("ANALYZE user_group");
        limits.unindexedFilterMaxRows(0L);
        try {
            Scim.as("read").queryParam("sortBy", "title").get("/scim/v2/Users").then().statusCode(400)
                    .body("scimType", equalTo("invalidFilter")).body("detail", containsString("sortBy"));
            Scim.as("read").queryParam("filter", "title co \"x\"").get("/scim/v2/Users").then().statusCode(400)
                    .body("scimType", equalTo("invalidFilter"));
            Scim.as("read").queryParam("sortBy", "userName").queryParam("count", 1).get("/scim/v2/Users").then().statusCode(200);
            Scim.as("read").queryParam("filter", "userName eq \"nobody@example.org\"").queryParam("sortBy", "title")
                    .get("/scim/v2/Users").then().statusCode(200);
            Scim.as("read").queryParam("sortBy", "meta.created").get("/scim/v2/Groups").then().statusCode(400)
                    .body("scimType", equalTo("invalidFilter"));
            Scim.as("read").queryParam("sortBy", "displayName").queryParam("count", 1).get("/scim/v2/Groups").then().statusCode(200);
        } finally {
            limits.unindexedFilterMaxRows(null);
        }
    }
}
