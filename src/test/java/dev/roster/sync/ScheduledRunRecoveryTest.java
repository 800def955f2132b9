package dev.roster.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.access.Operator;
import dev.roster.batch.apply.ApplyPolicy;
import dev.roster.batch.apply.ApplyRefused;
import dev.roster.batch.apply.ApplyService;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.MutableClock;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * The #26 review leftovers (decision 0041): a day's run cut off between its plan and its apply, or found stale, is
 * superseded by one new batch and runs once; a run held for an operator keeps its changes; the calendar and its API
 * page past 1,000 changes; a move falls on the user's own day. The clock moves; nothing waits.
 */
@QuarkusTest
class ScheduledRunRecoveryTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;
    @Inject
    MutableClock clock;
    @Inject
    ScheduledChangeRunner runner;
    @Inject
    ApplyService applies;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private String onboardJoiner(String op, String name, LocalDate start) {
        String email = name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date\n" + email + ",Jo,J," + start
                + "\n", "onboard");
        assertEquals("SUSPENDED", value("SELECT status FROM directory_user WHERE email = ?", email));
        return email;
    }

    private Object value(String query, Object... args) {
        return sql.rows(query, args).get(0).values().iterator().next();
    }

    private String runBatchOf(String email) {
        Object id = value("SELECT s.run_batch_id::text FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id "
                + "WHERE u.email = ? AND s.kind = 'ACTIVATE'", email);
        return id == null ? null : id.toString();
    }

    private String batchStatus(String id) {
        return value("SELECT status FROM batch WHERE id = ?::uuid", id).toString();
    }

    /** The user was activated once, by one batch, with one invitation. */
    private void assertActivatedOnce(String email, String runBatch) {
        assertEquals("INVITED", value("SELECT status FROM directory_user WHERE email = ?", email));
        assertEquals("DONE", value("SELECT s.status FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id "
                + "WHERE u.email = ? AND s.kind = 'ACTIVATE'", email));
        assertEquals(runBatch, runBatchOf(email));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email = ? "
                + "AND details::text LIKE '%scheduled_by%'", email), "activated once");
        assertEquals(1, sql.count("SELECT count(*) FROM mail_outbox o JOIN directory_user u ON u.id = o.user_id "
                + "WHERE u.email = ? AND o.kind = 'INVITE'", email), "one invitation");
    }

    @Test
    void aRunCutOffBetweenItsPlanAndItsApplyIsSupersededByOneBatchAndRunsOnce() {
        String op = admins.create(AdminRole.OPERATOR);
        String eve = onboardJoiner(op, "eve", LocalDate.now(ZoneOffset.UTC).plusDays(3));
        clock.advance(Duration.ofDays(4));
        // the instance stops right after the plan's commit: the batch is PLANNED and holds eve's activation
        String cut = runner.plan(clock.instant()).orElseThrow().batchId().toString();
        assertEquals("PLANNED", batchStatus(cut));
        assertEquals(cut, runBatchOf(eve));

        String next = runner.runDue().orElseThrow().toString();
        assertFalse(next.equals(cut));
        assertEquals("DISCARDED", batchStatus(cut), "the cut-off batch is superseded, not left holding the change");
        assertEquals("APPLIED", batchStatus(next));
        assertActivatedOnce(eve, next);
        // the next check finds nothing of eve's to do
        runner.runDue();
        assertActivatedOnce(eve, next);
    }

    @Test
    void aRunFoundStaleAtItsApplyIsPlannedAgainOnce() {
        String op = admins.create(AdminRole.OPERATOR);
        String fay = onboardJoiner(op, "fay", LocalDate.now(ZoneOffset.UTC).plusDays(3));
        clock.advance(Duration.ofDays(4));
        UUID stale = runner.plan(clock.instant()).orElseThrow().batchId();
        // fay is edited between the run's plan and its apply: the apply refuses the stale plan, nothing is written
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,title\n" + fay + ",Engineer\n", "update");
        long changes = (Long) value("SELECT count_update FROM batch WHERE id = ?", stale);
        try {
            applies.applyNow(stale, new ApplyPolicy.ApplyRequest(changes, 0L, false, null), Operator.system());
            throw new AssertionError("a stale run was applied");
        } catch (ApplyRefused e) {
            assertEquals(409, e.status());
        }
        assertEquals("PLANNED", batchStatus(stale.toString()));
        assertEquals("SUSPENDED", value("SELECT status FROM directory_user WHERE email = ?", fay));

        String next = runner.runDue().orElseThrow().toString();
        assertEquals("DISCARDED", batchStatus(stale.toString()));
        assertEquals("APPLIED", batchStatus(next));
        assertActivatedOnce(fay, next);
        assertEquals("Engineer", value("SELECT title FROM directory_user WHERE email = ?", fay));
    }

    @Test
    void aRunHeldForAnOperatorKeepsItsChangesAndIsNeverPlannedAgain() {
        String op = admins.create(AdminRole.OPERATOR);
        String gil = onboardJoiner(op, "gil", LocalDate.now(ZoneOffset.UTC).plusDays(3));
        clock.advance(Duration.ofDays(4));
        UUID held = runner.plan(clock.instant()).orElseThrow().batchId();
        // what the limits (or the apply policy) do to a run: it is held, and says so
        sql.update("UPDATE batch SET held_reason = 'activations: 1 over the limit' WHERE id = ?", held);
        runner.runDue();
        runner.runDue();
        assertEquals("PLANNED", batchStatus(held.toString()), "a held run waits for its operator");
        assertEquals(held.toString(), runBatchOf(gil), "its changes stay with it, in no second batch");
        assertEquals("SUSPENDED", value("SELECT status FROM directory_user WHERE email = ?", gil));
        assertEquals(0, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email = ? "
                + "AND details::text LIKE '%scheduled_by%'", gil));
        Browser.signedIn(op, TestAdmins.PASSWORD).postApi("/api/batches/" + held + "/discard").then().statusCode(200);
    }

    @Test
    void theApiAndTheCalendarPagePastAPage() {
        String op = admins.create(AdminRole.OPERATOR);
        String run = UUID.randomUUID().toString().substring(0, 8);
        LocalDate day = LocalDate.now(ZoneOffset.UTC).plusDays(500 + (System.nanoTime() & 255));
        int users = ScheduledChangeCalendar.PAGE_SIZE + 3;
        StringBuilder file = new StringBuilder("email,given_name,family_name,start_date\n");
        for (int i = 0; i < users; i++) {
            file.append("pg").append(String.format("%03d", i)).append('-').append(run).append("@example.org,P,G,").append(day).append('\n');
        }
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, file.toString(), "onboard");
        Browser page = Browser.signedIn(op, TestAdmins.PASSWORD);
        String filter = "from=" + day + "&to=" + day;

        Response first = page.api().get("/api/scheduled-changes?" + filter + "&limit=150");
        first.then().statusCode(200);
        assertEquals(150, first.jsonPath().getList("id").size());
        assertEquals(String.valueOf(users), first.header("X-Total-Count"));
        String link = first.header("Link");
        assertTrue(link != null && link.contains("offset=150") && link.contains("rel=\"next\""), link);
        Response last = page.api().get("/api/scheduled-changes?" + filter + "&limit=150&offset=150");
        assertEquals(users - 150, last.jsonPath().getList("id").size());
        assertNull(last.header("Link"), "no next page after the last");
        assertEquals(users, last.jsonPath().getList("email").size() + 150);
        assertTrue(last.jsonPath().getString("[0].email").startsWith("pg150-"), "in due order, then by email");
        // the existing fields and the default answer are unchanged: all of them, up to 1,000
        assertEquals(users, page.api().get("/api/scheduled-changes?" + filter).jsonPath().getList("dueOn").size());
        page.api().get("/api/scheduled-changes?limit=0").then().statusCode(400);
        page.api().get("/api/scheduled-changes?limit=1001").then().statusCode(400);

        String one = page.get("/scheduled-changes?" + filter).then().statusCode(200).extract().asString();
        assertTrue(one.contains(users + " to activate") && one.contains("Later changes") && one.contains("pg000-" + run)
                && !one.contains("pg" + ScheduledChangeCalendar.PAGE_SIZE + "-" + run), one);
        String two = page.get("/scheduled-changes?" + filter + "&offset=" + ScheduledChangeCalendar.PAGE_SIZE).then()
                .statusCode(200).extract().asString();
        assertTrue(two.contains("(continued)") && two.contains(users + " to activate") && two.contains("Earlier changes")
                && two.contains("pg" + ScheduledChangeCalendar.PAGE_SIZE + "-" + run) && !two.contains("pg000-" + run), two);
    }

    @Test
    void aMoveFallsOnTheUsersOwnDay() {
        String op = admins.create(AdminRole.OPERATOR);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String west = "west-" + run + "@example.org";
        String east = "east-" + run + "@example.org";
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(30);
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date,timezone\n"
                + west + ",W,W," + start + ",Pacific/Pago_Pago\n" + east + ",E,E," + start + ",Pacific/Kiritimati\n", "onboard");
        // 10:30 UTC on day D (the organisation's zone is UTC): D-1 23:30 in Pago Pago (UTC-11), D+1 00:30 in Kiritimati (UTC+14)
        Instant target = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(2)).plus(Duration.ofMinutes(630));
        clock.advance(Duration.between(Instant.now(), target));
        LocalDate d = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Browser page = Browser.signedIn(op, TestAdmins.PASSWORD);
        String westChange = value("SELECT s.id::text FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id WHERE u.email = ?",
                west).toString();
        String eastChange = value("SELECT s.id::text FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id WHERE u.email = ?",
                east).toString();

        // still today for the user in Pago Pago, although it is tomorrow in the organisation's zone
        page.api().contentType("application/json").body(Map.of("dueOn", d.minusDays(1).toString())).post("/api/scheduled-changes/" + westChange + "/move")
                .then().statusCode(204);
        assertEquals(d.minusDays(1).toString(), value("SELECT due_on::text FROM scheduled_change WHERE id = ?::uuid", westChange));
        // already past for the user in Kiritimati, although it is today in the organisation's zone
        String refused = page.api().contentType("application/json").body(Map.of("dueOn", d.toString())).post("/api/scheduled-changes/" + eastChange + "/move")
                .then().statusCode(400).extract().asString();
        assertTrue(refused.contains("Pacific/Kiritimati"), refused);
        assertEquals(start.toString(), value("SELECT due_on::text FROM scheduled_change WHERE id = ?::uuid", eastChange));
        page.api().contentType("application/json").body(Map.of("dueOn", d.plusDays(1).toString())).post("/api/scheduled-changes/" + eastChange + "/move")
                .then().statusCode(204);
    }
}
