package dev.roster.sync;

import static dev.roster.sync.SyncSourceTest.runNow;
import static dev.roster.sync.SyncSourceTest.signedIn;
import static dev.roster.sync.SyncSourceTest.source;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import dev.roster.access.AdminRole;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Sync URL fetches are bounded (issue #23, Medium 3): an overall download deadline against a server that trickles,
 * no database connection held while fetching, a minimum interval between scheduled runs, a cap on the number of
 * sources, back-off with one mail per series of failures; and no secrets in a source's query string.
 */
@QuarkusTest
class SyncBoundsTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;
    @Inject
    SyncRunner runner;
    @Inject
    SourceFetcher fetcher;
    @Inject
    SyncSources sources;

    /** Run locks of the source held in PostgreSQL: each is a pooled connection a run keeps checked out. */
    private long runLocksHeld(String id) {
        return sql.count("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 8
                   AND objid::bigint = (hashtext(?::text)::bigint & 4294967295) AND objsubid = 2""", id);
    }

    @Test
    void aTricklingServerIsCutOffAtTheDeadlineAndTheFetchHoldsNoDatabaseConnection() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbt" + System.nanoTime();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, 0); // chunked: the headers come at once, the body one byte a second
            byte[] body = ("email,given_name,family_name\n" + m + "@example.com,Slow,Server\n").getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = exchange.getResponseBody()) {
                for (byte b : body) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // Roster hung up: what a bounded client does
            }
        });
        server.start();
        try {
            String id = source(op, Map.of("name", "Slow " + m, "kind", "url", "location",
                    "http://localhost:" + server.getAddress().getPort() + "/slow.csv", "scope", "created", "absent", "leave"));
            Instant started = Instant.now();
            CompletableFuture<JsonPath> run = CompletableFuture.supplyAsync(() -> runNow(op, id));
            Thread.sleep(2000); // the headers are in, the body trickles
            assertTrue(!run.isDone(), "the fetch is still hanging on the trickle");
            assertEquals(0, runLocksHeld(id), "no connection is held by the run while it fetches");
            signedIn(op).header("X-Roster-Client", "test")
                    .post("/api/sources/" + id + "/run?wait=true").then().statusCode(409); // the lease says it runs
            JsonPath finished = run.get(30, TimeUnit.SECONDS);
            Duration took = Duration.between(started, Instant.now());
            assertEquals("FAILED", finished.getString("status"), finished.prettify());
            assertTrue(finished.getString("reason").contains("did not send the whole file within 4 s"), finished.getString("reason"));
            assertTrue(took.compareTo(Duration.ofSeconds(12)) < 0, "the run ended at the 4 s deadline, not after " + took);
            assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", m + "@example.com"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aSourceThatKeepsFailingIsMailedOnceAndItsScheduledRunsBackOff() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbf" + System.nanoTime();
        String id = source(op, Map.of("name", "Down " + m, "kind", "url", "location", "http://127.0.0.1:9/x.csv",
                "scope", "created", "absent", "leave"));
        for (int i = 0; i < 3; i++) {
            assertEquals("FAILED", runNow(op, id).getString("status"));
        }
        assertEquals(3, sql.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid AND status = 'FAILED'", id));
        String subject = "Roster sync \"Down " + m + "\": failed";
        long admins = sql.count("""
                SELECT count(*) FROM admin_account WHERE enabled AND role IN ('OPERATOR', 'ADMIN') AND email LIKE '%@%'""");
        assertEquals(admins, sql.count("SELECT count(*) FROM mail_outbox WHERE subject = ?", subject),
                "one mail per operator for the series of three failures, not three");

        // The scheduler's next run is held back (the last fetch put out of the way, so only the back-off holds it)...
        sql.update("UPDATE sync_source SET last_fetch_at = now() - interval '1 day' WHERE id = ?::uuid", id);
        assertEquals(Optional.empty(), runner.run(UUID.fromString(id), SyncRun.SCHEDULE));
        assertEquals(3, sql.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid", id));
        // ... until the pause has passed: two failures wait 2 x 5 minutes, three 4 x 5.
        sql.update("UPDATE sync_run SET started_at = started_at - interval '1 hour', finished_at = finished_at - interval "
                + "'1 hour' WHERE source_id = ?::uuid", id);
        assertTrue(runner.run(UUID.fromString(id), SyncRun.SCHEDULE).isPresent(), "after the back-off the schedule runs again");
        assertEquals(admins, sql.count("SELECT count(*) FROM mail_outbox WHERE subject = ?", subject), "still one mail");
    }

    @Test
    void aScheduleMoreFrequentThanTheMinimumIntervalIsRefusedOnTheApiAndTheForm() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbi" + System.nanoTime();
        signedIn(op).contentType("application/json")
                .body(Map.of("name", "Often " + m, "kind", "url", "location", "https://hr.example.com/x.csv",
                        "schedule", "*/1 * * * *", "scope", "created", "absent", "leave"))
                .post("/api/sources").then().statusCode(400)
                .body(containsString("runs 1 minute after the run before"))
                .body(containsString("roster.sync.min-interval"));
        signedIn(op).header("X-Roster-Client", "test")
                .formParam("name", "Often " + m).formParam("kind", "url").formParam("location", "https://hr.example.com/x.csv")
                .formParam("schedule", "0-4 2 * * *").formParam("timeZone", "UTC").formParam("matchBy", "email")
                .formParam("scope", "created").formParam("absent", "leave").formParam("authType", "none")
                .post("/sources").then().statusCode(400).body(containsString("5 minutes (roster.sync.min-interval)"));
        assertEquals(0, sql.count("SELECT count(*) FROM sync_source WHERE name = ?", "Often " + m));
        String ok = source(op, Map.of("name", "Often " + m, "kind", "url", "location", "https://hr.example.com/x.csv",
                "schedule", "*/5 * * * *", "scope", "created", "absent", "leave"));
        signedIn(op).header("X-Roster-Client", "test")
                .delete("/api/sources/" + ok).then().statusCode(204);
    }

    @Test
    void theNumberOfSourcesIsCapped() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbc" + System.nanoTime();
        long existing = sql.count("SELECT count(*) FROM sync_source");
        List<String> made = new ArrayList<>();
        try {
            for (long i = existing; i < 50; i++) {
                made.add(source(op, Map.of("name", "Cap " + m + " " + i, "kind", "url", "location",
                        "https://hr.example.com/" + i + ".csv", "scope", "created", "absent", "leave")));
            }
            signedIn(op).contentType("application/json")
                    .body(Map.of("name", "Cap " + m + " over", "kind", "url", "location", "https://hr.example.com/over.csv",
                            "scope", "created", "absent", "leave"))
                    .post("/api/sources").then().statusCode(409)
                    .body(containsString("the most it allows (roster.sync.max-sources = 50)"));
            assertEquals(50, sql.count("SELECT count(*) FROM sync_source"));
        } finally {
            for (String id : made) {
                signedIn(op).header("X-Roster-Client", "test")
                        .delete("/api/sources/" + id).then().statusCode(204);
            }
        }
    }

    /**
     * Security review (bounds-fix) M2: a redirect to a signed URL (a pre-signed S3 link, say) is refused, and the run
     * reason, which viewers read through the API and which is mailed, names the target only as scheme://host/path:
     * no signature, no credential, no user info, no fragment.
     */
    @Test
    void aRedirectsSignedLocationIsNotShownInTheRunReason() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbr" + System.nanoTime();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Location", "https://robot:PWSECRET@cdn.example.com/exports/hr.csv"
                    + "?X-Amz-Credential=CREDSECRET&X-Amz-Signature=SIGSECRET#FRAGSECRET");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        try {
            String id = source(op, Map.of("name", "Redirect " + m, "kind", "url", "location",
                    "http://localhost:" + server.getAddress().getPort() + "/hr.csv", "scope", "created", "absent", "leave"));
            JsonPath run = runNow(op, id);
            String reason = run.getString("reason");
            assertEquals("REFUSED", run.getString("status"), run.prettify());
            assertTrue(reason.contains("a redirect to https://cdn.example.com/exports/hr.csv;"), reason);
            String viewer = admins.create(AdminRole.VIEWER);
            String seen = given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD).get("/api/sources/" + id + "/runs")
                    .then().statusCode(200).extract().asString() + reason
                    + sql.rows("SELECT coalesce(string_agg(body, ' '), '') AS b FROM mail_outbox WHERE body LIKE ?",
                            "%" + server.getAddress().getPort() + "/hr.csv%").get(0).get("b");
            for (String secret : new String[] { "PWSECRET", "CREDSECRET", "SIGSECRET", "FRAGSECRET", "X-Amz-Signature" }) {
                assertTrue(!seen.contains(secret), secret + " leaked: " + seen);
            }
        } finally {
            server.stop(0);
        }
    }

    /**
     * Security review (bounds-fix) M2 / L6: a source saved before secrets in the query string were refused at save
     * shows its query values masked on the API (same field), on its page and in run reasons; the fetch still uses the
     * stored address, and saving back the masked location as shown keeps it.
     */
    @Test
    void queryValuesOfASourcesLocationAreMaskedWhereverItIsShown() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbq" + System.nanoTime();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().toString());
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://localhost:" + server.getAddress().getPort() + "/hr.csv";
            String id = source(op, Map.of("name", "Legacy " + m, "kind", "url", "location", base + "?format=csv",
                    "scope", "created", "absent", "leave"));
            // Saved by an older Roster, before the save-time rule.
            sql.update("UPDATE sync_source SET location = ? WHERE id = ?::uuid", base + "?format=csv&token=LEGACYSECRET", id);
            JsonPath json = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/sources/" + id).then()
                    .statusCode(200).extract().jsonPath();
            assertEquals(base + "?format=…&token=…", json.getString("location"), json.prettify());
            JsonPath run = runNow(op, id);
            assertEquals(List.of("/hr.csv?format=csv&token=LEGACYSECRET"), asked, "the fetch uses the stored address");
            assertTrue(run.getString("reason").startsWith(base + "?format=…&token=… answered 404"), run.getString("reason"));
            String page = dev.roster.support.Browser.admin().get("/sources/" + id).then().statusCode(200).extract().asString();
            String list = dev.roster.support.Browser.admin().get("/sources").then().statusCode(200).extract().asString();
            String runs = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/sources/" + id + "/runs")
                    .then().statusCode(200).extract().asString();
            for (String shown : new String[] { page, list, runs, json.prettify(), run.prettify() }) {
                assertTrue(!shown.contains("LEGACYSECRET"), shown);
            }
            assertTrue(page.contains("token=…"), "the page shows the masked location");
            // Saving it again needs the secret moved out of the query string (the save-time rule), never echoed.
            Map<String, Object> body = new HashMap<>(Map.of("name", "Legacy renamed " + m, "kind", "url", "location",
                    json.getString("location"), "scope", "created", "absent", "leave"));
            signedIn(op).contentType("application/json").body(body)
                    .put("/api/sources/" + id).then().statusCode(400).body(containsString("secret in its query string"))
                    .body(org.hamcrest.Matchers.not(containsString("LEGACYSECRET")));
            // Sending back a masked location as shown (a GET-edit-PUT client) keeps the stored address.
            sql.update("UPDATE sync_source SET location = ? WHERE id = ?::uuid", base + "?format=csv&page=2", id);
            String shown = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/sources/" + id).then()
                    .statusCode(200).extract().path("location");
            assertEquals(base + "?format=…&page=…", shown);
            body.put("location", shown);
            signedIn(op).contentType("application/json").body(body)
                    .put("/api/sources/" + id).then().statusCode(200);
            assertEquals(base + "?format=csv&page=2", sql.rows("SELECT location FROM sync_source WHERE id = ?::uuid",
                    id).get(0).get("location"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aSecretInTheQueryStringIsRefused() {
        String op = admins.create(AdminRole.OPERATOR);
        for (String query : new String[] { "token=abc", "api_key=abc", "X-Amz-Signature=abc&X-Amz-Credential=x", "sig=abc",
                "access_token=abc" }) {
            Map<String, Object> body = new HashMap<>(Map.of("name", "Query " + System.nanoTime(), "kind", "url",
                    "location", "https://hr.example.com/x.csv?" + query, "scope", "created", "absent", "leave"));
            signedIn(op).contentType("application/json").body(body)
                    .post("/api/sources").then().statusCode(400).body(containsString("secret in its query string"))
                    .body(org.hamcrest.Matchers.not(containsString("abc")));
        }
        String plain = source(op, Map.of("name", "Query ok " + System.nanoTime(), "kind", "url",
                "location", "https://hr.example.com/x.csv?format=csv&page=1", "scope", "created", "absent", "leave"));
        signedIn(op).header("X-Roster-Client", "test")
                .delete("/api/sources/" + plain).then().statusCode(204);
    }

    /**
     * Issue #23: a link to a file outside the root, swapped in between the directory's listing and the open (inside the
     * settle interval, the file's size and time copied so the settle check sees no change), is never read.
     */
    @Test
    void aLinkSwappedInAfterTheListingIsNotFollowed() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sbl" + System.nanoTime();
        java.nio.file.Path outside = java.nio.file.Files.createTempDirectory("roster-outside-");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "sync-");
        String inner = "email,given_name,family_name\n" + m + "@inside.example,I,I\n";
        String secret = inner.replace("@inside.", "@secret.").replace(",I,I", ",S,S");
        java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(600));
        java.nio.file.Path target = outside.resolve("secret.csv");
        java.nio.file.Files.writeString(target, secret);
        java.nio.file.Files.setLastModifiedTime(target, time);
        SyncSource source = sources.find(UUID.fromString(source(op, Map.of("name", "Swap " + m, "kind", "directory",
                "location", dir.toAbsolutePath().toString(), "scope", "created", "absent", "leave"))));
        String secretSha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(StandardCharsets.UTF_8)));
        int inWindow = 0;
        for (int attempt = 0; attempt < 6 && inWindow < 2; attempt++) {
            java.nio.file.Path file = dir.resolve("people.csv");
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.writeString(file, inner);
            java.nio.file.Files.setLastModifiedTime(file, time);
            CompletableFuture<SourceFetcher.Result> fetch = CompletableFuture.supplyAsync(() -> fetcher.fetch(source, null));
            Thread.sleep(80); // listed; the fetcher waits out the settle interval (200 ms in tests)
            java.nio.file.Files.delete(file);
            java.nio.file.Files.createSymbolicLink(file, target);
            SourceFetcher.Result result = fetch.get(10, TimeUnit.SECONDS);
            if (result instanceof SourceFetcher.Got got) {
                java.nio.file.Files.deleteIfExists(got.file());
                assertTrue(!got.sha256().equals(secretSha), "the file outside the root was read through the swapped link");
                continue; // read before the swap: timing missed the window
            }
            if (result instanceof SourceFetcher.Refused refused) {
                assertTrue(refused.reason().contains("symbolic link") || refused.reason().contains("replaced"), refused.reason());
                inWindow++;
            }
        }
        assertTrue(inWindow > 0, "the swap never landed between the listing and the open");
    }
}
