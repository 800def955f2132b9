package dev.roster.mail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * roster.mail.*: how the outbox is delivered and how its links are protected. The defaults live
 * here; application.properties sets only what a profile or the environment changes.
 */
@ConfigMapping(prefix = "roster.mail")
public interface MailConfig {

    /** The From header of every mail (ROSTER_MAIL_FROM). */
    @WithDefault("Roster <no-reply@roster.local>")
    String from();

    Sender sender();

    /** At most this many SMTP sends at once per instance. */
    @WithDefault("4")
    int concurrency();

    /** At most this many sends a second per instance. */
    @WithDefault("50")
    double maxPerSecond();

    /** A message fails for good after this many tries (or at once on a 5xx reply). */
    @WithDefault("8")
    int maxAttempts();

    /** Transient failures are retried after retry-base, twice that, ... at most retry-max apart. */
    @WithDefault("30S")
    Duration retryBase();

    @WithDefault("1H")
    Duration retryMax();

    /** A claimed message not marked sent within the lease (its sender died) is claimed again. */
    @WithDefault("2M")
    Duration lease();

    @WithDefault("60S")
    Duration sendTimeout();

    /**
     * Base64 of 32 random bytes (openssl rand -base64 32) encrypting the links of queued mails
     * (ROSTER_MAIL_TOKEN_KEY). Production needs it, or {@link #tokenKeyFile()}.
     */
    Optional<String> tokenKey();

    /**
     * A file holding that Base64 key (ROSTER_MAIL_TOKEN_KEY_FILE), e.g. a mounted secret. Outside
     * production a missing file is created with a fresh key.
     */
    Optional<Path> tokenKeyFile();

    /**
     * Start in production with quarkus.mailer.mock=true (no SMTP: mails stay on the Sent mail page)
     * only when this is true (ROSTER_MAIL_ALLOW_MOCK_IN_PRODUCTION).
     */
    @WithDefault("false")
    boolean allowMockInProduction();

    @WithName("sent-mail-page")
    SentMailPage sentMailPage();

    interface Sender {
        /** The background sender; off only in tests that drive it by hand. */
        @WithDefault("true")
        boolean enabled();

        /** How often it passes; it also passes right after a transaction queues mail. */
        @WithDefault("1s")
        String interval();
    }

    interface SentMailPage {
        /** Show mail bodies (and, to admins, links) on the Sent mail page; application.properties ties it to the mock mailer. */
        @WithDefault("false")
        boolean enabled();
    }
}
