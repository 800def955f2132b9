package dev.roster.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The production start-up refusals of issue #12 (mock mailer, link key inside the database), without a Quarkus boot. */
class MailStartupChecksTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private static MailConfig config(String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        // Quarkus's converter reads "2M" as two minutes, as the running app does.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(MailConfig.class).withValidateUnknown(false)
                .withConverter(java.time.Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(MailConfig.class);
    }

    @Test
    void aProductionStartWithTheMockMailerIsRefusedNamingTheSettingAndTheSmtpVariables() {
        var refused = assertThrows(MailStartupChecks.RefusedStart.class,
                () -> MailStartupChecks.check(true, true, config("roster.mail.token-key", KEY)));
        String message = refused.getMessage();
        assertTrue(message.contains("ROSTER_MAIL_ALLOW_MOCK_IN_PRODUCTION=true"), message);
        assertTrue(message.contains("roster.mail.allow-mock-in-production"), message);
        for (String smtp : new String[] { "QUARKUS_MAILER_MOCK=false", "QUARKUS_MAILER_HOST", "QUARKUS_MAILER_PORT",
                "QUARKUS_MAILER_USERNAME", "QUARKUS_MAILER_PASSWORD" }) {
            assertTrue(message.contains(smtp), smtp + " in " + message);
        }
        assertFalse(message.contains("openssl"), "the key is there: only the mailer is named");
    }

    @Test
    void theMockMailerStartsInProductionOnlyWhenExplicitlyAllowed() {
        assertDoesNotThrow(() -> MailStartupChecks.check(true, true,
                config("roster.mail.token-key", KEY, "roster.mail.allow-mock-in-production", "true")));
        assertDoesNotThrow(() -> MailStartupChecks.check(true, false, config("roster.mail.token-key", KEY)));
    }

    @Test
    void aProductionStartWithoutAKeyFromOutsideTheDatabaseIsRefusedSayingHowToMakeOne() {
        for (MailConfig config : new MailConfig[] { config(), config("roster.mail.token-key", " ") }) {
            var refused = assertThrows(MailStartupChecks.RefusedStart.class, () -> MailStartupChecks.check(true, false, config));
            assertTrue(refused.getMessage().contains("openssl rand -base64 32"), refused.getMessage());
            assertTrue(refused.getMessage().contains("ROSTER_MAIL_TOKEN_KEY"), refused.getMessage());
            assertTrue(refused.getMessage().contains("ROSTER_MAIL_TOKEN_KEY_FILE"), refused.getMessage());
        }
        assertDoesNotThrow(() -> MailStartupChecks.check(true, false, config("roster.mail.token-key-file", "/run/secrets/k")));
        // Both problems at once are both named.
        String both = assertThrows(MailStartupChecks.RefusedStart.class,
                () -> MailStartupChecks.check(true, true, config())).getMessage();
        assertTrue(both.contains("openssl") && both.contains("QUARKUS_MAILER_HOST"), both);
    }

    @Test
    void theLocalDefaultAndTheTestsKeepTheMockMailerAndAGeneratedKey() {
        assertDoesNotThrow(() -> MailStartupChecks.check(false, true, config()));
        assertEquals(32, TokenCipher.resolveKey(false, Optional.empty(), Optional.empty()).length);
    }

    @Test
    void theKeyComesFromTheSettingOrTheFileAndProductionNeverMakesOne(@TempDir Path dir) throws Exception {
        byte[] configured = TokenCipher.resolveKey(true, Optional.of(KEY), Optional.empty());
        assertArrayEquals(new byte[32], configured);
        assertThrows(MailStartupChecks.RefusedStart.class, () -> TokenCipher.resolveKey(true, Optional.of("c2hvcnQ="),
                Optional.empty()), "not 32 bytes");
        assertThrows(MailStartupChecks.RefusedStart.class, () -> TokenCipher.resolveKey(true, Optional.empty(), Optional.empty()));

        Path file = dir.resolve("secrets/mail-token-key");
        var missing = assertThrows(MailStartupChecks.RefusedStart.class,
                () -> TokenCipher.resolveKey(true, Optional.empty(), Optional.of(file)));
        assertTrue(missing.getMessage().contains("openssl rand -base64 32 > " + file), missing.getMessage());
        assertFalse(Files.exists(file), "production never makes the key itself");

        byte[] made = TokenCipher.resolveKey(false, Optional.empty(), Optional.of(file));
        assertTrue(Files.exists(file), "outside production a missing key file is made");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(made, TokenCipher.resolveKey(true, Optional.empty(), Optional.of(file)), "and read back, also in production");
    }
}
