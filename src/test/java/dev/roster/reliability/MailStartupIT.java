package dev.roster.reliability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.support.RosterProcess;

/**
 * Issue #12: the packaged app (prod profile) refuses to start with the mock mailer and without a
 * link key from outside the database, and says what to set. The refusal logic is tested in
 * MailStartupChecksTest; this checks that it really stops a start.
 */
class MailStartupIT {

    @Test
    void aProductionStartWithTheMockMailerAndNoKeyIsRefusedWithAClearMessage() throws Exception {
        Path log = Path.of(System.getProperty("roster.it.logs", "target/it-logs"), "refused-start.log");
        Files.deleteIfExists(log);
        assertThrows(IllegalStateException.class, () -> RosterProcess.start("refused-start",
                Map.of("roster.mail.allow-mock-in-production", "false", "roster.mail.token-key", "",
                        "quarkus.mailer.mock", "true")).close());
        String text = Files.readString(log);
        assertTrue(text.contains("Roster refuses to start in production"), text);
        assertTrue(text.contains("ROSTER_MAIL_ALLOW_MOCK_IN_PRODUCTION=true") && text.contains("QUARKUS_MAILER_HOST"), text);
        assertTrue(text.contains("openssl rand -base64 32"), text);
    }
}
