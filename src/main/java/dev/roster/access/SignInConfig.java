package dev.roster.access;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The sign-in slow-down and its bounds (roster.sign-in.*); the defaults live here. */
@ConfigMapping(prefix = "roster.sign-in")
public interface SignInConfig {

    /** Failures of one account before each further attempt waits (2, 4, 8, ... s, at most 15 min). */
    @WithDefault("3")
    int freeAttemptsPerAccount();

    /** The same per client IP. */
    @WithDefault("20")
    int freeAttemptsPerIp();

    /** Failed sign-ins of one account from one IP within a window make at most two audit events. */
    @WithDefault("10M")
    Duration auditWindow();

    /** Distinct addresses per IP and window with events of their own; further ones share one row and event. */
    @WithDefault("10")
    int auditAccountsPerIp();

    /** Password hashes (Argon2id, 19 MiB each) checked at once by sign-ins; more wait, then get "try again". */
    @WithDefault("4")
    int maxConcurrentHashes();

    /** How long a sign-in waits for a free hashing slot before it is told to try again. */
    @WithDefault("2S")
    Duration hashWait();

    /**
     * The most memory (KiB) an imported Argon2id hash may need to be checked (64 MiB): a stored hash above it is not
     * computed (an equivalent burn, and the same refusal), and the user needs a reset (decision 0036).
     */
    @WithDefault("65536")
    long maxVerifyMemoryKib();

    /** The most Argon2id work (memory KiB times passes) a checked hash may need: 64 MiB x 4 passes. */
    @WithDefault("262144")
    long maxVerifyWorkKib();

    /** The highest bcrypt cost checked (13: about 0.6 s of one core); above it, as for too much memory. */
    @WithDefault("13")
    int maxVerifyBcryptCost();
}
