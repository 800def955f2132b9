package dev.roster.sync;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.mail.MailFixtures;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.MutableClock;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * #26 items 2, 3 and 5: a file's future start dates create users suspended with pending activations; when the test
 * clock reaches the date the due changes run as one SCHEDULED batch that activates them and sends their invitations,
 * once; a later file moves an end date; a revert cancels what its batch scheduled. The clock moves; nothing waits.
 */
@QuarkusTest
class ScheduledChangesTest {

    private static final String INVITED = "You are invited: set your password";

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

    private String status(String email) {
        return (String) sql.rows("SELECT status FROM directory_user WHERE email = ?", email).get(0).get("status");
    }

    /** The user's activations and suspensions (the leaver policy's deletes: {@link #deletes}), oldest first. */
    private List<Map<String, Object>> changes(String email) {
        return sql.rows("SELECT s.kind, s.status, s.due_on::text AS due_on, s.batch_id::text AS batch_id, "
                + "s.run_batch_id::text AS run_batch_id FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id "
                + "WHERE u.email = ? AND s.kind <> 'DELETE' ORDER BY s.created_at, s.kind", email);
    }

    /** The user's leaver deletes (roster.schedule.leaver-delete-after-days=14 in the tests), oldest first. */
    private List<Map<String, Object>> deletes(String email) {
        return sql.rows("SELECT s.status, s.due_on::text AS due_on, s.closed_reason, s.run_batch_id::text AS run_batch_id "
                + "FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id "
                + "WHERE u.email = ? AND s.kind = 'DELETE' ORDER BY s.created_at", email);
    }

    private static final int LEAVER_DAYS = 14;

    private long invitations(String email) {
        return sql.count("SELECT count(*) FROM mail_outbox o JOIN directory_user u ON u.id = o.user_id "
                + "WHERE u.email = ? AND o.kind = 'INVITE'", email);
    }

    @Test
    void futureStartDatesActivateAndInviteWhenTheClockReachesThemOnceAndAMovedEndDateMovesTheSuspension() {
        String op = admins.create(AdminRole.OPERATOR);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ann = "ann-" + run + "@example.org";
        String bob = "bob-" + run + "@example.org";
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate start = today.plusDays(10);
        LocalDate end = start.plusDays(30);
        JsonPath onboard = Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date,end_date\n"
                + ann + ",Ann,A," + start + "," + end + "\n" + bob + ",Bob,B," + start + ",\n", "onboard");
        assertEquals("APPLIED", onboard.getString("status"), onboard.prettify());
        String onboardId = onboard.getString("id");
        assertEquals("SUSPENDED", status(ann));
        assertEquals("SUSPENDED", status(bob));
        assertEquals(0, invitations(ann) + invitations(bob), "no invitation before the start date");
        List<Map<String, Object>> annChanges = changes(ann);
        assertEquals(2, annChanges.size(), annChanges.toString());
        assertEquals("ACTIVATE", annChanges.get(0).get("kind"));
        assertEquals(start.toString(), annChanges.get(0).get("due_on"));
        assertEquals(onboardId, annChanges.get(0).get("batch_id"));
        assertEquals("SUSPEND", annChanges.get(1).get("kind"));
        assertEquals(end.toString(), annChanges.get(1).get("due_on"));

        // nothing is due yet
        runner.runDue();
        assertEquals("SUSPENDED", status(ann));
        assertEquals("PENDING", changes(bob).get(0).get("status"));

        // the clock reaches the start date: one SCHEDULED batch activates both and sends their invitations
        clock.advance(Duration.ofDays(11));
        runner.runDue();
        String runBatch = (String) changes(bob).get(0).get("run_batch_id");
        assertTrue(runBatch != null, "the due change was taken by a run");
        JsonPath batch = Batches.awaitApplied(op, TestAdmins.PASSWORD, runBatch);
        assertEquals("APPLIED", batch.getString("status"), batch.prettify());
        assertEquals("scheduled", batch.getString("operation").toLowerCase());
        assertEquals(runBatch, changes(ann).get(0).get("run_batch_id"), "one batch for the day's changes");
        assertEquals("DONE", changes(ann).get(0).get("status"));
        assertEquals("PENDING", changes(ann).get(1).get("status"), "the suspension is still ahead");
        MailFixtures.awaitMail(ann, INVITED, 1);
        MailFixtures.awaitMail(bob, INVITED, 1);
        assertEquals("INVITED", status(bob));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email = ? "
                + "AND batch_id = ?::uuid AND details::text LIKE ?", bob, runBatch, "%" + onboardId + "%"),
                "audited per user, naming the batch that scheduled it");
        // a second run (another instance, the next check) finds nothing left
        runner.runDue();
        assertEquals(1, invitations(ann));
        assertEquals(1, invitations(bob));

        // a later file moves the end date: the plan says so, and the pending suspension moves
        LocalDate later = end.plusDays(15);
        String moveId = Batches.upload(op, TestAdmins.PASSWORD, "email,end_date\n" + ann + "," + later + "\n", "update", "u.csv");
        Batches.awaitPlanned(op, TestAdmins.PASSWORD, moveId);
        String items = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + moveId + "/changes")
                .then().statusCode(200).extract().asString();
        assertTrue(items.contains(" → "), items);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,end_date\n" + ann + "," + later + "\n", "update");
        List<Map<String, Object>> moved = changes(ann);
        assertEquals("CANCELLED", moved.get(1).get("status"), moved.toString());
        assertEquals("SUSPEND", moved.get(2).get("kind"));
        assertEquals(later.toString(), moved.get(2).get("due_on"));
        assertEquals("PENDING", moved.get(2).get("status"));
    }

    @Test
    void aStatusSetByHandAfterTheSchedulingWinsOverTheStartDate() {
        String op = admins.create(AdminRole.OPERATOR);
        String cy = "cy-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(5);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date\n" + cy + ",Cy,C," + start
                + "\n", "onboard");
        assertEquals("PENDING", changes(cy).get(0).get("status"));
        // activated early, then suspended again on purpose (an investigation): the start date must not undo that
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,status\n" + cy + ",active\n", "update");
        assertEquals("PENDING", changes(cy).get(0).get("status"), "activating early leaves the activation to do nothing");
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,status\n" + cy + ",suspended\n", "update");
        assertEquals("CANCELLED", changes(cy).get(0).get("status"), changes(cy).toString());
        clock.advance(Duration.ofDays(6));
        runner.runDue();
        assertEquals("SUSPENDED", status(cy));
    }

    @Test
    void aRevertCancelsThePendingChangesOfTheRevertedBatch() {
        String op = admins.create(AdminRole.OPERATOR);
        String cleo = "cleo-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(20);
        JsonPath onboard = Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date\n"
                + cleo + ",Cleo,C," + start + "\n", "onboard");
        assertEquals("PENDING", changes(cleo).get(0).get("status"));
        String revert = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + onboard.getString("id") + "/revert").then().statusCode(201).extract().path("id");
        JsonPath planned = Batches.awaitPlanned(op, TestAdmins.PASSWORD, revert);
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": " + (planned.getLong("summary.create") + planned.getLong("summary.update")
                        + planned.getLong("summary.delete")) + ", \"deleteCount\": " + planned.getLong("summary.delete") + "}")
                .post("/api/batches/" + revert + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, revert).getString("status"));
        assertEquals("CANCELLED", changes(cleo).get(0).get("status"));
    }

    @Test
    void theCalendarShowsPendingChangesAndOperatorsMoveAndCancelThem() {
        String op = admins.create(AdminRole.OPERATOR);
        String dana = "dana-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(30);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date,end_date\n" + dana
                + ",Dana,D," + start + "," + start.plusDays(60) + "\n", "onboard");
        String userId = sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", dana).get(0).get("id").toString();
        Browser page = Browser.signedIn(op, TestAdmins.PASSWORD);
        String html = page.get("/scheduled-changes?kind=ACTIVATE&from=" + start + "&to=" + start).then().statusCode(200)
                .extract().asString();
        assertTrue(html.contains(dana) && html.contains("activates"), html);
        assertTrue(page.get("/scheduled-changes?from=not-a-date").then().statusCode(400).extract().asString()
                .contains("YYYY-MM-DD"));

        JsonPath pending = page.api().get("/api/scheduled-changes?user=" + userId).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("ACTIVATE", "SUSPEND", "DELETE"), pending.getList("kind"), "the leaver policy's delete is listed");
        String activation = pending.getString("[0].id");
        String suspension = pending.getString("[1].id");

        // an operator moves the activation on the page (CSRF form) and cancels the suspension through the API
        LocalDate moved = start.plusDays(7);
        page.postForm("/scheduled-changes/" + activation + "/move", Map.of("dueOn", moved.toString())).then().statusCode(303);
        assertEquals(moved.toString(), changes(dana).get(0).get("due_on"));
        page.postApi("/api/scheduled-changes/" + suspension + "/cancel").then().statusCode(204);
        assertEquals("CANCELLED", changes(dana).get(1).get("status"));
        assertEquals("CANCELLED", deletes(dana).get(0).get("status"), "the leaver's delete goes with its suspension");
        page.postApi("/api/scheduled-changes/" + suspension + "/cancel").then().statusCode(409);
        assertEquals(2, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email = ? "
                + "AND details::text LIKE '%scheduledChange%'", dana), "moves and cancels are audited on the user");

        // a viewer reads the calendar but cannot change it; the user page lists the pending change
        Browser viewer = Browser.signedIn(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD);
        viewer.get("/scheduled-changes").then().statusCode(200);
        viewer.postForm("/scheduled-changes/" + activation + "/cancel", Map.of()).then().statusCode(403);
        String user = page.get("/users/" + userId).then().statusCode(200).extract().asString();
        assertTrue(user.contains("Dated changes") && user.contains(moved.toString()), user);
    }

    @Test
    void theLeaverPolicyDeletesASuspendedLeaverNDaysAfterTheEndDateFollowingTheDateAndRestorable() {
        String op = admins.create(AdminRole.OPERATOR);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String lea = "lea-" + run + "@example.org";
        String stay = "stay-" + run + "@example.org";
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate end = today.plusDays(3);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name\n" + lea + ",Lea,L\n" + stay
                + ",Stay,S\n", "onboard");
        // the plan says what the leaver policy will do
        String planId = Batches.upload(op, TestAdmins.PASSWORD, "email,end_date\n" + lea + "," + end + "\n", "update", "l.csv");
        Batches.awaitPlanned(op, TestAdmins.PASSWORD, planId);
        String items = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + planId + "/changes")
                .then().statusCode(200).extract().asString();
        assertTrue(items.contains("(leaver policy)"), items);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,end_date\n" + lea + "," + end + "\n" + stay + ","
                + end + "\n", "update");
        assertEquals(end.plusDays(LEAVER_DAYS).toString(), deletes(lea).get(0).get("due_on"));
        assertEquals("PENDING", deletes(lea).get(0).get("status"));

        // a later file moves the end date: the delete moves with it; clearing it cancels both
        LocalDate moved = end.plusDays(2);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,end_date\n" + lea + "," + moved + "\n" + stay + ",#clear\n",
                "update");
        assertEquals("CANCELLED", deletes(lea).get(0).get("status"));
        assertEquals(moved.plusDays(LEAVER_DAYS).toString(), deletes(lea).get(1).get("due_on"));
        assertEquals("PENDING", deletes(lea).get(1).get("status"));
        assertTrue(deletes(stay).stream().allMatch(d -> d.get("status").equals("CANCELLED")), deletes(stay).toString());
        String userId = sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", lea).get(0).get("id").toString();
        Browser page = Browser.signedIn(op, TestAdmins.PASSWORD);
        JsonPath calendar = page.api().get("/api/scheduled-changes?kind=DELETE&user=" + userId).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(moved.plusDays(LEAVER_DAYS).toString(), calendar.getString("[0].dueOn"));
        String html = page.get("/scheduled-changes?kind=DELETE").then().statusCode(200).extract().asString();
        assertTrue(html.contains(lea) && html.contains("leaver policy"), html);
        // an operator moves the suspension a day earlier on the calendar: the delete moves with it
        String suspension = page.api().get("/api/scheduled-changes?kind=SUSPEND&user=" + userId).then().statusCode(200)
                .extract().path("[0].id");
        page.api().contentType("application/json").body(Map.of("dueOn", moved.minusDays(1).toString()))
                .post("/api/scheduled-changes/" + suspension + "/move").then().statusCode(204);
        assertEquals(moved.minusDays(1).plusDays(LEAVER_DAYS).toString(), deletes(lea).get(1).get("due_on"));

        // the end of the end date: suspended, the delete still ahead
        clock.advance(Duration.ofDays(6));
        runner.runDue();
        assertEquals("SUSPENDED", status(lea));
        assertEquals("PENDING", deletes(lea).get(1).get("status"));
        assertEquals("INVITED", status(stay), "a cleared end date suspends no one");

        // N days later the same daily run deletes the leaver, audited, and the user can be restored (retention 30 days)
        clock.advance(Duration.ofDays(LEAVER_DAYS));
        runner.runDue();
        String runBatch = (String) deletes(lea).get(1).get("run_batch_id");
        assertTrue(runBatch != null, deletes(lea).toString());
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, runBatch).getString("status"));
        assertEquals("DONE", deletes(lea).get(1).get("status"));
        assertEquals("DELETED", status(lea));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.deleted' AND target_email = ? "
                + "AND batch_id = ?::uuid", lea, runBatch));
        page.postApi("/api/users/" + userId + "/restore").then().statusCode(200);
        assertEquals("SUSPENDED", status(lea), "restored to the status it had: suspended");
    }

    @Test
    void aLeaverReactivatedAfterTheSuspensionIsNotDeleted() {
        String op = admins.create(AdminRole.OPERATOR);
        String rex = "rex-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        LocalDate end = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,end_date\n" + rex + ",Rex,R," + end + "\n",
                "onboard");
        clock.advance(Duration.ofDays(3));
        runner.runDue();
        assertEquals("SUSPENDED", status(rex));
        assertEquals("PENDING", deletes(rex).get(0).get("status"));
        // the leaver stays after all: reactivated by hand, the pending delete is cancelled (V34's trigger)
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,status\n" + rex + ",ACTIVE\n", "update");
        assertEquals("CANCELLED", deletes(rex).get(0).get("status"), deletes(rex).toString());
        clock.advance(Duration.ofDays(LEAVER_DAYS + 1));
        runner.runDue();
        assertTrue(!status(rex).equals("DELETED"), status(rex));
    }
}
