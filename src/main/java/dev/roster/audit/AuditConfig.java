package dev.roster.audit;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit trail's settings (roster.audit.*): purge governance, checkpoint signing key, verification limits. */
@ConfigMapping(prefix = "roster.audit")
public interface AuditConfig {

    /** No purge may remove events younger than this (the database has its own floor, audit_policy). */
    @WithDefault("365D")
    Duration minRetention();

    /** Base64 of at least 32 random bytes (openssl rand -base64 32): the HMAC key of signed checkpoints. */
    Optional<String> checkpointKey();

    /** A file holding that key (base64), when it is not given directly. */
    Optional<String> checkpointKeyFile();

    /** Make a key into checkpoint-key-file when there is none (the local default and the tests only). */
    @WithDefault("false")
    boolean checkpointKeyGenerate();

    /** How often a signed checkpoint of the chain head is made ("off" to stop). */
    @WithDefault("1h")
    String checkpointEvery();

    /** A full verification (from the start of the chain) runs at most once per this interval per instance. */
    @WithDefault("1M")
    Duration fullVerifyInterval();
}
