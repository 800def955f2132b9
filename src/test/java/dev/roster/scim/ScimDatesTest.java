package dev.roster.scim;

import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.MutableClock;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import dev.roster.sync.ScheduledChangeRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * #26 item 2 in SCIM (decision 0039): Roster's lifecycle extension and Entra's employeeHireDate /
 * employeeLeaveDateTime schedule, move and cancel dated changes as a file's start_date / end_date do; GET shows them.
 * The clock moves; nothing waits.
 */
@QuarkusTest
class ScimDatesTest {

    private static final String LIFECYCLE = "urn:roster:params:scim:schemas:extension:lifecycle:2.0:User";
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;
    @Inject
    MutableClock clock;
    @Inject
    ScheduledChangeRunner runner;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private static String user(String email, String extra) {
        return """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "%s"],
                 "userName": "%s", "name": {"givenName": "Dee", "familyName": "Dated"},
                 "emails": [{"value": "%s", "type": "work", "primary": true}]%s}""".formatted(LIFECYCLE, email, email, extra);
    }

    /** The calendar API's changes of one user (status ALL), oldest first. */
    private JsonPath changes(Browser viewer, String id, String status) {
        return viewer.api().get("/api/scheduled-changes?status=" + status + "&user=" + id).then().statusCode(200)
                .extract().jsonPath();
    }

    private String userStatus(String id) {
        return (String) sql.rows("SELECT status FROM directory_user WHERE id = ?::uuid", id).get(0).get("status");
    }

    @Test
    void aPostWithAFutureStartDateCreatesTheUserSuspendedWithAPendingActivationThatTheClockRuns() {
        Browser viewer = Browser.signedIn(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD);
        String email = Scim.unique("joiner");
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(10);
        JsonPath created = Scim.rw().body(user(email, ", \"" + LIFECYCLE + "\": {\"startDate\": \"" + start + "\"}"))
                .post("/scim/v2/Users").then().statusCode(201).extract().jsonPath();
        String id = created.getString("id");
        assertFalse(created.getBoolean("active"), "created suspended until the start date");
        assertEquals(start.toString(), created.getString("'" + LIFECYCLE + "'.startDate"));
        assertTrue(created.getList("schemas").contains(LIFECYCLE));

        JsonPath pending = changes(viewer, id, "PENDING");
        assertEquals(List.of("ACTIVATE"), pending.getList("kind"));
        assertEquals(start.toString(), pending.getString("[0].dueOn"));
        assertEquals("scim", pending.getString("[0].origin"));
        assertNull(pending.get("[0].batchId"));
        Scim.as("read").get("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'.startDate", org.hamcrest.Matchers.equalTo(start.toString()));
        Scim.as("read").queryParam("attributes", LIFECYCLE + ":startDate").get("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'.startDate", org.hamcrest.Matchers.equalTo(start.toString()))
                .body("name", org.hamcrest.Matchers.nullValue());

        // a dry run shows the note a file's plan shows, and changes nothing
        String dry = Scim.unique("dry");
        String preview = Scim.rw().body(user(dry, ", \"" + LIFECYCLE + "\": {\"startDate\": \"" + start + "\"}"))
                .post("/scim/v2/Users?dryRun=true").then().statusCode(200).extract().asString();
        assertTrue(preview.contains("activates on") && preview.contains("SUSPENDED"), preview);
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", dry));

        clock.advance(Duration.ofDays(11));
        runner.runDue();
        String runBatch = changes(viewer, id, "DONE").getString("[0].runBatchId");
        assertNotNull(runBatch, "the due activation was run by a scheduled batch");
        String op = admins.create(AdminRole.OPERATOR);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, runBatch).getString("status"));
        assertEquals("ACTIVE", userStatus(id), "a SCIM user is activated (SCIM sends no invitation, decision 0017)");
    }

    @Test
    void patchMovesTheEndDateAndItsSuspensionAndRemoveCancelsThem() {
        Browser viewer = Browser.signedIn(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD);
        String email = Scim.unique("leaver");
        LocalDate end = LocalDate.now(ZoneOffset.UTC).plusDays(20);
        String id = Scim.rw().body(user(email, ", \"" + LIFECYCLE + "\": {\"endDate\": \"" + end + "\"}"))
                .post("/scim/v2/Users").then().statusCode(201).body("active", org.hamcrest.Matchers.equalTo(true))
                .extract().path("id");
        JsonPath pending = changes(viewer, id, "PENDING");
        assertEquals(end.toString(), pending.getString("find { it.kind == 'SUSPEND' }.dueOn"), pending.prettify());

        LocalDate later = end.plusDays(7);
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"" + LIFECYCLE + ":endDate\", \"value\": \"" + later + "\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'.endDate", org.hamcrest.Matchers.equalTo(later.toString()));
        pending = changes(viewer, id, "PENDING");
        assertEquals(later.toString(), pending.getString("find { it.kind == 'SUSPEND' }.dueOn"), pending.prettify());
        JsonPath cancelled = changes(viewer, id, "CANCELLED");
        assertEquals(end.toString(), cancelled.getString("find { it.kind == 'SUSPEND' }.dueOn"), cancelled.prettify());
        assertEquals("dates changed by scim", cancelled.getString("find { it.kind == 'SUSPEND' }.closedReason"));

        // a PUT that does not name the dates leaves them (and their changes) alone
        Scim.rw().body(Scim.user(email, "Dee", "Dated")).put("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'.endDate", org.hamcrest.Matchers.equalTo(later.toString()));
        assertEquals(later.toString(), changes(viewer, id, "PENDING").getString("find { it.kind == 'SUSPEND' }.dueOn"));

        // remove, by Entra's name under the Enterprise extension: the date goes, and every pending change with it
        Scim.rw().body(Scim.patch("{\"op\": \"Remove\", \"path\": \"" + ENTERPRISE + ":employeeLeaveDateTime\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'", org.hamcrest.Matchers.nullValue());
        assertEquals(List.of(), changes(viewer, id, "PENDING").getList("kind"));
        assertNull(sql.rows("SELECT end_date FROM directory_user WHERE id = ?::uuid", id).get(0).get("end_date"));
    }

    @Test
    void entrasHireAndLeaveDateTimesAreReadAsDatesInTheUsersZone() {
        Browser viewer = Browser.signedIn(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD);
        String email = Scim.unique("entra");
        LocalDate hire = LocalDate.now(ZoneOffset.UTC).plusDays(15);
        LocalDate leave = hire.plusDays(90);
        // Entra sends dates as date-times: the hire date at midnight UTC (a date), the leave date-time an instant that
        // is still the day before in New York
        String body = user(email, ", \"timezone\": \"America/New_York\", \"" + ENTERPRISE + "\": {\"employeeHireDate\": \""
                + hire + "T00:00:00Z\", \"employeeLeaveDateTime\": \"" + leave.plusDays(1) + "T03:00:00Z\"}");
        String id = Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(201)
                .body("active", org.hamcrest.Matchers.equalTo(false))
                .body("'" + LIFECYCLE + "'.startDate", org.hamcrest.Matchers.equalTo(hire.toString()))
                .body("'" + LIFECYCLE + "'.endDate", org.hamcrest.Matchers.equalTo(leave.toString()))
                .extract().path("id");
        JsonPath pending = changes(viewer, id, "PENDING");
        assertEquals(hire.toString(), pending.getString("find { it.kind == 'ACTIVATE' }.dueOn"), pending.prettify());
        assertEquals(leave.toString(), pending.getString("find { it.kind == 'SUSPEND' }.dueOn"));

        // Entra's PATCH: a path-less value whose key is the attribute's full path, then one under the lifecycle URN
        LocalDate moved = hire.plusDays(3);
        Scim.rw().body(Scim.patch("{\"op\": \"Replace\", \"value\": {\"" + ENTERPRISE + ":employeeHireDate\": \"" + moved
                + "T00:00:00Z\"}}")).patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'.startDate", org.hamcrest.Matchers.equalTo(moved.toString()));
        assertEquals(moved.toString(), changes(viewer, id, "PENDING").getString("find { it.kind == 'ACTIVATE' }.dueOn"));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"" + LIFECYCLE + ":employeeLeaveDateTime\", \"value\": \""
                + leave.plusDays(2) + "\"}")).patch("/scim/v2/Users/" + id).then().statusCode(200)
                .body("'" + LIFECYCLE + "'.endDate", org.hamcrest.Matchers.equalTo(leave.plusDays(2).toString()));

        // both names for one date must agree; a value that is no date is refused with the attribute named
        Scim.rw().body(user(Scim.unique("twice"), ", \"" + LIFECYCLE + "\": {\"startDate\": \"" + hire + "\"}, \"" + ENTERPRISE
                + "\": {\"employeeHireDate\": \"" + moved + "\"}")).post("/scim/v2/Users").then().statusCode(400)
                .body("scimType", org.hamcrest.Matchers.equalTo("invalidValue"));
        Scim.rw().body(user(Scim.unique("bad"), ", \"" + LIFECYCLE + "\": {\"endDate\": \"next friday\"}"))
                .post("/scim/v2/Users").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("endDate"));
    }

    @Test
    void discoveryListsTheLifecycleExtension() {
        Scim.as("read").get("/scim/v2/Schemas").then().statusCode(200).body("Resources.id", hasItem(LIFECYCLE));
        JsonPath schema = Scim.as("read").get("/scim/v2/Schemas/" + LIFECYCLE).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("startDate", "endDate", "employeeHireDate", "employeeLeaveDateTime"),
                schema.getList("attributes.name"));
        List<Map<String, Object>> extensions = Scim.as("read").get("/scim/v2/ResourceTypes/User").then().statusCode(200)
                .extract().jsonPath().getList("schemaExtensions");
        assertTrue(extensions.stream().anyMatch(e -> LIFECYCLE.equals(e.get("schema"))), extensions.toString());
    }
}
