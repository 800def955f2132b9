package dev.roster.batch.apply;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.support.OwnerSql;
import dev.roster.support.FourEyes;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batch's state machine (BatchTransitions) and apply policy (ApplyPolicy): each state change and
 * its audit event commit together or not at all (a trigger installed here makes the audit append fail
 * in between), a deleting apply needs the typed number of deletions on the API too, four-eyes holds
 * across re-plans, and the diff's tab links carry the search term URL-encoded.
 */
@QuarkusTest
class BatchLifecycleTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;
    @Inject
    FourEyes fourEyes;
    @Inject
    dev.roster.mapping.MappingProfiles profiles;

    @AfterEach
    void cleanUp() {
        OwnerSql.update("DROP TRIGGER IF EXISTS lifecycle_test_fault ON audit_event");
        OwnerSql.update("DROP FUNCTION IF EXISTS lifecycle_test_fault()");
        OwnerSql.update("DROP SEQUENCE IF EXISTS lifecycle_test_fault_refusals");
        fourEyes.enabled(false);
    }

    /** Makes every audit append of these actions for batches of this file name fail (the whole COPY). */
    private void failAuditOf(String fileName, String... actions) {
        // Each refusal counts in a sequence: nextval survives the rollback the refusal causes (refusals()).
        OwnerSql.update("DROP SEQUENCE IF EXISTS lifecycle_test_fault_refusals");
        OwnerSql.update("CREATE SEQUENCE lifecycle_test_fault_refusals");
        OwnerSql.update("""
                CREATE FUNCTION lifecycle_test_fault() RETURNS trigger LANGUAGE plpgsql
                SECURITY DEFINER SET search_path = public AS $$
                BEGIN
                  IF NEW.action = ANY (TG_ARGV) AND (NEW.details::text LIKE '%%%1$s%%'
                      OR EXISTS (SELECT 1 FROM batch WHERE id = NEW.batch_id AND file_name = '%1$s')) THEN
                    PERFORM nextval('lifecycle_test_fault_refusals');
                    RAISE EXCEPTION 'lifecycle test: audit append refused';
                  END IF;
                  RETURN NEW;
                END $$""".formatted(fileName));
        OwnerSql.update("CREATE TRIGGER lifecycle_test_fault BEFORE INSERT ON audit_event FOR EACH ROW "
                + "EXECUTE FUNCTION lifecycle_test_fault(" + String.join(", ", java.util.Arrays.stream(actions)
                        .map(a -> "'" + a + "'").toList()) + ")");
    }

    /** How many audit appends the fault has refused since failAuditOf. */
    private static long refusals() {
        try (java.sql.Connection c = OwnerSql.connect(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM lifecycle_test_fault_refusals")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long events(String id, String action) {
        return sql.count("SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = ?", UUID.fromString(id), action);
    }

    private String status(String id) {
        return (String) sql.rows("SELECT status FROM batch WHERE id = ?", UUID.fromString(id)).get(0).get("status");
    }

    private String operator() {
        return admins.create(AdminRole.OPERATOR);
    }

    private String plannedUpload(String op, String csv, String operation, String fileName) {
        String id = Batches.upload(op, TestAdmins.PASSWORD, csv, operation, fileName);
        Batches.awaitPlanned(op, TestAdmins.PASSWORD, id);
        return id;
    }

    @Test
    void anUploadWhoseEventCannotBeWrittenLeavesNoBatch() {
        String op = operator();
        String file = "tx-upload-" + System.nanoTime() + ".csv";
        failAuditOf(file, "batch.uploaded");
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").multiPart("file", file, "email\na@example.com\n".getBytes())
                .multiPart("operation", "delete").post("/api/batches").then().statusCode(500);
        assertEquals(0, sql.count("SELECT count(*) FROM batch WHERE file_name = ?", file));
    }

    @Test
    void aDiscardAndARePlanWhoseEventsCannotBeWrittenChangeNothing() {
        String op = operator();
        String m = "txd" + System.nanoTime();
        String file = m + ".csv";
        String id = plannedUpload(op, "email,given_name,family_name\n" + m + "@example.com,A,B\n", "onboard", file);
        failAuditOf(file, "batch.discarded");
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + id + "/discard")
                .then().statusCode(500);
        assertEquals("PLANNED", status(id));
        assertEquals(0, events(id, "batch.discarded"));

        // Re-plan: the new batch's batch.uploaded (it names the old id) fails, so neither batch changes.
        cleanUp();
        failAuditOf(id, "batch.uploaded");
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + id + "/replan")
                .then().statusCode(500);
        assertEquals("PLANNED", status(id));
        assertEquals(0, sql.count("SELECT count(*) FROM batch WHERE replans_batch = ?", UUID.fromString(id)));
        assertEquals(0, sql.count("SELECT count(*) FROM batch WHERE file_name = ? AND status = 'PLANNING'", file));

        // Both work once the audit trail takes events again: each state change with its event.
        cleanUp();
        String fresh = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + id + "/replan")
                .then().statusCode(202).extract().path("id");
        assertEquals("DISCARDED", status(id));
        assertEquals(1, events(id, "batch.discarded"));
        assertEquals(1, events(fresh, "batch.uploaded"));
        Batches.awaitPlanned(op, TestAdmins.PASSWORD, fresh);
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + fresh + "/discard")
                .then().statusCode(200);
        assertEquals(1, events(fresh, "batch.discarded"));
    }

    @Test
    void planningWhoseEventsCannotBeWrittenNeverShowsAStateWithoutItsEvent() throws InterruptedException {
        String op = operator();
        // batch.planned refused: the plan is not committed as PLANNED; the batch is rejected, with its event.
        String file = "txp" + System.nanoTime() + ".csv";
        failAuditOf(file, "batch.planned");
        String id = Batches.upload(op, TestAdmins.PASSWORD, "email\nsomeone@example.com\n", "delete", file);
        JsonPath done = awaitLeavingPlanning(op, id);
        assertEquals("REJECTED", done.getString("status"), done.prettify());
        assertEquals(0, events(id, "batch.planned"));
        assertEquals(1, events(id, "batch.rejected"));
        assertEquals(0, sql.count("SELECT count(*) FROM plan_item WHERE batch_id = ?", UUID.fromString(id)));

        // batch.planned and batch.rejected refused: the batch stays PLANNING (to be resumed), with neither event.
        cleanUp();
        String file2 = "txr" + System.nanoTime() + ".csv";
        failAuditOf(file2, "batch.planned", "batch.rejected");
        String id2 = Batches.upload(op, TestAdmins.PASSWORD, "email\nsomeone@example.com\n", "delete", file2);
        // Wait until the planning run was refused both of its events: planned, then rejected.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (refusals() < 2) {
            assertTrue(Instant.now().isBefore(deadline), "the planning run never tried to write its events");
            Thread.sleep(100);
        }
        assertEquals("PLANNING", status(id2));
        assertEquals(0, events(id2, "batch.planned") + events(id2, "batch.rejected"));
        cleanUp();
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + id2 + "/discard")
                .then().statusCode(200);
    }

    private static JsonPath awaitLeavingPlanning(String op, String id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            JsonPath batch = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + id)
                    .then().statusCode(200).extract().jsonPath();
            if (!"PLANNING".equals(batch.getString("status")) || Instant.now().isAfter(deadline)) {
                return batch;
            }
            Thread.sleep(100);
        }
    }

    /** Users beside the ones a test deletes, so the delete cap (a fraction of the directory) holds when this class runs alone. */
    private static String bystanders(String m) {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            rows.append(m).append("-bystander-").append(i).append("@example.com,By,Stander\n");
        }
        return rows.toString();
    }

    @Test
    void theApiRefusesADeletingApplyWithoutTheTypedNumberOfDeletions() {
        String op = operator();
        String m = "tdc" + System.nanoTime();
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name\n" + m + "-a@example.com,A,B\n"
                + m + "-b@example.com,C,D\n" + bystanders(m), "onboard");
        String id = plannedUpload(op, "action,email,given_name,family_name\n" + "delete," + m + "-a@example.com,,\n"
                + "delete," + m + "-b@example.com,,\n" + "create," + m + "-c@example.com,E,F\n", "mixed", m + ".csv");
        // The number of changes alone (3) is not the typed number of deletions (2).
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": 3}").post("/api/batches/" + id + "/apply")
                .then().statusCode(422).body("status", org.hamcrest.Matchers.equalTo(422))
                .body("error", containsString("Type the number of users this batch deletes (2)"))
                .body("conflicts", org.hamcrest.Matchers.hasSize(0));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": 3, \"deleteCount\": 3}").post("/api/batches/" + id + "/apply")
                .then().statusCode(422).body("error", containsString("(2)"));
        assertEquals("PLANNED", status(id));
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND status = 'DELETED'", m + "%"));
        // The page asks for the typed number too, and sends no hidden count for a deleting batch.
        Browser browser = Browser.signedIn(op, TestAdmins.PASSWORD);
        browser.get("/batches/" + id + "/confirm").then().statusCode(200)
                .body(containsString("Type the number of users to be deleted (2)"))
                .body(not(containsString("name=\"confirm\"")));
        browser.postForm("/batches/" + id + "/apply", java.util.Map.of()).then().statusCode(422)
                .body(containsString("Type the number of users this batch deletes (2)"));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": 3, \"deleteCount\": 2}").post("/api/batches/" + id + "/apply")
                .then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, id).getString("status"));
        assertEquals(2, sql.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND status = 'DELETED'", m + "%"));
    }

    @Test
    void fourEyesExcludesEveryoneWhoUploadedOrRePlannedTheChain() {
        String a = operator();
        String b = operator();
        String c = operator();
        String m = "eyc" + System.nanoTime();
        Batches.uploadAndApply(a, TestAdmins.PASSWORD, "email,given_name,family_name\n" + m + "@example.com,A,B\n"
                + bystanders(m), "onboard");
        String first = plannedUpload(a, "email\n" + m + "@example.com\n", "delete", m + ".csv");
        // Four-eyes off: nobody is offered an Approve button.
        Browser.signedIn(c, TestAdmins.PASSWORD).get("/batches/" + first).then().statusCode(200)
                .body(not(containsString("Approve (four-eyes)")));
        fourEyes.enabled(true);
        // The attack: B re-plans A's upload, so the new batch is "B's", and A approves their own file.
        String second = given().auth().preemptive().basic(b, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + first + "/replan")
                .then().statusCode(202).extract().path("id");
        Batches.awaitPlanned(b, TestAdmins.PASSWORD, second);
        // A re-plans again: the chain is A, B, A.
        String third = given().auth().preemptive().basic(b, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + second + "/replan")
                .then().statusCode(202).extract().path("id");
        Batches.awaitPlanned(b, TestAdmins.PASSWORD, third);
        Browser.signedIn(a, TestAdmins.PASSWORD).get("/batches/" + third).then().statusCode(200)
                .body(not(containsString("Approve (four-eyes)")));
        Browser.signedIn(a, TestAdmins.PASSWORD).postApi("/api/batches/" + third + "/approve")
                .then().statusCode(422).body("error", containsString("uploader cannot approve"));
        Browser.signedIn(b, TestAdmins.PASSWORD).postApi("/api/batches/" + third + "/approve")
                .then().statusCode(422);
        Browser.signedIn(a, TestAdmins.PASSWORD).postForm("/batches/" + third + "/approve", java.util.Map.of())
                .then().statusCode(422).body(containsString("uploader cannot approve"));
        assertEquals(0, events(third, "batch.approved"));
        // A third operator, who touched no batch of the chain, may approve; then the apply goes through.
        Browser.signedIn(c, TestAdmins.PASSWORD).get("/batches/" + third).then().statusCode(200)
                .body(containsString("Approve (four-eyes)"));
        Browser.signedIn(c, TestAdmins.PASSWORD).postApi("/api/batches/" + third + "/approve")
                .then().statusCode(200);
        given().auth().preemptive().basic(a, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": 1}").post("/api/batches/" + third + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(a, TestAdmins.PASSWORD, third).getString("status"));
    }

    /**
     * Issue #23, Medium 1: whoever chooses what the columns mean decides what the plan does. B confirms the mapping of
     * A's deleting file, P wrote the profile that maps another one: neither may approve; a third operator may.
     */
    @Test
    void whoeverMappedABatchOrWroteItsProfileCannotApproveIt() {
        String a = operator();
        String b = operator();
        String p = operator();
        String m = "map" + System.nanoTime();
        Batches.uploadAndApply(a, TestAdmins.PASSWORD, "email,given_name,family_name\n" + m + "-x@example.com,A,B\n"
                + m + "-y@example.com,C,D\n" + bystanders(m), "onboard");
        fourEyes.enabled(true);
        // A's file has a header Roster cannot place: it waits for a mapping, and B chooses it.
        Browser pageOfA = Browser.signedIn(a, TestAdmins.PASSWORD);
        io.restassured.response.Response uploaded = pageOfA.request().multiPart("file", m + "-1.csv",
                        ("Kennung " + m + ",Notiz\n" + m + "-x@example.com,n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "text/csv").multiPart("operation", "delete").multiPart("csrf-token", pageOfA.csrfToken()).post("/batches");
        assertEquals(303, uploaded.statusCode(), uploaded.asString());
        String waiting = uploaded.getHeader("Location").substring(uploaded.getHeader("Location").lastIndexOf('/') + 1);
        assertEquals("NEEDS_MAPPING", Batches.awaitPlanned(a, TestAdmins.PASSWORD, waiting).getString("status"));
        given().auth().preemptive().basic(b, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"mapping\": {\"Kennung " + m + "\": \"email\", \"Notiz\": \"ignore\"}}")
                .post("/api/batches/" + waiting + "/mapping").then().statusCode(202);
        assertEquals("PLANNED", Batches.awaitPlanned(a, TestAdmins.PASSWORD, waiting).getString("status"));
        Browser.signedIn(b, TestAdmins.PASSWORD).postForm("/batches/" + waiting + "/approve", java.util.Map.of())
                .then().statusCode(422).body(containsString("mapped it"));

        // P saved a profile for another header; A's next file is mapped by it on upload, and P may not approve it.
        Browser.signedIn(p, TestAdmins.PASSWORD).api().contentType("application/json")
                .body("{\"name\": \"Leavers " + m + "\", \"columns\": [{\"column\": \"Adresse " + m
                        + "\", \"target\": \"email\"}]}").post("/api/mapping-profiles").then().statusCode(201);
        String profiled = plannedUpload(a, "Adresse " + m + "\n" + m + "-y@example.com\n", "delete", m + "-2.csv");
        assertEquals("PLANNED", status(profiled));
        Browser.signedIn(p, TestAdmins.PASSWORD).postForm("/batches/" + profiled + "/approve", java.util.Map.of())
                .then().statusCode(422).body(containsString("mapping profile"));
        assertEquals(0, events(waiting, "batch.approved") + events(profiled, "batch.approved"));

        String c = operator();
        for (String id : new String[] { waiting, profiled }) {
            Browser.signedIn(c, TestAdmins.PASSWORD).postForm("/batches/" + id + "/approve", java.util.Map.of())
                    .then().statusCode(303);
            assertEquals(1, events(id, "batch.approved"));
        }
    }

    /** Review 2, Low: the person who created a sync source cannot approve its batches after someone else edited and ran it. */
    @Test
    void theSourceCreatorCannotApproveItsBatch() throws Exception {
        String creator = admins.create(AdminRole.OPERATOR);
        String editor = admins.create(AdminRole.OPERATOR);
        String m = "scr" + System.nanoTime();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "sync-creator-");
        java.nio.file.Files.writeString(dir.resolve("hr.csv"), "email,given_name,family_name\n" + m + "@example.com,A,B\n");
        java.util.Map<String, Object> body = new java.util.HashMap<>(java.util.Map.of("name", "Creator " + m, "kind",
                "directory", "location", dir.toAbsolutePath().toString(), "scope", "created", "absent", "leave", "autoApply", false));
        Browser made = Browser.signedIn(creator, TestAdmins.PASSWORD);
        String source = made.api().contentType("application/json").body(body).post("/api/sources").then().statusCode(201)
                .extract().path("id");
        Browser edits = Browser.signedIn(editor, TestAdmins.PASSWORD);
        body.put("name", "Edited " + m);
        edits.api().contentType("application/json").body(body).put("/api/sources/" + source).then().statusCode(200);
        String batch = edits.api().post("/api/sources/" + source + "/run?wait=true").then().statusCode(200)
                .extract().path("batchId");
        assertTrue(batch != null, "the run planned a batch");
        made.postForm("/batches/" + batch + "/approve", java.util.Map.of()).then().statusCode(422)
                .body(containsString("configured or ran its sync source"));
        assertEquals(0, sql.count("SELECT count(*) FROM batch WHERE id = ?::uuid AND approved_by IS NOT NULL", batch));
    }

    /** Review 2, Low: renaming an older mapping profile does not make it the one chosen for its header. */
    @Test
    void renamingAProfileDoesNotMakeItTheOneChosenForItsHeader() {
        String m = "ren" + System.nanoTime();
        Browser made = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
        Browser edits = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
        String header = "Mitarbeiter " + m;
        String columns = ", \"columns\": [{\"column\": \"" + header + "\", \"target\": \"email\"}]}";
        String older = made.api().contentType("application/json").body("{\"name\": \"Older " + m + "\"" + columns)
                .post("/api/mapping-profiles").then().statusCode(201).extract().path("id");
        made.api().contentType("application/json").body("{\"name\": \"Newer " + m + "\"" + columns)
                .post("/api/mapping-profiles").then().statusCode(201);
        edits.api().contentType("application/json").body("{\"name\": \"Renamed " + m + "\"}")
                .patch("/api/mapping-profiles/" + older).then().statusCode(200);
        assertEquals("Newer " + m, profiles.forHeader(java.util.List.of(header)).orElseThrow().name());
    }

    @Test
    void theDiffTabsCarryTheSearchTermUrlEncoded() {
        String op = operator();
        String m = "tab" + System.nanoTime();
        String id = plannedUpload(op, "email,given_name,family_name\n" + m + "@example.com,A,B\n", "onboard", m + ".csv");
        Browser browser = Browser.signedIn(op, TestAdmins.PASSWORD);
        String page = browser.request().queryParam("q", m + "&kind=error#x").get("/batches/" + id).then().statusCode(200)
                .extract().asString();
        assertTrue(page.contains("?kind=create&q=" + m + "%26kind%3Derror%23x\""), page);
        assertTrue(!page.contains("q=" + m + "&amp;kind=error#x"), "raw search term in a tab link");
        // Following the tab link keeps the whole term: the search still finds nothing with the suffix.
        browser.request().urlEncodingEnabled(false).get("/batches/" + id + "?kind=create&q=" + m + "%26kind%3Derror%23x")
                .then().statusCode(200).body(containsString("value=\"" + m + "&amp;kind=error#x\""));
    }
}
