package dev.roster.reliability;

import static dev.roster.support.RemoteBatches.apply;
import static dev.roster.support.RemoteBatches.assertAuditChainVerifies;
import static dev.roster.support.RemoteBatches.awaitPlanned;
import static dev.roster.support.RemoteBatches.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import dev.roster.support.ItDatabase;
import dev.roster.support.RemoteBatches;
import dev.roster.support.RosterProcess;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Two packaged Roster JVMs on one database, schedulers and mail senders on: uploads on both,
 * overlapping batches applied at the same moment from both (one applies, the other is refused
 * as stale), one batch applied from both at once (applied once), a plan made stale by the other
 * instance (detected), and every queued mail delivered once although both instances send.
 */
class TwoInstancesIT {

    private GreenMail greenMail;
    private RosterProcess a;
    private RosterProcess b;

    @BeforeEach
    void start() {
        ItDatabase.clean();
        ServerSetup setup = new ServerSetup(RosterProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        setup.setServerStartupTimeout(10_000);
        greenMail = new GreenMail(setup);
        greenMail.start();
        Map<String, String> settings = MailCrashIT.mailSettings(greenMail);
        settings.put("roster.mail.max-per-second", "40");
        // Started one after the other: the first migrates the empty database and makes the bootstrap admin.
        a = RosterProcess.start("two-instances-a", settings);
        b = RosterProcess.start("two-instances-b", settings);
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        greenMail.stop();
    }

    @Test
    void twoInstancesApplyEachBatchOnceDetectStalePlansAndSendEveryMail() throws Exception {
        String m = "two" + Long.toHexString(System.nanoTime());

        // Overlapping onboardings, uploaded on different instances, applied at the same moment from both.
        String left = upload(a, RemoteBatches.onboarding(m, 0, 300), "onboard");
        String right = upload(b, RemoteBatches.onboarding(m, 200, 300), "onboard");
        awaitPlanned(b, left);
        awaitPlanned(a, right);
        List<Response> answers = atOnce(() -> apply(a, left, 300), () -> apply(b, right, 300));
        JsonPath leftDone = settled(a, left);
        JsonPath rightDone = settled(b, right);
        List<String> statuses = List.of(leftDone.getString("status"), rightDone.getString("status"));
        assertEquals(1, statuses.stream().filter("APPLIED"::equals).count(), statuses + " " + codes(answers));
        JsonPath loser = statuses.get(0).equals("APPLIED") ? rightDone : leftDone;
        int loserAnswer = answers.get(statuses.get(0).equals("APPLIED") ? 1 : 0).statusCode();
        assertEquals("PLANNED", loser.getString("status"), loser.prettify());
        assertEquals(100, loser.getList("conflicts").size(), "the 100 shared emails are the conflicts: " + loser.prettify());
        assertTrue(loserAnswer == 409 || loserAnswer == 202, codes(answers).toString());
        assertEquals(300, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ?", m + "-%"));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM audit_event WHERE batch_id = ? AND action LIKE 'user.%'",
                UUID.fromString(loser.getString("id"))));

        // One batch applied from both instances at once: one 202, one 409, applied once.
        String both = upload(a, RemoteBatches.onboarding(m + "x", 0, 150), "onboard");
        awaitPlanned(b, both);
        List<Response> double_ = atOnce(() -> apply(a, both, 150), () -> apply(b, both, 150));
        assertEquals(List.of(202, 409), codes(double_).stream().sorted().toList(), codes(double_).toString());
        assertEquals("APPLIED", settled(b, both).getString("status"));
        UUID bothId = UUID.fromString(both);
        assertEquals(150, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ?", m + "x-%"));
        assertEquals(150, ItDatabase.count("SELECT count(*) FROM audit_event WHERE batch_id = ? AND action = 'user.created'", bothId));
        assertEquals(150, ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE batch_id = ?", bothId));

        // A plan made on A goes stale when B applies a change to some of its users first.
        StringBuilder update = new StringBuilder("email,department\n");
        StringBuilder other = new StringBuilder("email,title\n");
        for (int i = 0; i < 50; i++) {
            update.append(m).append("x-").append(i).append("@example.org,Legal\n");
            if (i % 5 == 0) {
                other.append(m).append("x-").append(i).append("@example.org,Boss\n");
            }
        }
        String stale = upload(a, update.toString(), "update");
        awaitPlanned(a, stale);
        String first = upload(b, other.toString(), "update");
        awaitPlanned(b, first);
        apply(b, first, 10).then().statusCode(202);
        assertEquals("APPLIED", settled(b, first).getString("status"));
        Response refused = apply(a, stale, 50);
        assertEquals(409, refused.statusCode(), refused.asString());
        assertEquals(10, refused.jsonPath().getList("conflicts").size(), refused.asString());
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND department = 'Legal'", m + "x-%"));
        String replanned = a.api().post("/api/batches/" + stale + "/replan").then().extract().path("id");
        awaitPlanned(b, replanned);
        apply(b, replanned, 50).then().statusCode(202);
        assertEquals("APPLIED", settled(a, replanned).getString("status"));
        assertEquals(50, ItDatabase.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND department = 'Legal'", m + "x-%"));

        // Every applied batch was applied once; nothing is left applying.
        assertEquals(0, ItDatabase.count("""
                SELECT count(*) FROM (SELECT batch_id FROM audit_event WHERE action = 'batch.applied'
                                       GROUP BY batch_id HAVING count(*) > 1) twice"""));
        assertEquals(ItDatabase.count("SELECT count(*) FROM batch WHERE status = 'APPLIED'"),
                ItDatabase.count("SELECT count(*) FROM audit_event WHERE action = 'batch.applied'"));
        assertEquals(0, ItDatabase.count("SELECT count(*) FROM batch WHERE status IN ('APPLYING', 'FAILED')"));

        // Both senders drain one outbox: every invitation delivered, duplicates counted.
        long queued = ItDatabase.count("SELECT count(*) FROM mail_outbox");
        assertEquals(450, queued);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE status = 'SENT'") < queued) {
            assertTrue(Instant.now().isBefore(deadline), "not all mail sent in time");
            RosterProcess.sleep(200);
        }
        RosterProcess.sleep(1000);
        Map<String, Integer> perRecipient = MailCrashIT.deliveries(greenMail);
        int delivered = perRecipient.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(queued, perRecipient.size(), "every invitation reached its recipient");
        int duplicates = delivered - perRecipient.size();
        assertEquals(0, duplicates, "duplicates with two senders and no crash");
        assertAuditChainVerifies(a);
        assertAuditChainVerifies(b);
        System.out.printf("TwoInstancesIT: overlapping applies %s -> %s; double apply answers %s; stale plan refused "
                + "with %d conflicts; %d mails sent by two instances, %d deliveries, %d duplicates%n",
                codes(answers), statuses, codes(double_), refused.jsonPath().getList("conflicts").size(), queued,
                delivered, duplicates);
    }

    /** Runs both requests as close to the same moment as two threads allow. */
    private static List<Response> atOnce(Supplier<Response> one, Supplier<Response> two) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<CompletableFuture<Response>> futures = new ArrayList<>();
        for (Supplier<Response> request : List.of(one, two)) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return request.get();
            }));
        }
        List<Response> responses = new ArrayList<>();
        for (CompletableFuture<Response> f : futures) {
            responses.add(f.get());
        }
        return responses;
    }

    private static List<Integer> codes(List<Response> responses) {
        return responses.stream().map(Response::statusCode).toList();
    }

    private static JsonPath settled(RosterProcess roster, String id) {
        return RemoteBatches.await(roster, id, b -> !"APPLYING".equals(b.getString("status")), "settled",
                Duration.ofSeconds(120));
    }
}
