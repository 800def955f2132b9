package dev.roster.mail;

import java.util.ArrayList;
import java.util.List;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a production start (the packaged app, prod profile) whose mail set-up would leak links:
 * the mock mailer (mails kept for the Sent mail page instead of delivered) unless explicitly
 * allowed, or no link-encryption key from outside the database. The local default and the tests
 * keep both.
 */
@ApplicationScoped
public class MailStartupChecks {

    /** A start-up that must not go on; the message says what to set. */
    public static final class RefusedStart extends IllegalStateException {
        RefusedStart(String message) {
            super(message);
        }
    }

    @Inject
    MailConfig config;
    @Inject
    TokenCipher cipher;
    @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false")
    boolean mock;

    void onStart(@Observes StartupEvent event) {
        try {
            check(LaunchMode.current() == LaunchMode.NORMAL, mock, config);
        } catch (RefusedStart e) {
            // Plainly at the top of the log, not only as the cause at the bottom of Quarkus's start-up failure.
            Log.error(e.getMessage());
            throw e;
        }
        // Loads (or, outside production, makes) the key now: a bad key file stops the start, not the first mail.
        cipher.ensureKey();
        cipher.retireDatabaseKey();
    }

    /** Throws {@link RefusedStart} naming every problem; does nothing outside production. */
    public static void check(boolean production, boolean mockMailer, MailConfig config) {
        if (!production) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (mockMailer && !config.allowMockInProduction()) {
            problems.add("""
                    The mock mailer is on (quarkus.mailer.mock=true): no mail would be delivered. Configure SMTP with \
                    QUARKUS_MAILER_MOCK=false, QUARKUS_MAILER_HOST, QUARKUS_MAILER_PORT, QUARKUS_MAILER_USERNAME, \
                    QUARKUS_MAILER_PASSWORD and QUARKUS_MAILER_START_TLS=REQUIRED; or, for a trial without mail, \
                    allow it with ROSTER_MAIL_ALLOW_MOCK_IN_PRODUCTION=true (roster.mail.allow-mock-in-production).""");
        }
        if (config.tokenKey().filter(k -> !k.isBlank()).isEmpty() && config.tokenKeyFile().isEmpty()) {
            problems.add("""
                    No key for the links of queued mails: in production it must come from outside the database. \
                    Make one with `openssl rand -base64 32` and set it as ROSTER_MAIL_TOKEN_KEY (roster.mail.token-key), \
                    or put it in a file and set ROSTER_MAIL_TOKEN_KEY_FILE (roster.mail.token-key-file).""");
        }
        if (!problems.isEmpty()) {
            throw new RefusedStart("Roster refuses to start in production:\n - " + String.join("\n - ", problems));
        }
    }
}
