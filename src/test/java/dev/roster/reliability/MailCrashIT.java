package dev.roster.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import dev.roster.support.ItDatabase;
import dev.roster.support.RemoteBatches;
import dev.roster.support.RosterProcess;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * SIGKILL of a packaged Roster while it sends a queued onboarding's invitations (throttled so that
 * sending takes a while), twice; after the restarts every mail reaches the SMTP server (GreenMail,
 * in this JVM) at least once, and the duplicates are at most the messages that had been delivered
 * but not yet marked sent when their sender was killed.
 */
class MailCrashIT {

    private static final int MAILS = 1_000;

    private GreenMail greenMail;

    @BeforeEach
    void smtp() {
        ServerSetup setup = new ServerSetup(RosterProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        setup.setServerStartupTimeout(10_000);
        greenMail = new GreenMail(setup);
        greenMail.start();
    }

    @AfterEach
    void stopSmtp() {
        greenMail.stop();
    }

    static Map<String, String> mailSettings(GreenMail greenMail) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.mailer.mock", "false");
        settings.put("quarkus.mailer.host", "127.0.0.1");
        settings.put("quarkus.mailer.port", String.valueOf(greenMail.getSmtp().getPort()));
        settings.put("quarkus.mailer.start-tls", "DISABLED");
        settings.put("quarkus.mailer.login", "DISABLED");
        settings.put("quarkus.mailer.tls", "false");
        return settings;
    }

    /** Received messages per recipient. */
    static Map<String, Integer> deliveries(GreenMail greenMail) {
        Map<String, Integer> perRecipient = new HashMap<>();
        for (MimeMessage message : greenMail.getReceivedMessages()) {
            try {
                perRecipient.merge(message.getAllRecipients()[0].toString(), 1, Integer::sum);
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return perRecipient;
    }

    @Test
    void killedWhileSendingEveryMailArrivesAtLeastOnce() {
        ItDatabase.clean();
        Map<String, String> settings = mailSettings(greenMail);
        settings.put("roster.mail.lease", "10S");
        settings.put("roster.mail.max-per-second", "100");
        String marker = "mail" + Long.toHexString(System.nanoTime());

        RosterProcess roster = RosterProcess.start("mail-crash-0", settings);
        List<String> kills = new ArrayList<>();
        long inFlightAtKills = 0;
        long unmarkedAtKills = 0;
        try {
            String id = RemoteBatches.upload(roster, RemoteBatches.onboarding(marker, 0, MAILS), "onboard");
            RemoteBatches.awaitPlanned(roster, id);
            RemoteBatches.apply(roster, id, MAILS).then().statusCode(202);
            RemoteBatches.awaitStatus(roster, id, "APPLIED", Duration.ofSeconds(120));
            assertEquals(MAILS, ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE kind = 'INVITE'"));

            for (int threshold : new int[] { MAILS / 4, MAILS * 3 / 5 }) {
                awaitReceived(threshold, Duration.ofSeconds(120));
                roster.kill();
                RosterProcess.sleep(300); // GreenMail finishes storing what it had fully received
                long received = greenMail.getReceivedMessages().length;
                // Delivered, but the dead sender had not marked them sent: these alone may arrive again.
                java.util.Set<String> unmarked = new java.util.HashSet<>(deliveries(greenMail).keySet());
                unmarked.removeAll(ItDatabase.strings("SELECT recipient FROM mail_outbox WHERE status = 'SENT'"));
                long sending = ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE status = 'SENDING'");
                long sent = ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE status = 'SENT'");
                inFlightAtKills += sending;
                unmarkedAtKills += unmarked.size();
                kills.add("killed after " + received + " deliveries (" + sent + " marked sent, " + unmarked.size()
                        + " delivered but unmarked, " + sending + " claimed in flight)");
                roster = RosterProcess.start("mail-crash-" + kills.size(), settings);
            }

            Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
            while (ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE status = 'SENT'") < MAILS) {
                assertTrue(Instant.now().isBefore(deadline), "not all mail sent: "
                        + ItDatabase.text("SELECT string_agg(status || '=' || n, ', ') FROM (SELECT status, count(*) n "
                                + "FROM mail_outbox GROUP BY status) s"));
                RosterProcess.sleep(200);
            }
            RosterProcess.sleep(1000); // a late duplicate would show up now
            Map<String, Integer> perRecipient = deliveries(greenMail);
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < MAILS; i++) {
                if (!perRecipient.containsKey(marker + "-" + i + "@example.org")) {
                    missing.add(marker + "-" + i + "@example.org");
                }
            }
            assertEquals(List.of(), missing, "invitations never delivered");
            int delivered = perRecipient.values().stream().mapToInt(Integer::intValue).sum();
            int duplicates = delivered - perRecipient.size();
            assertEquals(MAILS, perRecipient.size());
            assertEquals(0, ItDatabase.count("SELECT count(*) FROM mail_outbox WHERE status <> 'SENT'"));
            // Only a message delivered but not yet marked sent when its sender died can arrive twice.
            assertTrue(duplicates <= unmarkedAtKills, duplicates + " duplicates, more than the " + unmarkedAtKills
                    + " messages delivered but not marked sent at the kills");
            RemoteBatches.assertAuditChainVerifies(roster);
            System.out.printf("MailCrashIT: %d invitations, %d SIGKILLs while sending (%s); all %d delivered, "
                    + "%d deliveries in all, %d duplicates (%d delivered but unmarked, %d claimed in flight at the kills)%n",
                    MAILS, kills.size(), String.join("; ", kills), perRecipient.size(), delivered, duplicates,
                    unmarkedAtKills, inFlightAtKills);
        } finally {
            roster.close();
        }
    }

    private void awaitReceived(int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (greenMail.getReceivedMessages().length < count) {
            assertTrue(Instant.now().isBefore(deadline), "fewer than " + count + " mails received within " + timeout);
            RosterProcess.sleep(50);
        }
    }
}
