package dev.roster.token;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.FourEyes;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import dev.roster.sync.SyncRun;
import dev.roster.sync.SyncRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Issue #23: people approve, tokens don't. Each test performs an attack of the review through the real endpoints:
 * four-eyes by one person through a token (High), approval by whoever chose the mapping (Medium 1), a token as a
 * full operator leaving a standing source behind (Medium 4), tokens outliving their creator's role (Low).
 */
@QuarkusTest
class TokenTrustTest {

    @Inject
    Sql sql;
    @Inject
    TestAdmins admins;
    @Inject
    FourEyes fourEyes;
    @Inject
    SyncRunner runner;

    @AfterEach
    void fourEyesOff() {
        fourEyes.enabled(false);
    }

    /** A token minted by this admin through the API with their own credentials; answers id and secret. */
    private static JsonPath mint(String admin, String name, String scope) {
        return given().auth().preemptive().basic(admin, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("name", name, "scope", scope, "expiresAt", Instant.now().plus(30, ChronoUnit.DAYS).toString()))
                .post("/api/tokens").then().statusCode(201).extract().jsonPath();
    }

    /** Users the test may delete, among bystanders so the delete cap never decides. */
    private static void seed(String m, int victims) {
        StringBuilder csv = new StringBuilder("email,given_name,family_name\n");
        for (int i = 0; i < victims; i++) {
            csv.append(m).append("-victim-").append(i).append("@example.com,Vic,Tim\n");
        }
        for (int i = 0; i < 20; i++) {
            csv.append(m).append("-bystander-").append(i).append("@example.com,By,Stander\n");
        }
        Batches.uploadAndApply(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, csv.toString(), "onboard");
    }

    private static Response approveInBrowser(String email, String batchId) {
        return Browser.signedIn(email, TestAdmins.PASSWORD).postForm("/batches/" + batchId + "/approve", Map.of());
    }

    private String approvedBy(String batchId) {
        Object by = sql.rows("SELECT approved_by FROM batch WHERE id = ?::uuid", batchId).get(0).get("approved_by");
        return by == null ? null : by.toString();
    }

    /**
     * High: an admin mints a read-write token, sends a deleting batch with it (POST /api/batches, and SCIM /Bulk as a
     * batch), then approves it in the browser as themselves. The token's creator counts among the uploaders.
     */
    @Test
    void theAdminWhoMintedATokenCannotApproveWhatItSent() {
        fourEyes.enabled(true);
        String admin = admins.create(AdminRole.ADMIN);
        String secret = mint(admin, "one person " + System.nanoTime(), "read-write").getString("token");
        String m = "tkn" + System.nanoTime();
        seed(m, 2);

        String viaApi = given().auth().oauth2(secret)
                .multiPart("file", "d.csv", ("email\n" + m + "-victim-0@example.com\n").getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "delete").post("/api/batches").then().statusCode(202).extract().path("id");
        String victim = (String) sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", m + "-victim-1@example.com")
                .get(0).get("id");
        String viaScim = given().auth().oauth2(secret).contentType("application/scim+json").queryParam("asBatch", "true")
                .body("{\"Operations\": [{\"method\": \"DELETE\", \"path\": \"/Users/" + victim + "\"}]}")
                .post("/scim/v2/Bulk").then().statusCode(202).extract().path("batchId");
        for (String batch : List.of(viaApi, viaScim)) {
            JsonPath planned = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, batch);
            assertEquals(1, planned.getLong("summary.delete"), planned.prettify());
            // The attack: the token's creator approves in the browser, as a person who "did not upload" it.
            Browser self = Browser.signedIn(admin, TestAdmins.PASSWORD);
            self.get("/batches/" + batch).then().statusCode(200).body(org.hamcrest.Matchers.not(containsString("Approve (four-eyes)")));
            Response refused = self.postForm("/batches/" + batch + "/approve", Map.of());
            assertEquals(422, refused.statusCode(), refused.asString());
            assertTrue(refused.asString().contains("minted the API token"), refused.asString());
            assertNull(approvedBy(batch));
            // Another admin, who had nothing to do with the token, may.
            assertEquals(303, approveInBrowser(admins.create(AdminRole.ADMIN), batch).statusCode());
            assertNotNull(approvedBy(batch));
        }
    }

    /**
     * High: approval only from an interactive sign-in. HTTP Basic (a person's password in a script) and bearer tokens
     * are machine credentials: 403 with the reason, even for someone who could approve in the browser.
     */
    @Test
    void basicCredentialsAndTokensNeverApprove() {
        String uploader = admins.create(AdminRole.OPERATOR);
        String m = "bas" + System.nanoTime();
        String id = Batches.upload(uploader, TestAdmins.PASSWORD, "email,given_name,family_name\n" + m + "@example.com,A,B\n",
                "onboard", m + ".csv");
        Batches.awaitPlanned(uploader, TestAdmins.PASSWORD, id);
        String other = admins.create(AdminRole.OPERATOR);
        Response basic = given().auth().preemptive().basic(other, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + id + "/approve");
        assertEquals(403, basic.statusCode(), basic.asString());
        assertTrue(basic.jsonPath().getString("error").contains("HTTP Basic credentials"), basic.asString());
        String token = mint(admins.create(AdminRole.ADMIN), "approver " + m, "read-write").getString("token");
        given().auth().oauth2(token).post("/api/batches/" + id + "/approve").then().statusCode(403)
                .body("error", containsString("approval needs a signed-in person"));
        assertNull(approvedBy(id));
        // The same person, signed in: the session's API call and the page both approve.
        Browser browser = Browser.signedIn(other, TestAdmins.PASSWORD);
        browser.request().header("X-CSRF-TOKEN", browser.csrfToken()).post("/api/batches/" + id + "/approve")
                .then().statusCode(200);
        assertNotNull(approvedBy(id));
    }

    /**
     * High and Medium 4 through a sync source: a read-write token may no longer create a source (403), and a source
     * a token configured before (its creator and last editor the token) bars the token's creator from approving.
     */
    @Test
    void aSourceATokenConfiguredIsNoApprovalPathForItsCreator() throws Exception {
        String admin = admins.create(AdminRole.ADMIN);
        JsonPath minted = mint(admin, "source maker " + System.nanoTime(), "read-write");
        String secret = minted.getString("token");
        String m = "tsr" + System.nanoTime();
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-token-");
        Map<String, Object> body = Map.of("name", "Token source " + m, "kind", "directory", "location",
                dir.toAbsolutePath().toString(), "scope", "created", "absent", "leave", "autoApply", false);
        Response made = given().auth().oauth2(secret).contentType("application/json").body(body).post("/api/sources");
        assertEquals(403, made.statusCode(), made.asString());
        assertTrue(made.jsonPath().getString("error").contains("only by a person signed in"), made.asString());
        given().auth().oauth2(secret).contentType("application/json")
                .body(Map.of("name", "Token profile " + m, "columns", List.of(Map.of("column", "Mail", "target", "email"))))
                .post("/api/mapping-profiles").then().statusCode(403);
        // Review 2: nor with a person's password in a script (HTTP Basic), through the API or the Sources form.
        Response basic = given().auth().preemptive().basic(admin, TestAdmins.PASSWORD).contentType("application/json")
                .body(body).post("/api/sources");
        assertEquals(403, basic.statusCode(), basic.asString());
        assertTrue(basic.jsonPath().getString("error").contains("never with an API token, HTTP Basic credentials"), basic.asString());
        given().auth().preemptive().basic(admin, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("name", "Basic profile " + m, "columns", List.of(Map.of("column", "Mail", "target", "email"))))
                .post("/api/mapping-profiles").then().statusCode(403);
        given().auth().preemptive().basic(admin, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .formParam("name", "Basic form " + m).formParam("kind", "directory").formParam("location", dir.toAbsolutePath().toString())
                .redirects().follow(false).post("/sources").then().statusCode(403).body(containsString("signed in to Roster in the browser"));
        assertEquals(0, sql.count("SELECT count(*) FROM sync_source WHERE name LIKE ?", "%" + m));
        assertEquals(0, sql.count("SELECT count(*) FROM mapping_profile WHERE name LIKE ?", "%" + m));

        // A source a token configured before this release: made by a person here, then handed to the token in SQL.
        String runner = admins.create(AdminRole.OPERATOR);
        Browser person = Browser.signedIn(runner, TestAdmins.PASSWORD);
        String source = person.api().contentType("application/json")
                .body(body).post("/api/sources").then().statusCode(201).extract().path("id");
        sql.update("UPDATE sync_source SET created_by = ?::uuid, updated_by = ?::uuid WHERE id = ?::uuid",
                minted.getString("id"), minted.getString("id"), source);
        Files.writeString(dir.resolve("hr.csv"), "email,given_name,family_name\n" + m + "@example.com,A,B\n");
        JsonPath run = person.api().post("/api/sources/" + source + "/run?wait=true").then().statusCode(200).extract().jsonPath();
        String batch = run.getString("batchId");
        assertNotNull(batch, run.prettify());
        Response refused = approveInBrowser(admin, batch);
        assertEquals(422, refused.statusCode(), refused.asString());
        assertNull(approvedBy(batch));

        // Revoking the token pauses the source it configured, audited; nothing runs on its schedule any more.
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).header("X-Roster-Client", "test")
                .delete("/api/tokens/" + minted.getString("id")).then().statusCode(200);
        assertEquals(Boolean.TRUE, sql.rows("SELECT paused FROM sync_source WHERE id = ?::uuid", source).get(0).get("paused"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'sync.source-changed' AND details LIKE ? "
                + "AND details LIKE '%token that configured it was revoked%'", "%" + source + "%"));
    }

    /**
     * Review 2, Medium: operator B reads the provisioning secret (a {@code scim} token) from the identity provider,
     * sends deletes through SCIM /Bulk as a batch, and would approve it in the browser. asBatch needs {@code batches}:
     * 403 in SCIM's error format, and no batch is stored. The same request without asBatch still provisions.
     */
    @Test
    void aProvisioningTokenCannotSendABatchThroughScimBulk() {
        String admin = admins.create(AdminRole.ADMIN);
        String m = "sab" + System.nanoTime();
        seed(m, 1);
        String scim = mint(admin, "entra " + m, "scim").getString("token");
        String victim = (String) sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", m + "-victim-0@example.com")
                .get(0).get("id");
        long batchesBefore = sql.count("SELECT count(*) FROM batch");
        given().auth().oauth2(scim).contentType("application/scim+json").queryParam("asBatch", "true")
                .body("{\"Operations\": [{\"method\": \"DELETE\", \"path\": \"/Users/" + victim + "\"}]}")
                .post("/scim/v2/Bulk").then().statusCode(403)
                .body("schemas[0]", org.hamcrest.Matchers.equalTo("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("detail", containsString("as a batch (?asBatch=true): it needs the scope batches"));
        assertEquals(batchesBefore, sql.count("SELECT count(*) FROM batch"));
        given().auth().oauth2(scim).contentType("application/scim+json")
                .body("{\"Operations\": [{\"method\": \"POST\", \"path\": \"/Users\", \"bulkId\": \"a\", \"data\": "
                        + "{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"" + m
                        + "-new@example.com\", \"name\": {\"givenName\": \"N\", \"familyName\": \"W\"}}}]}")
                .post("/scim/v2/Bulk").then().statusCode(200).body("Operations[0].status", org.hamcrest.Matchers.equalTo("201"));
    }

    /**
     * Review 2, Medium: revoking a token must stop a run of the source it configured that is already fetching. The
     * file server holds its answer until the token is revoked (which pauses the source); the scheduled run then
     * records a skip with the reason and plans nothing.
     */
    @Test
    void revokingTheTokenStopsARunWhoseFileIsOnItsWay() throws Exception {
        String admin = admins.create(AdminRole.ADMIN);
        JsonPath minted = mint(admin, "feed " + System.nanoTime(), "read-write");
        String m = "tsf" + System.nanoTime();
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            asked.countDown();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("email,given_name,family_name\n" + m + "@example.com,A,B\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Browser person = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
            String source = person.api().contentType("application/json")
                    .body(Map.of("name", "Feed " + m, "kind", "url", "location", "http://localhost:"
                            + server.getAddress().getPort() + "/hr.csv", "scope", "created", "absent", "leave"))
                    .post("/api/sources").then().statusCode(201).extract().path("id");
            sql.update("UPDATE sync_source SET created_by = ?::uuid, updated_by = ?::uuid WHERE id = ?::uuid",
                    minted.getString("id"), minted.getString("id"), source);

            CompletableFuture<Optional<UUID>> run = CompletableFuture.supplyAsync(
                    () -> runner.run(UUID.fromString(source), SyncRun.SCHEDULE));
            assertTrue(asked.await(20, TimeUnit.SECONDS), "the scheduled run asked for the file");
            given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                    .header("X-Roster-Client", "test").delete("/api/tokens/" + minted.getString("id")).then().statusCode(200);
            answer.countDown();
            Optional<UUID> runId = run.get(30, TimeUnit.SECONDS);

            assertTrue(runId.isPresent(), "the run is recorded, not lost");
            Map<String, Object> row = sql.rows("SELECT status, reason, batch_id FROM sync_run WHERE id = ?::uuid",
                    runId.get().toString()).get(0);
            assertEquals("SKIPPED", row.get("status"), row.toString());
            assertTrue(String.valueOf(row.get("reason")).contains("paused while its file was fetched"), row.toString());
            assertNull(row.get("batch_id"), row.toString());
            assertEquals(0, sql.count("SELECT count(*) FROM batch WHERE sync_source_id = ?::uuid", source));
            assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", m + "@example.com"));
        } finally {
            answer.countDown();
            server.stop(0);
        }
    }

    /** Medium 4: scopes narrower than read-write, each confined to its part of the API; read-write works as before. */
    @Test
    void scopesConfineATokenToItsPartOfTheApi() {
        String admin = admins.create(AdminRole.ADMIN);
        String n = "scp" + System.nanoTime();
        JsonPath scimToken = mint(admin, "scim " + n, "scim");
        assertEquals("scim", scimToken.getString("scope"));
        assertEquals(List.of("scim"), scimToken.getList("scopes"));
        String scim = scimToken.getString("token");
        String batches = mint(admin, "batches " + n, "batches").getString("token");
        String read = mint(admin, "read " + n, "read").getString("token");
        JsonPath legacy = mint(admin, "rw " + n, "read-write");
        assertEquals("read-write", legacy.getString("scope"));
        assertEquals(List.of("read", "scim", "batches", "directory"), legacy.getList("scopes"));
        String readWrite = legacy.getString("token");
        byte[] csv = ("email,given_name,family_name\n" + n + "@example.com,A,B\n").getBytes(StandardCharsets.UTF_8);

        // scim: provisioning only
        given().auth().oauth2(scim).contentType("application/scim+json")
                .body("{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"" + n
                        + "-s@example.com\", \"name\": {\"givenName\": \"S\", \"familyName\": \"C\"}}")
                .post("/scim/v2/Users").then().statusCode(201);
        given().auth().oauth2(scim).get("/api/users").then().statusCode(403).body("error", containsString("scope read"));
        given().auth().oauth2(scim).multiPart("file", "t.csv", csv, "text/csv").multiPart("operation", "onboard")
                .post("/api/batches").then().statusCode(403).body("error", containsString("scope batches"));
        // batches: the batch API only
        given().auth().oauth2(batches).multiPart("file", "t.csv", csv, "text/csv").multiPart("operation", "onboard")
                .post("/api/batches").then().statusCode(202);
        given().auth().oauth2(batches).get("/api/batches").then().statusCode(200);
        given().auth().oauth2(batches).get("/scim/v2/Users").then().statusCode(403)
                .body("schemas[0]", org.hamcrest.Matchers.equalTo("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("detail", containsString("scope scim or read"));
        given().auth().oauth2(batches).get("/api/users").then().statusCode(403);
        // read: reads everywhere, writes nowhere
        given().auth().oauth2(read).get("/api/users").then().statusCode(200);
        given().auth().oauth2(read).get("/scim/v2/Users?count=1").then().statusCode(200);
        given().auth().oauth2(read).multiPart("file", "t.csv", csv, "text/csv").multiPart("operation", "onboard")
                .post("/api/batches").then().statusCode(403);
        // read-write (every token made before the split): what it did before, but no sources and no profiles
        given().auth().oauth2(readWrite).get("/api/users").then().statusCode(200);
        given().auth().oauth2(readWrite).get("/scim/v2/Users?count=1").then().statusCode(200);
        given().auth().oauth2(readWrite).contentType("application/json").body(Map.of("name", "T " + n))
                .post("/api/groups").then().statusCode(201);
        given().auth().oauth2(readWrite).contentType("application/json").body(Map.of("name", "S " + n))
                .post("/api/sources").then().statusCode(403).body("error", containsString("only by a person signed in"));
        given().auth().preemptive().basic(admin, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("name", "x", "scope", "write-everything")).post("/api/tokens").then().statusCode(400)
                .body(containsString("Unknown scope"));
    }

    /** Low: a demoted or disabled admin's tokens go with their role, each revocation audited with its reason. */
    @Test
    void demotingOrDisablingTheCreatorRevokesTheirTokens() {
        String admin = admins.create(AdminRole.ADMIN);
        String n = "dem" + System.nanoTime();
        JsonPath writer = mint(admin, "writer " + n, "read-write");
        JsonPath reader = mint(admin, "reader " + n, "read");
        given().auth().oauth2(writer.getString("token")).get("/api/users").then().statusCode(200);
        String adminId = sql.rows("SELECT id::text AS id FROM admin_account WHERE email = ?", admin).get(0).get("id").toString();
        Browser boss = Browser.admin();

        assertEquals(303, boss.postForm("/admins/" + adminId + "/role", Map.of("role", "viewer")).statusCode());
        given().auth().oauth2(writer.getString("token")).get("/api/users").then().statusCode(401);
        given().auth().oauth2(reader.getString("token")).get("/api/users").then().statusCode(200);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'token.revoked' AND details LIKE ? "
                + "AND details LIKE '%its creator is now viewer%'", "%" + writer.getString("id") + "%"));

        assertEquals(303, boss.postForm("/admins/" + adminId + "/enabled", Map.of("enabled", "false")).statusCode());
        given().auth().oauth2(reader.getString("token")).get("/api/users").then().statusCode(401);
        JsonPath listed = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .get("/api/tokens").then().statusCode(200).extract().jsonPath();
        assertEquals("revoked", listed.getString("find { it.id == '" + reader.getString("id") + "' }.state"));
        assertEquals("its creator was disabled",
                listed.getString("find { it.id == '" + reader.getString("id") + "' }.revokedReason"));
    }
}
