package dev.roster.access;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The slots in which Roster computes password hashes (Argon2id, 19 MiB each) on behalf of a request: sign-in checks
 * and the passwords SCIM sets share roster.sign-in.max-concurrent-hashes of them, so no caller can start more hashes
 * at once than the machine was sized for. A caller that finds no slot within roster.sign-in.hash-wait is told to
 * try again; nothing is hashed for it.
 */
@ApplicationScoped
public class HashingSlots {

    /** A hash computed in a slot (or the answer that there was none). */
    @FunctionalInterface
    public interface Hashing<T> {
        T run();
    }

    @Inject
    SignInConfig config;

    private Semaphore slots;

    @PostConstruct
    void init() {
        slots = new Semaphore(config.maxConcurrentHashes(), true);
    }

    /** Runs the hashing in a slot; empty when none came free in time (the caller answers "busy, retry"). */
    public <T> java.util.Optional<T> inSlot(Hashing<T> hashing) {
        try {
            if (!slots.tryAcquire(config.hashWait().toMillis(), TimeUnit.MILLISECONDS)) {
                return java.util.Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(hashing.run());
        } finally {
            slots.release();
        }
    }
}
