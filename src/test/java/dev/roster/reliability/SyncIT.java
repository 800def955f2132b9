package dev.roster.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.roster.support.ItDatabase;
import dev.roster.support.RemoteBatches;
import dev.roster.support.RosterProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync sources on two packaged Roster JVMs and one database (docs/sync.md, docs/decisions/0018): a schedule
 * fires on exactly one instance each time, and a run whose instance is killed in the middle of its apply
 * leaves nothing half-applied and is retried by the other instance.
 */
class SyncIT {

    private static final Map<String, String> SETTINGS = Map.of("roster.sync.cluster-checkin", "1000ms",
            "roster.sync.settle", "200ms", "roster.sync.poll-interval", "1s", "roster.apply.interrupted-after", "5S",
            "roster.apply.interrupted-check", "3s", "roster.sync.directory-root", System.getProperty("java.io.tmpdir"),
            "roster.sync.min-interval", "1s");
    private static final Map<String, Object> ALL_LIMITS = Map.of("create", 100000, "update", 100000, "suspend", 100000,
            "delete", 100000);

    private RosterProcess a;
    private RosterProcess b;

    @BeforeEach
    void start() {
        ItDatabase.clean();
        a = RosterProcess.start("sync-a", SETTINGS);
        b = RosterProcess.start("sync-b", SETTINGS);
    }

    @AfterEach
    void stop() {
        for (RosterProcess p : new RosterProcess[] { a, b }) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static String source(RosterProcess on, String name, Path dir, Map<String, Object> more) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", name, "kind", "directory", "location",
                dir.toAbsolutePath().toString(), "scope", "created", "absent", "suspend", "autoApply", true,
                "limits", ALL_LIMITS));
        body.putAll(more);
        return on.signedIn().contentType("application/json").body(body).post("/api/sources").then().statusCode(201)
                .extract().path("id");
    }

    @Test
    void aScheduleRunsOnceAcrossTwoInstances() throws Exception {
        String m = "sit" + Long.toHexString(System.nanoTime());
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "sync-it-");
        Files.writeString(dir.resolve("hr.csv"), RemoteBatches.onboarding(m, 0, 200));
        // Every 4 seconds, on whichever instance acquires the trigger.
        String id = source(a, "Every 4 s " + m, dir, Map.of("schedule", "0/4 * * * * ?"));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (ItDatabase.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid AND status <> 'RUNNING'", id) < 4) {
            assertTrue(Instant.now().isBefore(deadline), "the schedule did not fire four times");
            RosterProcess.sleep(250);
        }
        a.signedIn().contentType("application/json").body(Map.of("name", "Every 4 s " + m, "kind", "directory", "location",
                dir.toAbsolutePath().toString(), "scope", "created", "absent", "suspend", "autoApply", true, "limits", ALL_LIMITS, "paused", true))
                .put("/api/sources/" + id).then().statusCode(200);
        RosterProcess.sleep(1500);

        assertEquals(1, ItDatabase.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid AND status = 'APPLIED'", id));
        assertEquals(200, ItDatabase.count("SELECT count(*) FROM directory_user WHERE source_id = ?::uuid", id));
        assertEquals(200, ItDatabase.count("SELECT count(*) FROM audit_event WHERE action = 'user.created'"));
        // One run per firing: never more runs than the 4-second ticks between the first and the last.
        long runs = ItDatabase.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid", id);
        long span = ItDatabase.count("""
                SELECT extract(epoch FROM max(started_at) - min(started_at))::bigint FROM sync_run WHERE source_id = ?::uuid""", id);
        assertTrue(runs <= span / 4 + 2, runs + " runs in " + span + " s");
        assertFalse(a.logText().contains("is being run by another instance") || b.logText().contains("is being run by another instance"),
                "Quartz fired each tick on one instance only (the run lock never had to turn a second one away)");
        System.out.printf("SyncIT: %d runs of one schedule on two instances (%s), one APPLIED, the rest SKIPPED%n",
                ItDatabase.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid", id),
                ItDatabase.strings("SELECT DISTINCT instance FROM sync_run WHERE source_id = ?::uuid", id));
    }

    @Test
    void aRunKilledInItsApplyLeavesNothingHalfAppliedAndIsRetriedByTheOtherInstance() throws Exception {
        String m = "sik" + Long.toHexString(System.nanoTime());
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "sync-it-");
        int rows = 1000;
        Files.writeString(dir.resolve("hr.csv"), RemoteBatches.onboarding(m, 0, rows));
        // The apply waits for this test's lock before its first write; its instance is killed there.
        String id;
        try (ApplyPhaseHold hold = ApplyPhaseHold.take(ApplyPhaseHold.Phase.LOCKED, "00000000-0000-0000-0000-000000000000")) {
            id = source(a, "Watched " + m, dir, Map.of("onNewFile", true));
            hold.awaitApplyWaiting(Duration.ofSeconds(120));
            String instance = ItDatabase.text("SELECT instance FROM sync_run WHERE source_id = ?::uuid AND status = 'RUNNING'", id);
            RosterProcess victim = instance.endsWith(Long.toString(a.pid())) ? a : b;
            victim.kill();
            if (victim == a) {
                a = null;
            } else {
                b = null;
            }
        }
        RosterProcess survivor = a != null ? a : b;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (ItDatabase.count("SELECT count(*) FROM sync_run WHERE source_id = ?::uuid AND status = 'APPLIED'", id) == 0) {
            assertTrue(Instant.now().isBefore(deadline), "the interrupted run was not retried: "
                    + ItDatabase.strings("SELECT status || ' ' || coalesce(reason, '') FROM sync_run WHERE source_id = ?::uuid", id));
            RosterProcess.sleep(250);
        }
        List<String> interrupted = List.copyOf(ItDatabase.strings(
                "SELECT reason FROM sync_run WHERE source_id = ?::uuid AND status = 'FAILED'", id));
        assertEquals(1, interrupted.size(), interrupted.toString());
        assertTrue(interrupted.get(0).startsWith("interrupted"), interrupted.toString());
        assertEquals(rows, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ?", m + "-%"));
        assertEquals(rows, ItDatabase.count("SELECT count(*) FROM audit_event WHERE action = 'user.created'"),
                "every user created once, by the retry: nothing of the killed apply was kept");
        // The killed apply's batch ends FAILED (interrupted) or discarded by the retry, with nothing of it applied.
        String killedBatch = ItDatabase.text("SELECT batch_id::text FROM sync_run WHERE source_id = ?::uuid AND status = 'FAILED'", id);
        RemoteBatches.await(survivor, killedBatch, x -> List.of("FAILED", "DISCARDED").contains(x.getString("status")),
                "failed or discarded", Duration.ofSeconds(60));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM audit_event WHERE batch_id = ?::uuid AND action LIKE 'user.%'",
                killedBatch));
        RemoteBatches.assertAuditChainVerifies(survivor);
        System.out.printf("SyncIT: run killed in its apply; retried by the other instance: %s; %d users, each created once%n",
                interrupted.get(0), rows);
    }
}
