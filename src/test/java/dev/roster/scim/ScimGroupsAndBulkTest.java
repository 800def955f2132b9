package dev.roster.scim;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.DeleteCapBase;
import dev.roster.support.FourEyes;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/** /scim/v2/Groups and /Bulk against the real service: membership patches as Entra and Okta send them, bulkId, asBatch. */
@QuarkusTest
class ScimGroupsAndBulkTest {

    @Inject
    Sql sql;
    @Inject
    FourEyes fourEyes;
    @Inject
    DeleteCapBase deleteCapBase;

    private long members(String group) {
        return sql.count("SELECT count(*) FROM group_membership WHERE group_id = ?::uuid", group);
    }

    private long version(String user) {
        return (Long) sql.rows("SELECT version FROM directory_user WHERE id = ?::uuid", user).get(0).get("version");
    }

    @Test
    void groupsWithEveryMembershipPatchForm() {
        String alice = Scim.createId(Scim.unique("alice"));
        String bob = Scim.createId(Scim.unique("bob"));
        String name = "Sales " + UUID.randomUUID().toString().substring(0, 6);
        String group = Scim.rw().body("{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:Group\"], \"displayName\": \""
                + name + "\", \"members\": [{\"value\": \"" + alice + "\"}]}").post("/scim/v2/Groups").then().statusCode(201)
                .body("members[0].value", equalTo(alice)).body("meta.version", equalTo("W/\"1\"")).extract().path("id");
        assertEquals(2L, version(alice), "a membership bumps the user's version");
        Scim.rw().body("{\"displayName\": \"" + name.toUpperCase() + "\"}").post("/scim/v2/Groups").then().statusCode(409)
                .body("scimType", equalTo("uniqueness"));
        // Entra: find by displayName without members, then add and remove with value lists
        Scim.as("read").queryParam("filter", "displayName eq \"" + name + "\"").queryParam("excludedAttributes", "members")
                .get("/scim/v2/Groups").then().statusCode(200).body("totalResults", equalTo(1))
                .body("Resources[0].members", equalTo(null));
        Scim.rw().body(Scim.patch("{\"op\": \"Add\", \"path\": \"members\", \"value\": [{\"value\": \"" + bob + "\"}]}"))
                .patch("/scim/v2/Groups/" + group).then().statusCode(200);
        assertEquals(2, members(group));
        Scim.rw().body(Scim.patch("{\"op\": \"Remove\", \"path\": \"members\", \"value\": [{\"value\": \"" + alice + "\"}]}"))
                .patch("/scim/v2/Groups/" + group).then().statusCode(200);
        assertEquals(1, members(group));
        // RFC 7644 §3.5.2.2: remove with a value filter; then replace all members
        Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"members[value eq \\\"" + bob + "\\\"]\"}"))
                .patch("/scim/v2/Groups/" + group).then().statusCode(200);
        assertEquals(0, members(group));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"members\", \"value\": [{\"value\": \"" + alice + "\"}, {\"value\": \""
                + bob + "\"}]}", "{\"op\": \"replace\", \"value\": {\"displayName\": \"" + name + " EMEA\"}}"))
                .patch("/scim/v2/Groups/" + group).then().statusCode(200).body("displayName", equalTo(name + " EMEA"));
        assertEquals(2, members(group));
        Scim.as("read").get("/scim/v2/Users/" + bob).then().body("groups.value", hasItem(group));
        assertEquals(4, sql.count("SELECT count(*) FROM audit_event WHERE action = 'membership.added' AND details::jsonb->>'groupId' = ?", group));
        assertEquals(2, sql.count("SELECT count(*) FROM audit_event WHERE action = 'membership.removed' AND target_user_id IN (?::uuid, ?::uuid)",
                alice, bob));
        Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"members\", \"value\": [{\"value\": \"" + UUID.randomUUID() + "\"}]}"))
                .patch("/scim/v2/Groups/" + group).then().statusCode(400).body("scimType", equalTo("invalidValue"));
        Scim.rw().header("If-Match", "W/\"1\"").delete("/scim/v2/Groups/" + group).then().statusCode(412);
        Scim.rw().delete("/scim/v2/Groups/" + group).then().statusCode(204);
        Scim.as("read").get("/scim/v2/Groups/" + group).then().statusCode(404);
        Scim.as("read").get("/scim/v2/Users/" + bob).then().body("groups", equalTo(null));
        assertEquals(2, members(group), "soft delete keeps the memberships");
    }

    @Test
    void bulkResolvesBulkIdsInAnyOrderAndStopsAtFailOnErrors() {
        String email = Scim.unique("bulk");
        String group = "Bulk " + UUID.randomUUID().toString().substring(0, 6);
        String body = """
                {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "failOnErrors": 2,
                 "Operations": [
                  {"method": "POST", "path": "/Groups", "bulkId": "ytrewq",
                   "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "%s",
                            "members": [{"type": "User", "value": "bulkId:qwerty"}]}},
                  {"method": "POST", "path": "/Users", "bulkId": "qwerty", "data": %s},
                  {"method": "POST", "path": "/Users", "bulkId": "bad", "data": %s},
                  {"method": "PATCH", "path": "/Users/bulkId:qwerty",
                   "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [{"op": "replace", "path": "title", "value": "Bulk title"}]}}
                 ]}""".formatted(group, Scim.user(email, "Bulk", "User"), Scim.user("not-an-email", "No", "Mail"));
        JsonPath answer = Scim.rw().body(body).post("/scim/v2/Bulk").then().statusCode(200)
                .body("schemas[0]", equalTo(ScimMedia.BULK_RESPONSE_SCHEMA)).extract().jsonPath();
        List<String> statuses = answer.getList("Operations.status");
        assertTrue(statuses.contains("201") && statuses.contains("400") && statuses.contains("200"), statuses.toString());
        String user = sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", email).get(0).get("id").toString();
        String groupId = sql.rows("SELECT id::text AS id FROM user_group WHERE name = ?", group).get(0).get("id").toString();
        assertEquals(1, members(groupId), "the group refers to the user created after it in the request");
        assertEquals("Bulk title", sql.rows("SELECT title FROM directory_user WHERE id = ?::uuid", user).get(0).get("title"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.created' AND target_user_id = ?::uuid", user));

        // failOnErrors 1: the second bad operation is not even tried
        String stop = """
                {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "failOnErrors": 1, "Operations": [
                  {"method": "POST", "path": "/Users", "bulkId": "a", "data": %s},
                  {"method": "POST", "path": "/Users", "bulkId": "b", "data": %s}]}"""
                .formatted(Scim.user("broken", "A", "B"), Scim.user(Scim.unique("never"), "C", "D"));
        Scim.rw().body(stop).post("/scim/v2/Bulk").then().statusCode(200).body("Operations.size()", equalTo(1))
                .body("Operations[0].response.scimType", equalTo("invalidValue"));
    }

    @Test
    void bulkLimitsAndDryRun() {
        StringBuilder many = new StringBuilder("{\"Operations\": [");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"method\": \"DELETE\", \"path\": \"/Users/").append(UUID.randomUUID()).append("\"}");
        }
        Scim.rw().body(many.append("]}").toString()).post("/scim/v2/Bulk").then().statusCode(413).body("scimType", equalTo("tooMany"));
        String huge = "{\"Operations\": [], \"pad\": \"" + "x".repeat(4_200_000) + "\"}";
        Scim.rw().body(huge).post("/scim/v2/Bulk").then().statusCode(413).body("detail", containsString("maxPayloadSize"));

        String email = Scim.unique("bulkdry");
        Scim.rw().queryParam("dryRun", "true").body("{\"Operations\": [{\"method\": \"POST\", \"path\": \"/Users\", \"bulkId\": \"x\", \"data\": "
                + Scim.user(email, "Dry", "Bulk") + "}]}").post("/scim/v2/Bulk").then().statusCode(200)
                .body("dryRun", equalTo(true)).body("Operations[0].response.changes[0].kind", equalTo("CREATE"));
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", email));
    }

    @Test
    void anAsBatchBulkWaitsForConfirmationAndAppliesLikeAFile() {
        String existing = Scim.unique("asbatch-old");
        String id = Scim.createId(existing);
        String fresh = Scim.unique("asbatch-new");
        String body = """
                {"Operations": [
                  {"method": "POST", "path": "/Users", "bulkId": "n", "data": %s},
                  {"method": "PATCH", "path": "/Users/%s", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "From bulk"}]}}
                ]}""".formatted(Scim.user(fresh, "New", "Person"), id);
        String batch = Scim.rw().queryParam("asBatch", "true").body(body).post("/scim/v2/Bulk").then().statusCode(202)
                .body("status", equalTo("PLANNING")).extract().path("batchId");
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", fresh), "nothing before confirmation");
        JsonPath planned = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, batch);
        assertEquals("PLANNED", planned.getString("status"), planned.prettify());
        assertEquals(1, planned.getLong("summary.create"));
        assertEquals(1, planned.getLong("summary.update"));
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).contentType("application/json")
                .body("{\"confirm\": 2, \"deleteCount\": 0}").post("/api/batches/" + batch + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, batch).getString("status"));
        assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", fresh));
        assertEquals("From bulk", sql.rows("SELECT title FROM directory_user WHERE id = ?::uuid", id).get(0).get("title"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'batch.uploaded' AND batch_id = ?::uuid "
                + "AND actor_kind = 'token'", batch));
        Scim.rw().queryParam("asBatch", "true").body("{\"Operations\": [{\"method\": \"POST\", \"path\": \"/Groups\", \"data\": {}}]}")
                .post("/scim/v2/Bulk").then().statusCode(400).body("detail", not(containsString("Exception")));
    }

    /** Security review M3/L5: in four-eyes mode SCIM deletes nothing on its own; /Bulk deletions respect the delete cap. */
    @Test
    void fourEyesRefusesScimDeletesAndBulkRespectsTheDeleteCap() {
        String user = Scim.createId(Scim.unique("foureyes"));
        String group = Scim.rw().body("{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:Group\"], \"displayName\": \"Four "
                + UUID.randomUUID().toString().substring(0, 6) + "\"}").post("/scim/v2/Groups").then().statusCode(201)
                .extract().path("id");
        fourEyes.enabled(true);
        try {
            Scim.rw().delete("/scim/v2/Users/" + user).then().statusCode(403).body("scimType", equalTo("mutability"))
                    .body("detail", containsString("/Bulk?asBatch=true"));
            Scim.rw().delete("/scim/v2/Groups/" + group).then().statusCode(403).body("scimType", equalTo("mutability"));
            Scim.rw().body("{\"Operations\": [{\"method\": \"DELETE\", \"path\": \"/Users/" + user + "\"}]}")
                    .post("/scim/v2/Bulk").then().statusCode(200).body("Operations[0].status", equalTo("403"))
                    .body("Operations[0].response.scimType", equalTo("mutability"));
        } finally {
            fourEyes.enabled(false);
        }
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND status = 'DELETED'", user));
        assertEquals(0, sql.count("SELECT count(*) FROM user_group WHERE id = ?::uuid AND deleted_at IS NOT NULL", group));

        // Within the cap (and four-eyes off) a bulk delete goes through, soft: the user is restorable.
        Scim.rw().body("{\"Operations\": [{\"method\": \"DELETE\", \"path\": \"/Users/" + user + "\"}]}")
                .post("/scim/v2/Bulk").then().statusCode(200).body("Operations[0].status", equalTo("204"));
        assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND status = 'DELETED'", user));

        // More deletions of established users than the cap allows (20% of the established users not deleted): the
        // whole request is refused, nothing written. The base age is the production one, so users created first are
        // no cover; the victims are backdated to make them established.
        deleteCapBase.baseAge(Duration.ofHours(24));
        try {
            List<String> victims = victims("capped", (int) Math.floor(0.25 * established()) + 2, true);
            Scim.rw().body(bulkDelete(victims)).post("/scim/v2/Bulk").then().statusCode(400)
                    .body("scimType", equalTo("invalidValue")).body("detail", containsString("max-delete-fraction"))
                    .body("detail", containsString("established users"));
            for (String victim : victims) {
                assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND status = 'DELETED'", victim));
            }
        } finally {
            deleteCapBase.baseAge(Duration.ZERO);
        }
    }

    /**
     * Security review (bounds-fix) M3: deleting users created within the cap's base age does not count against the
     * cap, so a client can undo today's onboarding in one /Bulk request (before, any such request was refused whenever
     * the established base was small, as on a new deployment).
     */
    @Test
    void bulkDeletingUsersCreatedTodayIsNotHeldByTheDeleteCap() {
        deleteCapBase.baseAge(Duration.ofHours(24));
        try {
            List<String> today = victims("today", (int) Math.floor(0.2 * established()) + 2, false);
            Scim.rw().body(bulkDelete(today)).post("/scim/v2/Bulk").then().statusCode(200)
                    .body("Operations.status", everyItem(equalTo("204")));
            for (String user : today) {
                assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE id = ?::uuid AND status = 'DELETED'", user));
            }
        } finally {
            deleteCapBase.baseAge(Duration.ZERO);
        }
    }

    /** Users not deleted and created more than a day ago: the cap's base under the production base age. */
    private long established() {
        return sql.count("SELECT count(*) FROM directory_user WHERE status <> 'DELETED' AND created_at <= now() - interval '1 day'");
    }

    private List<String> victims(String prefix, int n, boolean backdate) {
        Assumptions.assumeTrue(n < 900, "a directory this large needs more operations than /Bulk takes");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = Scim.createId(Scim.unique(prefix + i));
            if (backdate) {
                sql.update("UPDATE directory_user SET created_at = now() - interval '2 days' WHERE id = ?::uuid", id);
            }
            ids.add(id);
        }
        return ids;
    }

    private static String bulkDelete(List<String> ids) {
        StringBuilder body = new StringBuilder("{\"Operations\": [");
        for (int i = 0; i < ids.size(); i++) {
            body.append(i > 0 ? "," : "").append("{\"method\": \"DELETE\", \"path\": \"/Users/").append(ids.get(i)).append("\"}");
        }
        return body.append("]}").toString();
    }
}
