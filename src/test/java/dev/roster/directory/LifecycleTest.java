package dev.roster.directory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.opencsv.CSVReader;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

@QuarkusTest
class LifecycleTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;
    @Inject
    DirectoryLifecycle lifecycle;

    private UUID onboardAndDelete(String op, String email, String status) {
        // Four bystanders keep one deletion under the delete cap (20% of the users) even in an empty directory.
        StringBuilder csv = new StringBuilder("email,given_name,family_name\n" + email + ",Del,Eted\n");
        for (int i = 0; i < 4; i++) {
            csv.append("bystander").append(i).append('-').append(email).append(",By,Stander\n");
        }
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, csv.toString(), "onboard");
        UUID id = (UUID) sql.rows("SELECT id FROM directory_user WHERE email = ?", email).get(0).get("id");
        sql.update("UPDATE directory_user SET status = ?, version = version + 1 WHERE id = ?", status, id);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email\n" + email + "\n", "delete");
        return id;
    }

    @Test
    void aDeletedUserIsRestoredToItsFormerStatusWithinTheRetentionPeriod() {
        String op = admins.create(AdminRole.OPERATOR);
        String email = "restore" + System.nanoTime() + "@example.com";
        UUID id = onboardAndDelete(op, email, "SUSPENDED");
        Map<String, Object> deleted = sql.rows("SELECT status, deleted_at FROM directory_user WHERE id = ?", id).get(0);
        assertEquals("DELETED", deleted.get("status"));
        given().auth().preemptive().basic(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/users/" + id + "/restore").then().statusCode(403);
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/users/" + id + "/restore")
                .then().statusCode(200).body("status", equalTo("SUSPENDED")).body("deletedAt", equalTo(null));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE target_user_id = ? AND action = 'user.restored'", id));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/users/" + id + "/restore")
                .then().statusCode(409).body("error", containsString("not deleted"));
    }

    @Test
    void restoreIsRefusedPastTheRetentionPeriodAndThePurgeErasesPersonalData() {
        String op = admins.create(AdminRole.OPERATOR);
        String email = "purge" + System.nanoTime() + "@example.com";
        UUID id = onboardAndDelete(op, email, "ACTIVE");
        sql.update("UPDATE directory_user SET deleted_at = now() - interval '31 days' WHERE id = ?", id);
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/users/" + id + "/restore")
                .then().statusCode(409).body("error", containsString("retention period"));
        assertTrue(lifecycle.purgeExpired() >= 1);
        Map<String, Object> purged = sql.rows("SELECT * FROM directory_user WHERE id = ?", id).get(0);
        assertEquals("purged-" + id + "@purged.invalid", purged.get("email"));
        assertNull(purged.get("given_name"));
        assertNull(purged.get("family_name"));
        assertTrue(purged.get("purged_at") != null);
        List<Map<String, Object>> events = sql.rows(
                "SELECT target_email, actor_kind FROM audit_event WHERE target_user_id = ? AND action = 'user.purged'", id);
        assertEquals(1, events.size());
        assertEquals(email, events.get(0).get("target_email"));
        assertEquals("system", events.get(0).get("actor_kind"));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/users/" + id + "/restore")
                .then().statusCode(409).body("error", containsString("purged"));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/audit/verify").then().body("ok", equalTo(true));
    }

    @Test
    void theUserPageOffersRestoreToOperators() {
        String op = admins.create(AdminRole.OPERATOR);
        String email = "restpage" + System.nanoTime() + "@example.com";
        UUID id = onboardAndDelete(op, email, "ACTIVE");
        Browser browser = Browser.signedIn(op, TestAdmins.PASSWORD);
        browser.get("/users/" + id).then().statusCode(200).body(containsString("Restore this user"));
        browser.postFormWithoutToken("/users/" + id + "/restore", Map.of()).then().statusCode(403);
        browser.postForm("/users/" + id + "/restore", Map.of()).then().statusCode(303);
        assertEquals("ACTIVE", sql.rows("SELECT status FROM directory_user WHERE id = ?", id).get(0).get("status"));
    }

    @Test
    void anExportReuploadedAsAnUpdateChangesNothing() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "rt" + System.nanoTime();
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,phone,department,locale,attr.cc\n"
                + m + "-a@example.com,Zoë,Łukasiewicz,+48 22 123 45 67,=Sales,pl-PL,-7\n"
                + m + "-b@example.com,Ann,O'Neil,,R&D,en-GB,\n", "onboard");
        String export = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/users/export.csv")
                .then().statusCode(200).extract().asString();
        List<String[]> rows = new CSVReader(new StringReader(export.substring(1))).readAll();
        StringBuilder mine = new StringBuilder(String.join(",", quoteAll(rows.get(0)))).append("\n");
        for (String[] row : rows) {
            if (row[0].startsWith(m)) {
                mine.append(String.join(",", quoteAll(row))).append("\n");
            }
        }
        assertTrue(mine.toString().contains("'=Sales"), mine.toString());
        String id = Batches.upload(op, TestAdmins.PASSWORD, mine.toString(), "update", "export.csv");
        JsonPath plan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", plan.getString("status"), plan.prettify());
        assertEquals(2, plan.getInt("summary.unchanged"), plan.prettify());
        assertEquals(0, plan.getInt("summary.update") + plan.getInt("summary.error"), plan.prettify());
    }

    @Test
    void theBatchManifestNamesTheFileThePeopleAndTheTotalsAndIsAudited() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "man" + System.nanoTime();
        JsonPath batch = Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name\n"
                + m + "@example.com,Man,Ifest\n", "onboard");
        String id = batch.getString("id");
        given().auth().preemptive().basic(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD)
                .get("/api/batches/" + id + "/manifest").then().statusCode(200)
                .body("fileName", equalTo("onboard.csv")).body("sha256", equalTo(batch.getString("sha256")))
                .body("rows", equalTo(1)).body("uploader.name", equalTo("Test operator"))
                .body("applier.name", equalTo("Test operator")).body("totals.create", equalTo(1))
                .body("applied", org.hamcrest.Matchers.notNullValue());
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'audit.exported'",
                UUID.fromString(id)));
    }

    private static String[] quoteAll(String[] cells) {
        String[] out = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            out[i] = "\"" + cells[i].replace("\"", "\"\"") + "\"";
        }
        return out;
    }
}
