package dev.roster.reliability;

import static dev.roster.support.RemoteBatches.apply;
import static dev.roster.support.RemoteBatches.assertAuditChainVerifies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import dev.roster.support.ItDatabase;
import dev.roster.support.RemoteBatches;
import dev.roster.support.RosterProcess;

/**
 * #26: a file with future start dates, applied today, activates its joiners and sends their invitations only when the
 * clock reaches the date, once across two instances; a day's run killed (SIGKILL) during its execution, at phases held
 * by {@link ApplyPhaseHold}'s locks, leaves nothing of it, and a later start finishes it exactly once. The packaged
 * instances' clock is moved by roster.clock.offset (restarted "four days later"), never waited for.
 */
class ScheduledChangesIT {

    private static final Duration LATER = Duration.ofDays(4);

    private final String marker = "sched" + Long.toHexString(System.nanoTime());

    private static Map<String, String> settings(Duration offset) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("roster.schedule.check-interval", "1s");
        settings.put("roster.apply.interrupted-after", "2S");
        settings.put("roster.apply.interrupted-check", "2s");
        if (!offset.isZero()) {
            settings.put("roster.clock.offset", offset.toString());
        }
        return settings;
    }

    /** Today, on a clock at offset zero: joiners starting in three days, created suspended, nothing run, no mail. */
    private void onboardJoiners(Map<String, String> settings, int count) {
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(3);
        StringBuilder csv = new StringBuilder("email,given_name,family_name,start_date\n");
        for (int i = 0; i < count; i++) {
            csv.append(marker).append('-').append(i).append("@example.org,Given").append(i).append(",Family,").append(start).append('\n');
        }
        try (RosterProcess today = RosterProcess.start("scheduled-today", settings)) {
            String id = RemoteBatches.upload(today, csv.toString(), "onboard");
            RemoteBatches.awaitPlanned(today, id);
            apply(today, id, count).then().statusCode(202);
            RemoteBatches.awaitStatus(today, id, "APPLIED", Duration.ofSeconds(120));
            RosterProcess.sleep(3000); // the start-up run and several checks pass on today's clock: nothing is due yet
        }
        assertEquals(count, users("SUSPENDED"));
        assertEquals(count, ItDatabase.count("SELECT count(*) FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id "
                + "WHERE u.email LIKE ? AND s.status = 'PENDING' AND s.kind = 'ACTIVATE'", marker + "-%"));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM batch WHERE operation = 'SCHEDULED'"));
        assertEquals(0, invitations());
    }

    private long users(String status) {
        return ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND status = ?", marker + "-%", status);
    }

    private long invitations() {
        return ItDatabase.count("SELECT count(*) FROM mail_outbox o JOIN directory_user u ON u.id = o.user_id "
                + "WHERE u.email LIKE ? AND o.kind = 'INVITE'", marker + "-%");
    }

    private long activationEvents() {
        return ItDatabase.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email LIKE ? "
                + "AND details::text LIKE '%scheduled_by%'", marker + "-%");
    }

    private void awaitAllActivated(int count) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        while (users("INVITED") < count) {
            assertTrue(Instant.now().isBefore(deadline), "not all joiners activated in time: " + users("INVITED"));
            RosterProcess.sleep(200);
        }
    }

    /** Each joiner activated once, by one applied run, with one invitation and one invite.issued; nothing applying. */
    private void assertActivatedOnce(int count) {
        assertEquals(count, users("INVITED"));
        assertEquals(count, activationEvents(), "one user.updated per joiner");
        assertEquals(count, invitations(), "one invitation per joiner");
        assertEquals(count, ItDatabase.count("SELECT count(*) FROM audit_event WHERE action = 'invite.issued' AND target_email LIKE ?",
                marker + "-%"));
        assertEquals(0, ItDatabase.count("""
                SELECT count(*) FROM (SELECT target_email FROM audit_event WHERE action = 'invite.issued'
                                       GROUP BY target_email HAVING count(*) > 1) twice"""));
        assertEquals(count, ItDatabase.count("SELECT count(*) FROM scheduled_change WHERE kind = 'ACTIVATE' AND status = 'DONE'"));
        assertEquals(1, ItDatabase.count("SELECT count(*) FROM batch WHERE operation = 'SCHEDULED' AND status = 'APPLIED'"));
        assertEquals(1, ItDatabase.count("""
                SELECT count(DISTINCT run_batch_id) FROM scheduled_change WHERE kind = 'ACTIVATE' AND status = 'DONE'"""));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM batch WHERE status IN ('APPLYING', 'PLANNED', 'PLANNING')"));
    }

    @Test
    void aKilledDayRunLeavesNothingAndTheNextStartFinishesItOnce() {
        ItDatabase.clean();
        int count = 1_000;
        Map<String, String> today = settings(Duration.ZERO);
        today.put("roster.mail.sender.enabled", "false");
        onboardJoiners(today, count);
        Map<String, String> later = settings(LATER);
        later.put("roster.mail.sender.enabled", "false");

        // Four days later the start-up run plans the day and applies it; held inside its transaction, then killed.
        // Holds only the apply meets, not the run's planning (which writes audit events and scheduled_change rows):
        // before the users' status update, and with the users activated but their invitations not yet minted.
        List<String[]> phases = List.of(
                new String[] { "activating", "LOCK TABLE directory_user IN SHARE MODE", "%UPDATE directory_user%" },
                new String[] { "inviting", ApplyPhaseHold.Phase.WRITTEN.lock, ApplyPhaseHold.Phase.WRITTEN.waitingQuery });
        List<String> log = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            String phase = phases.get(i)[0];
            if (i > 0) {
                // Today's clock, nothing due: this start only finds the killed run interrupted (FAILED), with no lock
                // of this test's in its way (failing it writes an audit event, which the LINKED hold would stop).
                try (RosterProcess recovering = RosterProcess.start("scheduled-recover-" + i, today)) {
                    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
                    while (ItDatabase.count("SELECT count(*) FROM batch WHERE status = 'APPLYING'") > 0) {
                        assertTrue(Instant.now().isBefore(deadline), "the killed run was not found interrupted");
                        RosterProcess.sleep(200);
                    }
                }
            }
            RosterProcess roster;
            try (ApplyPhaseHold hold = ApplyPhaseHold.take(phase, phases.get(i)[1], phases.get(i)[2])) {
                roster = RosterProcess.start("scheduled-crash-" + i, later);
                try {
                    hold.awaitApplyWaiting(Duration.ofSeconds(120));
                } finally {
                    roster.kill();
                }
            }
            log.add("killed at " + phase);
            // nothing of the run anywhere: the users still suspended, no event, link or mail
            assertEquals(count, users("SUSPENDED"), "after the kill at " + phase);
            assertEquals(0, activationEvents());
            assertEquals(0, invitations());
            assertEquals(0, ItDatabase.count("SELECT count(*) FROM password_token t JOIN directory_user u ON u.id = t.user_id "
                    + "WHERE u.email LIKE ?", marker + "-%"));
            assertEquals(count, ItDatabase.count("SELECT count(*) FROM scheduled_change WHERE kind = 'ACTIVATE' AND status = 'PENDING'"));
        }

        try (RosterProcess roster = RosterProcess.start("scheduled-crash-last", later)) {
            awaitAllActivated(count);
            RosterProcess.sleep(3000); // more checks pass: nothing runs twice
            assertActivatedOnce(count);
            // each killed run was found interrupted (FAILED) and its changes taken again by the next run
            assertEquals(phases.size(), ItDatabase.count("SELECT count(*) FROM batch WHERE operation = 'SCHEDULED' AND status = 'FAILED'"));
            assertAuditChainVerifies(roster);
        }
        System.out.printf("ScheduledChangesIT: %d joiners' day run SIGKILLed %d times (%s); finished once at the last start%n",
                count, phases.size(), String.join("; ", log));
    }

    @Test
    void dueChangesRunOnceAcrossTwoInstancesThatStartAtTheSameClock() throws Exception {
        ItDatabase.clean();
        ServerSetup setup = new ServerSetup(RosterProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        setup.setServerStartupTimeout(10_000);
        GreenMail greenMail = new GreenMail(setup);
        greenMail.start();
        RosterProcess a = null;
        RosterProcess b = null;
        try {
            int count = 300;
            Map<String, String> today = settings(Duration.ZERO);
            today.putAll(MailCrashIT.mailSettings(greenMail));
            onboardJoiners(today, count);
            assertEquals(0, greenMail.getReceivedMessages().length, "no invitation before the start date");

            Map<String, String> later = settings(LATER);
            later.putAll(MailCrashIT.mailSettings(greenMail));
            later.put("roster.mail.max-per-second", "40");
            CompletableFuture<RosterProcess> startA = CompletableFuture.supplyAsync(() -> RosterProcess.start("scheduled-two-a", later));
            CompletableFuture<RosterProcess> startB = CompletableFuture.supplyAsync(() -> RosterProcess.start("scheduled-two-b", later));
            a = startA.get();
            b = startB.get();
            awaitAllActivated(count);
            RosterProcess.sleep(3000); // both instances check a few more times
            assertActivatedOnce(count);
            assertEquals(1, ItDatabase.count("SELECT count(*) FROM batch WHERE operation = 'SCHEDULED'"), "exactly one run batch");

            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            while (ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE status = 'SENT' AND kind = 'INVITE'") < count) {
                assertTrue(Instant.now().isBefore(deadline), "not all invitations sent in time");
                RosterProcess.sleep(200);
            }
            RosterProcess.sleep(1000);
            Map<String, Integer> perRecipient = MailCrashIT.deliveries(greenMail);
            assertEquals(count, perRecipient.size(), "every joiner got an invitation");
            assertEquals(count, perRecipient.values().stream().mapToInt(Integer::intValue).sum(), "each exactly once");
            assertAuditChainVerifies(a);
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
            greenMail.stop();
        }
    }
}
