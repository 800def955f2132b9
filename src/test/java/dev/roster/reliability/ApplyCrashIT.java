package dev.roster.reliability;

import static dev.roster.support.RemoteBatches.apply;
import static dev.roster.support.RemoteBatches.assertAuditChainVerifies;
import static dev.roster.support.RemoteBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.support.ItDatabase;
import dev.roster.support.RemoteBatches;
import dev.roster.support.RosterProcess;
import io.restassured.path.json.JsonPath;

/**
 * SIGKILL of a packaged Roster while it applies a batch, at every phase of the apply (held there by
 * a lock this test takes in PostgreSQL, {@link ApplyPhaseHold}) and at moments chosen by timing (right after the 202,
 * once progress shows, late in the audit phase). After each restart the batch is FAILED
 * "interrupted" with nothing of it in the directory, the audit trail or the outbox, the audit chain
 * verifies, and the same batch is applied again; in the end it applies completely, once.
 */
class ApplyCrashIT {

    private static final int ROWS = 5_000;
    private static final Duration DETECTION = Duration.ofSeconds(90);

    private final String marker = "crash" + Long.toHexString(System.nanoTime());
    private int kills;
    private int interrupted;
    private int restarts;
    private final List<String> log = new ArrayList<>();

    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("roster.mail.sender.enabled", "false");
        settings.put("roster.apply.interrupted-after", "2S");
        settings.put("roster.apply.interrupted-check", "2s");
        return settings;
    }

    @Test
    void aKilledApplyLeavesNothingBehindAndCanBeAppliedAgain() {
        ItDatabase.clean();
        List<ApplyPhaseHold.Phase> phases = ApplyPhaseHold.PHASES;
        RosterProcess roster = RosterProcess.start("apply-crash-0", settings());
        String id;
        try {
            id = RemoteBatches.upload(roster, RemoteBatches.onboarding(marker, 0, ROWS), "onboard");
            assertEquals(ROWS, RemoteBatches.changes(RemoteBatches.awaitPlanned(roster, id)));
        } catch (RuntimeException | AssertionError e) {
            roster.close();
            throw e;
        }

        // Killed at each phase of the apply, held there by a lock of this test's; released after the kill.
        for (int i = 0; i < phases.size(); i++) {
            if (i > 0) {
                roster = restart();
                assertInterruptedAndNothingApplied(roster, id);
            }
            ApplyPhaseHold.Phase phase = phases.get(i);
            ApplyPhaseHold hold = phase.afterClaim ? null : ApplyPhaseHold.take(phase, id);
            try {
                apply(roster, id, ROWS).then().statusCode(202);
                if (hold == null) {
                    // The apply takes seconds to write 5,000 users, their links and 10,000 events: time enough.
                    hold = ApplyPhaseHold.take(phase, id);
                }
                hold.awaitApplyWaiting(Duration.ofSeconds(120));
                roster.kill();
            } finally {
                if (hold != null) {
                    hold.close();
                }
            }
            kills++;
            log.add("killed at phase " + phases.get(i));
        }

        // Killed right after the 202: the applier may not have started.
        roster = restart();
        assertInterruptedAndNothingApplied(roster, id);
        apply(roster, id, ROWS).then().statusCode(202);
        roster.kill();
        kills++;
        log.add("killed right after the 202");

        // Killed once progress shows (users written), then late in the audit phase: by timing, so the
        // apply may have finished first; either way it is all or nothing.
        String[] moments = { "progress", "late" };
        for (String moment : moments) {
            roster = restart();
            if (!appliedAlready(roster, id)) {
                assertInterruptedAndNothingApplied(roster, id);
                apply(roster, id, ROWS).then().statusCode(202);
                long threshold = moment.equals("progress") ? 1 : (long) (ROWS * 1.5);
                JsonPath seen = RemoteBatches.await(roster, id, b -> !"APPLYING".equals(b.getString("status"))
                        || b.getLong("progress.done") >= threshold, "at progress " + threshold, Duration.ofSeconds(120));
                roster.kill();
                kills++;
                log.add("killed at " + moment + " (" + seen.getString("status") + ", progress " + seen.getLong("progress.done")
                        + "/" + seen.getLong("progress.total") + ")");
            }
        }

        roster = restart();
        try {
            if (!appliedAlready(roster, id)) {
                assertInterruptedAndNothingApplied(roster, id);
                apply(roster, id, ROWS).then().statusCode(202);
                RemoteBatches.awaitStatus(roster, id, "APPLIED", Duration.ofSeconds(180));
            }
            assertAppliedOnceCompletely(roster, id);
            System.out.printf("ApplyCrashIT: %d-row batch, %d SIGKILLs during apply (%s), %d of them left it APPLYING "
                    + "and were found interrupted after the restart, nothing half-applied; %d restarts; applied once in "
                    + "the end%n", ROWS, kills, String.join("; ", log), interrupted, restarts);
            assertTrue(interrupted >= ApplyPhaseHold.PHASES.size() + 1, "kills that interrupted an apply: " + interrupted);
        } finally {
            roster.close();
        }
    }

    private RosterProcess restart() {
        restarts++;
        return RosterProcess.start("apply-crash-" + restarts, settings());
    }

    private static boolean appliedAlready(RosterProcess roster, String id) {
        JsonPath batch = RemoteBatches.await(roster, id, b -> !"APPLYING".equals(b.getString("status")),
                "out of APPLYING", DETECTION);
        return "APPLIED".equals(batch.getString("status"));
    }

    /** After a restart: FAILED "interrupted", and nothing of the batch anywhere but its failure events. */
    private void assertInterruptedAndNothingApplied(RosterProcess roster, String id) {
        JsonPath batch = RemoteBatches.awaitStatus(roster, id, "FAILED", DETECTION);
        assertTrue(batch.getString("failure").contains("interrupted"), batch.prettify());
        interrupted++;
        UUID batchId = UUID.fromString(id);
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ?", marker + "-%"));
        assertEquals(0, ItDatabase.count("""
                SELECT count(*) FROM audit_event WHERE batch_id = ?
                   AND action NOT IN ('batch.uploaded', 'batch.planned', 'batch.failed')""", batchId));
        assertEquals(interrupted, ItDatabase.count(
                "SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'batch.failed'", batchId));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE batch_id = ?", batchId));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM password_token WHERE batch_id = ?", batchId));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM batch WHERE status = 'APPLYING'"));
        assertAuditChainVerifies(roster);
    }

    private void assertAppliedOnceCompletely(RosterProcess roster, String id) {
        JsonPath batch = batch(roster, id);
        assertEquals("APPLIED", batch.getString("status"), batch.prettify());
        UUID batchId = UUID.fromString(id);
        assertEquals(ROWS, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ?", marker + "-%"));
        assertEquals(ROWS, ItDatabase.count(
                "SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'user.created'", batchId));
        assertEquals(ROWS, ItDatabase.count(
                "SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'invite.issued'", batchId));
        assertEquals(1, ItDatabase.count(
                "SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'batch.applied'", batchId));
        assertEquals(interrupted, ItDatabase.count(
                "SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'batch.failed'", batchId));
        assertEquals(ROWS, ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE batch_id = ?", batchId));
        assertEquals(ROWS, ItDatabase.count("SELECT count(*) FROM password_token WHERE batch_id = ?", batchId));
        assertAuditChainVerifies(roster);
        apply(roster, id, ROWS).then().statusCode(409);
    }
}
