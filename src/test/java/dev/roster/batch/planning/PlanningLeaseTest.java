package dev.roster.batch.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.OwnerSql;
import dev.roster.support.TestAdmins;
import dev.roster.sql.Jdbc;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue #27: a planning run that is starved (here: stalled on a table lock) past the old 60 s heartbeat
 * window keeps its batch. Another run, whether the background resume of another instance or a caller that
 * plans on its own thread, neither claims the batch nor writes a second plan: ownership is the lease the
 * database grants, not the age of a heartbeat.
 */
@QuarkusTest
class PlanningLeaseTest {

    @Inject
    BatchPlanning planning;
    @Inject
    Jdbc jdbc;
    @Inject
    TestAdmins admins;

    @Test
    void aStarvedPlannerKeepsItsBatchAndThePlanIsWrittenOnce() throws Exception {
        String operator = admins.create(AdminRole.OPERATOR);
        String domain = "lease-" + System.nanoTime() + ".example.com";
        String csv = "email,given_name,family_name\n"
                + "a@" + domain + ",Ana,Lease\n"
                + "b@" + domain + ",Ben,Lease\n"
                + "c@" + domain + ",Cy,Lease\n";
        String id;
        CompletableFuture<Void> second;
        try (Connection owner = OwnerSql.connect(); Statement st = owner.createStatement()) {
            owner.setAutoCommit(false);
            // Every directory lookup of the planner now waits: the first run is stalled mid-plan, lease held.
            st.execute("LOCK TABLE directory_user IN ACCESS EXCLUSIVE MODE");
            try {
                id = Batches.upload(operator, TestAdmins.PASSWORD, csv, "onboard", "lease.csv");
                UUID batch = UUID.fromString(id);
                awaitAttempts(batch, 1);
                // As if the stalled run had been silent for ten minutes: far past the old stale window.
                jdbc.update("UPDATE batch SET planning_heartbeat = now() - interval '10 minutes', "
                        + "created_at = now() - interval '10 minutes' WHERE id = ?", batch);

                planning.resumeInterrupted();
                second = CompletableFuture.runAsync(() -> planning.planNow(batch));
                awaitLeaseWaiter(batch);
                assertEquals(1, attempts(batch), "no second run claimed the batch while its planner lives");
                assertFalse(second.isDone(), "a caller that plans itself waits for the living run");
                assertEquals("PLANNING", status(batch));
            } finally {
                owner.rollback();
            }
        }
        second.get(60, TimeUnit.SECONDS);
        var planned = Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", planned.getString("status"), "planned once, no duplicate-key failure: " + planned.prettify());
        assertEquals(3, planned.getInt("summary.create"));
        UUID batch = UUID.fromString(id);
        assertEquals(1, attempts(batch));
        assertEquals(3L, jdbc.one("SELECT count(*) FROM plan_item WHERE batch_id = ?", rs -> rs.getLong(1), batch).orElseThrow());
    }

    @Test
    void aBatchWhoseRunDiedIsTakenOverOnce() throws Exception {
        // A dead instance leaves its batch PLANNING with no lease (its transaction ended with its connection).
        String operator = admins.create(AdminRole.OPERATOR);
        String domain = "orphan-" + System.nanoTime() + ".example.com";
        String csv = "email,given_name,family_name\no@" + domain + ",Orla,Orphan\n";
        String id;
        try (Connection owner = OwnerSql.connect(); Statement st = owner.createStatement()) {
            owner.setAutoCommit(false);
            st.execute("LOCK TABLE directory_user IN ACCESS EXCLUSIVE MODE");
            try {
                id = Batches.upload(operator, TestAdmins.PASSWORD, csv, "onboard", "orphan.csv");
                awaitAttempts(UUID.fromString(id), 1);
                // Kill the run's transaction from outside, as a crash would: its lease and plan rows go with it.
                // (as the runtime role, which may end its own backends)
                assertEquals(1L, jdbc.one("SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' "
                        + "AND granted AND classid = ?::oid AND objsubid = 2 "
                        + "AND objid::bigint = (hashtext(?::text)::bigint & 4294967295)", rs -> rs.getLong(1),
                        BatchPlanning.LEASE_SPACE, id).orElseThrow(), "the run's leased transaction was found and ended");
            } finally {
                owner.rollback();
            }
        }
        UUID batch = UUID.fromString(id);
        // A caller that plans on its own thread (as a sync run does) takes the free lease and plans at once
        // (or, if the resume job was quicker, waits for that run and finds the plan made).
        planning.planNow(batch);
        assertEquals("PLANNED", status(batch), "planNow returns with the batch planned");
        jdbc.update("UPDATE batch SET created_at = now() - interval '1 minute' WHERE id = ?", batch);
        planning.resumeInterrupted();
        var planned = Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", planned.getString("status"), planned.prettify());
        assertEquals(1, planned.getInt("summary.create"));
        assertEquals(2, attempts(batch), "the dead run and the one that took over; the resume job found nothing left to do");
        assertEquals(1L, jdbc.one("SELECT count(*) FROM plan_item WHERE batch_id = ?", rs -> rs.getLong(1), batch).orElseThrow());
    }

    private int attempts(UUID batch) {
        return jdbc.one("SELECT planning_attempts FROM batch WHERE id = ?", rs -> rs.getInt(1), batch).orElseThrow();
    }

    private String status(UUID batch) {
        return jdbc.one("SELECT status FROM batch WHERE id = ?", rs -> rs.getString(1), batch).orElseThrow();
    }

    /** Waits until a second caller queues for the batch's lease (a lock request PostgreSQL has not granted). */
    private void awaitLeaseWaiter(UUID batch) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!jdbc.one("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                + "AND classid = ?::oid AND objsubid = 2 AND objid::bigint = (hashtext(?::text)::bigint & 4294967295))",
                rs -> rs.getBoolean(1), BatchPlanning.LEASE_SPACE, batch.toString()).orElseThrow()) {
            assertTrue(System.nanoTime() < deadline, "no second caller ever waited for the lease of batch " + batch);
            Thread.sleep(50);
        }
    }

    private void awaitAttempts(UUID batch, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (attempts(batch) < expected) {
            assertTrue(System.nanoTime() < deadline, "the planner never claimed batch " + batch);
            Thread.sleep(50);
        }
    }
}
