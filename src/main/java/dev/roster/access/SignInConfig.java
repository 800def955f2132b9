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
}
