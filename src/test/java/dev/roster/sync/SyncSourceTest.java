package dev.roster.sync;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

import dev.roster.access.AdminRole;
import dev.roster.mail.MailFixtures;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

/** Sources end to end: a watched directory and a local HTTP server, limits, guards, the operators' mail. */
@QuarkusTest
class SyncSourceTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    private static final Map<String, Object> ALL_LIMITS = Map.of("create", 100, "update", 100, "suspend", 100, "delete", 100);

    private static final Map<String, Browser> SESSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The API as this operator signed in: sources are changed only by people signed in (decision 0026). */
    static RequestSpecification signedIn(String op) {
        return SESSIONS.computeIfAbsent(op, e -> Browser.signedIn(e, TestAdmins.PASSWORD)).api();
    }

    static String source(String op, Map<String, Object> body) {
        return signedIn(op).contentType("application/json").body(body)
                .post("/api/sources").then().statusCode(201).extract().path("id");
    }

    static JsonPath runNow(String op, String id) {
        return signedIn(op).header("X-Roster-Client", "test")
                .post("/api/sources/" + id + "/run?wait=true").then().statusCode(200).extract().jsonPath();
    }

    private static void write(Path dir, String name, String csv, Instant modified) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private static String people(String m, int from, int to, String title) {
        StringBuilder csv = new StringBuilder("email,given_name,family_name,title\n");
        for (int i = from; i < to; i++) {
            csv.append(m).append('-').append(i).append("@example.com,Given").append(i).append(",Family,").append(title).append('\n');
        }
        return csv.toString();
    }

    @Test
    void anEmailKeyedSyncNeverCountsAUserWithoutEmailAsAbsent() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "nme" + System.nanoTime();
        sql.update("INSERT INTO directory_user (id, email, given_name, family_name, status, attributes) VALUES (?, ?, 'A', 'A', "
                + "'ACTIVE', jsonb_build_object('src', ?::text))", java.util.UUID.randomUUID(), m + "-0@example.com", m);
        sql.update("INSERT INTO directory_user (id, username, given_name, family_name, status, attributes) VALUES (?, ?, 'B', 'B', "
                + "'ACTIVE', jsonb_build_object('src', ?::text))", java.util.UUID.randomUUID(), "kiosk-" + m, m);
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-");
        write(dir, "hr.csv", "email,given_name,family_name\n" + m + "-0@example.com,A,A\n", Instant.now().minusSeconds(60));
        String id = source(op, Map.of("name", "No mail " + m, "kind", "directory", "location", dir.toAbsolutePath().toString(),
                "scope", "attr.src=" + m, "absent", "suspend", "limitsPercent", ALL_LIMITS));
        JsonPath run = runNow(op, id);
        assertEquals(0, run.getLong("counts.suspend"), run.prettify());
        assertEquals("ACTIVE", sql.rows("SELECT status FROM directory_user WHERE username = ?", "kiosk-" + m).get(0).get("status"));
    }

    @Test
    void aWatchedDirectoryAppliesInsideTheLimitsHoldsOverThemAndRefusesATruncatedExport() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sds" + System.nanoTime();
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-");
        String id = source(op, Map.of("name", "HR " + m, "kind", "directory", "location", dir.toAbsolutePath().toString(),
                "scope", "created", "absent", "suspend", "autoApply", true, "minRowsFraction", 0.5,
                "limits", Map.of("update", 2, "create", 100, "delete", 0), "limitsPercent", Map.of("suspend", 50)));

        Instant t = Instant.now().minus(Duration.ofHours(3));
        write(dir, "hr-1.csv", people(m, 0, 10, "Clerk"), t);
        JsonPath first = runNow(op, id);
        assertEquals("APPLIED", first.getString("status"), first.prettify());
        assertEquals("automatic", first.getString("appliedBy"));
        assertEquals(10, first.getLong("counts.create"));
        assertEquals(10, sql.count("SELECT count(*) FROM directory_user WHERE source_id = ?::uuid", id));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'batch.applied' AND actor_kind = 'source'"
                + " AND batch_id = ?::uuid", first.getString("batchId")));

        JsonPath again = runNow(op, id);
        assertEquals("SKIPPED", again.getString("status"), again.prettify());

        // Two updates and one leaver: inside every limit.
        write(dir, "hr-2.csv", people(m, 0, 9, "Clerk").replace("Given0,Family,Clerk", "Given0,Family,Boss")
                .replace("Given1,Family,Clerk", "Given1,Family,Boss"), t.plusSeconds(60));
        JsonPath second = runNow(op, id);
        assertEquals("APPLIED", second.getString("status"), second.prettify());
        assertEquals(2, second.getLong("counts.update"));
        assertEquals(1, second.getLong("counts.suspend"));
        assertEquals("SUSPENDED", sql.rows("SELECT status FROM directory_user WHERE email = ?", m + "-9@example.com")
                .get(0).get("status"));

        // Three updates: over the limit of 2, held, and the operators are told.
        write(dir, "hr-3.csv", people(m, 0, 9, "Lead").replace(m + "-3@example.com,Given3,Family,Lead",
                m + "-3@example.com,Given3,Family,Clerk").replaceAll("(" + m + "-[4-8]@example.com,Given[4-8],Family,)Lead", "$1Clerk"),
                t.plusSeconds(120));
        String runner = admins.create(AdminRole.OPERATOR);
        JsonPath third = runNow(runner, id);
        // Four-eyes through a source: neither who set it up nor who pressed Run now may approve what it planned.
        for (String self : new String[] { op, runner }) {
            Browser.signedIn(self, TestAdmins.PASSWORD).postApi("/api/batches/" + third.getString("batchId") + "/approve")
                    .then().statusCode(422)
                    .body(containsString("the uploader cannot approve"));
        }
        assertEquals("HELD", third.getString("status"), third.prettify());
        assertTrue(third.getString("reason").contains("3 updates exceed the limit of 2"), third.getString("reason"));
        signedIn(op).get("/api/batches/" + third.getString("batchId"))
                .then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("PLANNED"));
        MimeMessage mail = MailFixtures.awaitMail(op, "Roster sync \"HR " + m + "\": held for your approval", 1);
        assertTrue(MailFixtures.part(mail, "text/plain").contains("/batches/" + third.getString("batchId")));

        // A truncated export: 2 rows where the last processed file had 9.
        write(dir, "hr-4.csv", people(m, 0, 2, "Clerk"), t.plusSeconds(180));
        JsonPath fourth = runNow(op, id);
        assertEquals("REFUSED", fourth.getString("status"), fourth.prettify());
        assertTrue(fourth.getString("reason").contains("truncated export"), fourth.getString("reason"));
        signedIn(op).get("/api/batches?size=100").then().statusCode(200)
                .body(not(containsString(fourth.getString("batchId"))));

        // The directory cleaned up and an old export put back.
        for (int i = 1; i <= 4; i++) {
            Files.delete(dir.resolve("hr-" + i + ".csv"));
        }
        write(dir, "hr-0.csv", people(m, 0, 9, "Temp"), t.minusSeconds(3600));
        JsonPath fifth = runNow(op, id);
        assertEquals("REFUSED", fifth.getString("status"), fifth.prettify());
        assertTrue(fifth.getString("reason").contains("older than the last one processed"), fifth.getString("reason"));

        String page = given().auth().preemptive().basic(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD)
                .get("/sources/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<svg class=\"run-chart\"") && page.contains("<rect"), "the run chart is drawn");
        assertTrue(page.contains("HELD") && !page.contains("Run now"), "a viewer reads the history but has no Run now");

        JsonPath history = signedIn(op).get("/api/sources/" + id + "/runs?size=2")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(6, history.getLong("total"));
        assertEquals(2, history.getList("items").size());

        // The held batch outlives its source and its runs, and so does who may not approve it; a third operator may.
        signedIn(op).header("X-Roster-Client", "test")
                .delete("/api/sources/" + id).then().statusCode(204);
        Browser.signedIn(runner, TestAdmins.PASSWORD).postApi("/api/batches/" + third.getString("batchId") + "/approve")
                .then().statusCode(422);
        Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD)
                .postApi("/api/batches/" + third.getString("batchId") + "/approve").then().statusCode(200);
    }

    @Test
    void aUrlSourceUsesItsBearerTokenAndRefuses404AndHtmlWithTheReason() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sdu" + System.nanoTime();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            boolean authorised = ("Bearer s3cret-" + m).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body;
            int status = 200;
            String type = "text/csv";
            if (!authorised) {
                status = 401;
                body = "no".getBytes(StandardCharsets.UTF_8);
            } else if (path.endsWith("/export.csv")) {
                body = people(m, 0, 3, "Clerk").getBytes(StandardCharsets.UTF_8);
            } else if (path.endsWith("/moved")) {
                status = 302;
                exchange.getResponseHeaders().set("Location", "http://169.254.169.254/latest");
                body = new byte[0];
            } else if (path.endsWith("/login")) {
                type = "text/html";
                body = "<!DOCTYPE html><html><body>Sign in</body></html>".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 404;
                body = "not found".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String base = "http://localhost:" + server.getAddress().getPort();
            String id = source(op, Map.of("name", "Feed " + m, "kind", "url", "location", base + "/export.csv",
                    "scope", "attr.src=" + m, "absent", "leave", "autoApply", true, "authType", "bearer",
                    "token", "s3cret-" + m, "limitsPercent", ALL_LIMITS));
            signedIn(op).get("/api/sources/" + id).then().statusCode(200)
                    .body(not(containsString("s3cret"))).body("secretSet", org.hamcrest.Matchers.equalTo(true));
            assertEquals(0, sql.count("SELECT count(*) FROM sync_source WHERE auth_secret LIKE ?", "%s3cret%"));

            JsonPath ok = runNow(op, id);
            assertEquals("APPLIED", ok.getString("status"), ok.prettify());
            assertEquals(3, ok.getLong("counts.create"));
            assertTrue(ok.getString("reason").contains("matches no user"), "the file sets no attr.src: " + ok.getString("reason"));

            // A new address never gets the stored token: it must be typed again.
            signedIn(op).contentType("application/json")
                    .body(Map.of("name", "Feed " + m, "kind", "url", "location", "https://attacker.example/x.csv",
                            "scope", "attr.src=" + m, "absent", "leave", "authType", "bearer"))
                    .put("/api/sources/" + id).then().statusCode(400).body(containsString("type it again"));
            put(op, id, Map.of("name", "Feed " + m, "kind", "url", "location", base + "/missing.csv",
                    "scope", "attr.src=" + m, "absent", "leave", "autoApply", true, "authType", "bearer",
                    "token", "s3cret-" + m, "limitsPercent", ALL_LIMITS));
            JsonPath missing = runNow(op, id);
            assertEquals("REFUSED", missing.getString("status"));
            assertTrue(missing.getString("reason").contains("404"), missing.getString("reason"));

            put(op, id, Map.of("name", "Feed " + m, "kind", "url", "location", base + "/login",
                    "scope", "attr.src=" + m, "absent", "leave", "autoApply", true, "authType", "bearer",
                    "token", "s3cret-" + m, "limitsPercent", ALL_LIMITS));
            JsonPath html = runNow(op, id);
            assertEquals("REFUSED", html.getString("status"));
            assertTrue(html.getString("reason").contains("HTML page"), html.getString("reason"));

            put(op, id, Map.of("name", "Feed " + m, "kind", "url", "location", base + "/moved",
                    "scope", "attr.src=" + m, "absent", "leave", "authType", "bearer", "token", "s3cret-" + m));
            JsonPath moved = runNow(op, id);
            assertEquals("REFUSED", moved.getString("status"));
            assertTrue(moved.getString("reason").contains("redirect to http://169.254.169.254/latest"), moved.getString("reason"));
        } finally {
            server.stop(0);
        }
        String down = source(op, Map.of("name", "Down " + m, "kind", "url", "location", "http://127.0.0.1:9/x.csv",
                "scope", "created", "absent", "leave"));
        JsonPath failed = runNow(op, down);
        assertEquals("FAILED", failed.getString("status"));
        assertTrue(failed.getString("reason").contains("does not answer"), failed.getString("reason"));
    }

    private static void put(String op, String id, Map<String, Object> body) {
        signedIn(op).contentType("application/json").body(body)
                .put("/api/sources/" + id).then().statusCode(200);
    }

    @Test
    void operatorsAddPauseAndResumeASourceOnThePage() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sdf" + System.nanoTime();
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-");
        String location = signedIn(op).header("X-Roster-Client", "test")
                .formParam("name", "Form " + m).formParam("kind", "directory").formParam("location", dir.toAbsolutePath().toString())
                .formParam("schedule", "30 6 * * MON-FRI").formParam("timeZone", "Europe/Berlin").formParam("matchBy", "email")
                .formParam("scope", "attr.src=" + m).formParam("absent", "suspend").formParam("limitUpdate", "5")
                .formParam("pctSuspend", "2.5").formParam("minRowsFraction", "0.8").formParam("authType", "none")
                .redirects().follow(false).post("/sources").then().statusCode(303).extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        JsonPath json = signedIn(op).get("/api/sources/" + id).then()
                .statusCode(200).extract().jsonPath();
        assertEquals(5, json.getInt("limits.update"));
        assertEquals(2.5, json.getDouble("limitsPercent.suspend"));
        assertEquals("suspend", json.getString("absent"));
        signedIn(op).header("X-Roster-Client", "test").formParam("paused", "true")
                .redirects().follow(false).post("/sources/" + id + "/pause").then().statusCode(303);
        signedIn(op).get("/sources").then().statusCode(200)
                .body(containsString("Form " + m)).body(containsString("paused"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'sync.source-changed' AND details::jsonb->>'sourceId' = ?"
                + " AND details::jsonb->>'change' = 'paused'", id));
        signedIn(op).header("X-Roster-Client", "test")
                .formParam("name", "").formParam("kind", "directory").formParam("location", "relative/dir")
                .post("/sources").then().statusCode(400).body(containsString("absolute path"));
    }

    @Test
    void badSettingsAreRefusedWithWhatToDo() {
        String op = admins.create(AdminRole.OPERATOR);
        signedIn(op).contentType("application/json")
                .body(Map.of("name", "Bad", "kind", "url", "location", "http://hr.example.com/x.csv", "schedule", "every night",
                        "scope", "everyone", "absent", "purge"))
                .post("/api/sources").then().statusCode(400)
                .body(containsString("schedule \\\"every night\\\" is not a cron expression"))
                .body(containsString("use https://"))
                .body(containsString("scope: write \\\"created\\\""))
                .body(containsString("absent: use leave, suspend or delete"));
        signedIn(op).contentType("application/json")
                .body(Map.of("name", "Bad", "kind", "url", "location", "https://hr:pw@hr.example.com/x.csv", "scope", "created",
                        "absent", "leave", "autoApply", true, "limits", Map.of("create", 5), "limitsPercent", Map.of("update", 1)))
                .post("/api/sources").then().statusCode(400)
                .body(containsString("leave the user name and password out of the URL"))
                .body(containsString("needs every limit set"))
                .body(containsString("set suspend, delete (0 allows none of them)"));
        given().auth().preemptive().basic(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("name", "x")).post("/api/sources").then().statusCode(403);
    }

    @Test
    void aDirectorySourceReadsOnlyInsideTheDirectoryRoot() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sdr" + System.nanoTime();
        Path outside = Files.createTempDirectory("roster-outside-");
        Files.writeString(outside.resolve("secret.csv"), "root:x:0:0\n");
        Path escape = Files.createSymbolicLink(Path.of("target", "sync-link-" + m).toAbsolutePath(), outside);
        for (String location : new String[] { outside.toString(), escape.toString() }) {
            signedIn(op).contentType("application/json")
                    .body(Map.of("name", "Out " + m, "kind", "directory", "location", location, "scope", "created", "absent", "leave"))
                    .post("/api/sources").then().statusCode(400).body(containsString("roster.sync.directory-root"));
        }
        // A link to a file outside the root is never read: the directory has nothing to take.
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-");
        Files.createSymbolicLink(dir.resolve("people.csv"), outside.resolve("secret.csv"));
        String id = source(op, Map.of("name", "In " + m, "kind", "directory", "location", dir.toAbsolutePath().toString(),
                "scope", "created", "absent", "leave"));
        JsonPath run = runNow(op, id);
        assertEquals("SKIPPED", run.getString("status"), run.prettify());
        assertTrue(run.getString("reason").startsWith("no file in"), run.getString("reason"));
    }

    @Test
    void aSourceOnNewFilesIsRunByThePollOnceTheFileIsStable() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "sdp" + System.nanoTime();
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-");
        String id = source(op, Map.of("name", "Poll " + m, "kind", "directory", "location", dir.toAbsolutePath().toString(),
                "onNewFile", true, "scope", "created", "absent", "leave", "autoApply", true, "limits", ALL_LIMITS, "schedule", "0 3 * * *",
                "timeZone", "Europe/Berlin"));
        JsonPath listed = signedIn(op).get("/api/sources/" + id).then()
                .statusCode(200).extract().jsonPath();
        assertTrue(listed.getString("nextRun") != null);
        Files.writeString(dir.resolve("people.csv.part"), people(m, 0, 2, "Clerk"));
        Files.move(dir.resolve("people.csv.part"), dir.resolve("people.csv"));
        Instant deadline = Instant.now().plusSeconds(60);
        while (sql.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid AND status <> 'RUNNING'", id) == 0) {
            assertTrue(Instant.now().isBefore(deadline), "the poll did not run the source");
            Thread.sleep(200);
        }
        assertEquals("APPLIED", sql.rows("SELECT status FROM sync_run WHERE source_id = ?::uuid", id).get(0).get("status"));
        assertEquals("new-file", sql.rows("SELECT trigger FROM sync_run WHERE source_id = ?::uuid", id).get(0).get("trigger"));
        signedIn(op).header("X-Roster-Client", "test")
                .delete("/api/sources/" + id).then().statusCode(204);
    }

    /** #26 item 2: an HR export's start_date and end_date schedule, move and cancel dated changes as an upload does. */
    @Test
    void anHrExportsStartAndEndDatesScheduleAndMoveDatedChangesLikeAFile() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "hrd" + System.nanoTime();
        Path dir = Files.createTempDirectory(Path.of("target"), "sync-");
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        java.time.LocalDate start = today.plusDays(12);
        java.time.LocalDate end = today.plusDays(40);
        String joiner = m + "-joiner@example.com";
        String leaver = m + "-leaver@example.com";
        String id = source(op, Map.of("name", "HR dates " + m, "kind", "directory", "location", dir.toAbsolutePath().toString(),
                "scope", "created", "absent", "leave", "autoApply", true, "limitsPercent", ALL_LIMITS));
        write(dir, "hr-1.csv", "email,given_name,family_name,start_date,end_date\n" + joiner + ",Jo,Iner," + start + ",\n"
                + leaver + ",Lee,Ver,," + end + "\n", Instant.now().minus(Duration.ofHours(2)));
        JsonPath first = runNow(op, id);
        assertEquals("APPLIED", first.getString("status"), first.prettify());
        String firstBatch = first.getString("batchId");
        assertEquals("SUSPENDED", sql.rows("SELECT status FROM directory_user WHERE email = ?", joiner).get(0).get("status"),
                "a joiner with a start date ahead is created suspended");
        assertEquals(List.of(Map.of("kind", "ACTIVATE", "due_on", start.toString(), "batch_id", firstBatch)), pending(joiner));
        assertEquals(List.of(Map.of("kind", "DELETE", "due_on", end.plusDays(14).toString(), "batch_id", firstBatch),
                Map.of("kind", "SUSPEND", "due_on", end.toString(), "batch_id", firstBatch)), pending(leaver));

        // the next export moves the leaver's end date and drops the joiner's start date
        java.time.LocalDate later = end.plusDays(10);
        write(dir, "hr-2.csv", "email,given_name,family_name,start_date,end_date\n" + joiner + ",Jo,Iner,#clear,\n"
                + leaver + ",Lee,Ver,," + later + "\n", Instant.now().minus(Duration.ofHours(1)));
        JsonPath second = runNow(op, id);
        assertEquals("APPLIED", second.getString("status"), second.prettify());
        String secondBatch = second.getString("batchId");
        assertEquals(List.of(), pending(joiner), "the cleared start date cancels the activation");
        assertEquals(List.of(Map.of("kind", "DELETE", "due_on", later.plusDays(14).toString(), "batch_id", secondBatch),
                Map.of("kind", "SUSPEND", "due_on", later.toString(), "batch_id", secondBatch)), pending(leaver));
    }

    private List<Map<String, Object>> pending(String email) {
        return sql.rows("SELECT s.kind, s.due_on::text AS due_on, s.batch_id::text AS batch_id FROM scheduled_change s "
                + "JOIN directory_user u ON u.id = s.user_id WHERE u.email = ? AND s.status = 'PENDING' ORDER BY s.kind", email);
    }
}
