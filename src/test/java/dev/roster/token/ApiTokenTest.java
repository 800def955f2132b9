package dev.roster.token;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.credentials.SecureTokens;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

@QuarkusTest
class ApiTokenTest {

    @Inject
    Sql sql;
    @Inject
    TestAdmins admins;

    /** Creates a token through the API as the bootstrap admin; answers the creation's JSON (with the secret). */
    static JsonPath create(String name, String scope) {
        return given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .contentType("application/json")
                .body(Map.of("name", name, "scope", scope, "expiresAt", Instant.now().plus(30, ChronoUnit.DAYS).toString()))
                .post("/api/tokens").then().statusCode(201).extract().jsonPath();
    }

    @Test
    void aTokenIsShownOnceStoredHashedAndListedWithoutItsSecret() {
        JsonPath created = create("list test", "read");
        String secret = created.getString("token");
        assertTrue(secret.startsWith("rst_") && secret.length() == 47, secret);
        assertEquals("read", created.getString("scope"));
        List<Map<String, Object>> rows = sql.rows("SELECT secret_sha256 FROM api_token WHERE id = ?::uuid", created.getString("id"));
        assertEquals(SecureTokens.sha256Hex(secret), rows.get(0).get("secret_sha256"));
        String list = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .get("/api/tokens").then().statusCode(200).extract().asString();
        assertTrue(list.contains(created.getString("id")));
        assertFalse(list.contains(secret), "no secret in the list");
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'token.created' AND actor_kind = 'admin' "
                + "AND details::text LIKE ?", "%" + created.getString("id") + "%"));
        assertEquals(0, sql.count("SELECT count(*) FROM audit_event WHERE details::text LIKE ?", "%" + secret + "%"));
    }

    @Test
    void aReadTokenReadsAndAReadWriteTokenActsAsAnOperatorNeverAsAnAdmin() {
        String read = create("reader", "read").getString("token");
        String write = create("writer", "read-write").getString("token");
        given().auth().oauth2(read).get("/api/users").then().statusCode(200);
        given().auth().oauth2(read).get("/api/me").then().statusCode(200);
        // an upload needs an operator
        given().auth().oauth2(read).multiPart("file", "t.csv", "email,given_name,family_name\ntok-r@example.org,A,B\n"
                .getBytes(StandardCharsets.UTF_8), "text/csv").multiPart("operation", "onboard")
                .post("/api/batches").then().statusCode(403);
        // no token may make tokens or see them
        given().auth().oauth2(write).contentType("application/json").body(Map.of("name", "x", "scope", "read"))
                .post("/api/tokens").then().statusCode(403);
        given().auth().oauth2(write).get("/api/tokens").then().statusCode(403);
        // a bearer request carries no ambient credential: no CSRF token needed for a multipart upload
        Response upload = given().auth().oauth2(write).multiPart("file", "t.csv",
                "email,given_name,family_name\ntok-w@example.org,A,B\n".getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "onboard").post("/api/batches");
        assertEquals(202, upload.statusCode(), upload.asString());
        String tokenId = sql.rows("SELECT id::text AS id FROM api_token WHERE name = 'writer' ORDER BY created_at DESC LIMIT 1")
                .get(0).get("id").toString();
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'batch.uploaded' AND actor_kind = 'token' "
                + "AND actor_id = ?::uuid AND actor_name = 'token writer'", tokenId));
        assertFalse(sql.rows("SELECT last_used_at FROM api_token WHERE id = ?::uuid", tokenId).get(0).get("last_used_at") == null);
    }

    /** Security review M1: a token is a program, not a second pair of eyes; nor does it approve its holder's batch. */
    @Test
    void aTokenCannotApproveABatch() {
        String write = create("approver", "read-write").getString("token");
        String id = Batches.upload(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD,
                "email,given_name,family_name\ntok-approve@example.org,A,B\n", "onboard", "a.csv");
        assertEquals("PLANNED", Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id).getString("status"));
        Response refused = given().auth().oauth2(write).post("/api/batches/" + id + "/approve");
        assertEquals(403, refused.statusCode(), refused.asString());
        assertTrue(refused.asString().contains("approval needs a signed-in person"), refused.asString());
        assertTrue(sql.rows("SELECT approved_by FROM batch WHERE id = ?::uuid", id).get(0).get("approved_by") == null);
    }

    @Test
    void revokedExpiredAndUnknownTokensGet401() {
        JsonPath created = create("short-lived", "read");
        String secret = created.getString("token");
        given().auth().oauth2(secret).get("/api/users").then().statusCode(200);
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .header("X-Roster-Client", "test").delete("/api/tokens/" + created.getString("id")).then().statusCode(200);
        given().auth().oauth2(secret).get("/api/users").then().statusCode(401);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'token.revoked' AND details::text LIKE ?",
                "%" + created.getString("id") + "%"));
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .header("X-Roster-Client", "test").delete("/api/tokens/" + created.getString("id")).then().statusCode(409);

        JsonPath expiring = create("expired", "read");
        sql.update("UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = ?::uuid", expiring.getString("id"));
        given().auth().oauth2(expiring.getString("token")).get("/api/users").then().statusCode(401);
        given().auth().oauth2("rst_" + "x".repeat(43)).get("/api/users").then().statusCode(401);
        // not a Roster token and no OIDC here: anonymous
        given().auth().oauth2("eyJhbGciOiJSUzI1NiJ9.e30.sig").get("/api/users").then().statusCode(401);
    }

    @Test
    void badRequestsAreRefusedWithAReason() {
        Response noName = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .contentType("application/json").body(Map.of("name", " ", "scope", "read")).post("/api/tokens");
        assertEquals(400, noName.statusCode());
        Response past = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .contentType("application/json").body(Map.of("name", "p", "scope", "admin")).post("/api/tokens");
        assertEquals(400, past.statusCode());
        String operator = admins.create(AdminRole.OPERATOR);
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/tokens").then().statusCode(403);
    }

    @Test
    void theTokensPageCreatesShowsTheSecretOnceAndRevokes() {
        Browser admin = Browser.admin();
        assertEquals(200, admin.get("/tokens").statusCode());
        Response made = admin.postForm("/tokens", Map.of("name", "page token <b>", "scope", "read-write", "expiresAt", ""));
        assertEquals(200, made.statusCode());
        String page = made.asString();
        assertTrue(page.contains("page token &lt;b&gt;"), "escaped name");
        String secret = page.replaceAll("(?s).*value=\"(rst_[A-Za-z0-9_-]{43})\".*", "$1");
        assertTrue(secret.startsWith("rst_"), "the secret is on the page once");
        assertFalse(admin.get("/tokens").asString().contains(secret), "and never again");
        String id = sql.rows("SELECT id::text AS id FROM api_token WHERE name = 'page token <b>'").get(0).get("id").toString();
        assertEquals(303, admin.postForm("/tokens/" + id + "/revoke", Map.of()).statusCode());
        assertTrue(sql.rows("SELECT revoked_at FROM api_token WHERE id = ?::uuid", id).get(0).get("revoked_at") != null);
    }
}
