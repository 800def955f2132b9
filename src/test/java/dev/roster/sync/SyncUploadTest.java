package dev.roster.sync;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** A sync file uploaded by hand: every row an upsert, the scope chosen at upload, absent users suspended. */
@QuarkusTest
class SyncUploadTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    private static String upload(String admin, String csv, String scope, String absent) {
        return given().auth().preemptive().basic(admin, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", "hr.csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "sync").multiPart("scope", scope).multiPart("absent", absent)
                .post("/api/batches").then().statusCode(202).extract().path("id");
    }

    @Test
    void aHandUploadedSyncFileUpsertsRowsAndSuspendsTheScopesAbsentUsers() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "syu" + System.nanoTime();
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,title,attr.src\n"
                + m + "-a@example.com,Ann,Lee,Clerk," + m + "\n" + m + "-b@example.com,Bo,Ek,Clerk," + m + "\n"
                + m + "-c@example.com,Cy,Ng,Clerk," + m + "\n" + m + "-d@example.com,Di,Po,Clerk,other\n", "onboard");

        String id = upload(op, "email,given_name,family_name,title\n" + m + "-a@example.com,Ann,Lee,Manager\n"
                + m + "-b@example.com,Bo,Ek,Clerk\n" + m + "-e@example.com,Ed,Ox,Clerk\n", "attr.src=" + m, "suspend");
        JsonPath plan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", plan.getString("status"), plan.prettify());
        assertEquals(1, plan.getLong("summary.create"));
        assertEquals(2, plan.getLong("summary.update"), "a's title and c suspended as absent (d is outside the scope)");
        assertEquals(1, plan.getLong("summary.unchanged"));
        assertEquals(1, plan.getLong("sync.absentUsers"));
        assertEquals(3, plan.getLong("sync.scopeSize"));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + id + "/changes?kind=update")
                .then().statusCode(200).body(containsString("absent from the file"));

        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": 3}").post("/api/batches/" + id + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, id).getString("status"));
        assertEquals("SUSPENDED", status(m + "-c@example.com"));
        assertEquals("INVITED", status(m + "-d@example.com"), "outside the scope, never touched");
        assertEquals("Manager", sql.rows("SELECT title FROM directory_user WHERE email = ?", m + "-a@example.com").get(0).get("title"));
        assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", m + "-e@example.com"));
        assertTrue(sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email = ?",
                m + "-c@example.com") == 1);

        // The sync batch reverts like any other: the suspended user is active again, the created one deleted.
        String revert = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .post("/api/batches/" + id + "/revert").then().statusCode(201).extract().path("id");
        JsonPath undo = Batches.awaitPlanned(op, TestAdmins.PASSWORD, revert);
        long undoChanges = undo.getLong("summary.update") + undo.getLong("summary.delete") + undo.getLong("summary.create");
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": " + undoChanges + ", \"deleteCount\": " + undo.getLong("summary.delete") + "}")
                .post("/api/batches/" + revert + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, revert).getString("status"));
        assertEquals("INVITED", status(m + "-c@example.com"));
        assertEquals("Clerk", sql.rows("SELECT title FROM directory_user WHERE email = ?", m + "-a@example.com").get(0).get("title"));
    }

    @Test
    void aScopeThatMatchesNoOneIsSaidAndAnAbsentPolicyNeedsAScope() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "syn" + System.nanoTime();
        String id = upload(op, "email,given_name,family_name\n" + m + "@example.com,Al,Bo\n", "attr.src=nobody-" + m, "delete");
        JsonPath plan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, id);
        assertTrue(plan.getList("warnings").toString().contains("matches no user"), plan.prettify());

        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", "hr.csv", "email\nx@example.com\n".getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "sync").multiPart("absent", "suspend")
                .post("/api/batches").then().statusCode(400).body(containsString("Choose a scope"));
    }

    private String status(String email) {
        return (String) sql.rows("SELECT status FROM directory_user WHERE email = ?", email).get(0).get("status");
    }
}
