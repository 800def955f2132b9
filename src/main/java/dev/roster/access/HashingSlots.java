package dev.roster.access;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordHasher.Verdict;
import dev.roster.credentials.PasswordHasher.VerifyCost;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The slots in which Roster computes password hashes (Argon2id, 19 MiB each) on behalf of a request: sign-in checks
 * and the passwords SCIM sets share roster.sign-in.max-concurrent-hashes of them, so no caller can start more hashes
 * at once than the machine was sized for. A caller that finds no slot within roster.sign-in.hash-wait is told to
 * try again; nothing is hashed for it.
 * <p>
 * Checking a stored hash ({@link #verify}) takes slots in proportion to its memory (an imported 64 MiB Argon2id hash
 * takes four), and a hash above the verify ceiling (roster.sign-in.max-verify-*) is not computed at all: an
 * equivalent burn at Roster's own cost, and {@link Verdict#TOO_COSTLY}. The public pages of directory users
 * ({@link #verifyOnPublicPage}, {@link #inPublicSlot}) may hold at most half the slots, so admins can still sign in.
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
    private Semaphore publicSlots;

    @PostConstruct
    void init() {
        slots = new Semaphore(config.maxConcurrentHashes(), true);
        publicSlots = new Semaphore(Math.max(1, config.maxConcurrentHashes() / 2), true);
    }

    /** Runs the hashing in a slot; empty when none came free in time (the caller answers "busy, retry"). */
    public <T> Optional<T> inSlot(Hashing<T> hashing) {
        return inSlots(1, hashing);
    }

    /** As {@link #inSlot}, for a public page of directory users: within their half of the slots. */
    public <T> Optional<T> inPublicSlot(Hashing<T> hashing) {
        return publicly(() -> inSlot(hashing));
    }

    /**
     * Checks a password against a stored hash (null: an unknown account, which costs the same burn and never
     * matches) in as many slots as its memory needs; empty when they did not come free in time.
     */
    public Optional<Verdict> verify(String password, String storedHash) {
        if (storedHash == null) {
            return inSlot(() -> {
                PasswordHasher.burnEquivalentTime(password);
                return Verdict.NO_MATCH;
            });
        }
        if (!withinVerifyCeiling(storedHash)) {
            return inSlot(() -> {
                PasswordHasher.burnEquivalentTime(password);
                return Verdict.TOO_COSTLY;
            });
        }
        return inSlots(slotsFor(storedHash),
                () -> PasswordHasher.verify(password, storedHash) ? Verdict.MATCH : Verdict.NO_MATCH);
    }

    /** As {@link #verify}, for a public page of directory users. */
    public Optional<Verdict> verifyOnPublicPage(String password, String storedHash) {
        return publicly(() -> verify(password, storedHash));
    }

    /** Whether Roster will compute this stored hash at all (false: the user needs a new password, by a reset). */
    public boolean withinVerifyCeiling(String storedHash) {
        VerifyCost cost = PasswordHasher.verifyCost(storedHash);
        return cost.memoryKib() <= config.maxVerifyMemoryKib() && cost.work() <= config.maxVerifyWorkKib() && cost.bcryptCost() <= config.maxVerifyBcryptCost();
    }

    /** Slots a stored hash takes: its memory over Roster's own, rounded up, at least one and at most all. */
    int slotsFor(String storedHash) {
        long memory = PasswordHasher.verifyCost(storedHash).memoryKib();
        long own = PasswordHasher.ownMemoryKib();
        long needed = Math.max(1, (memory + own - 1) / own);
        return (int) Math.min(needed, config.maxConcurrentHashes());
    }

    private <T> Optional<T> publicly(java.util.function.Supplier<Optional<T>> work) {
        if (!acquire(publicSlots, 1)) {
            return Optional.empty();
        }
        try {
            return work.get();
        } finally {
            publicSlots.release();
        }
    }

    private <T> Optional<T> inSlots(int permits, Hashing<T> hashing) {
        if (!acquire(slots, permits)) {
            return Optional.empty();
        }
        try {
            return Optional.of(hashing.run());
        } finally {
            slots.release(permits);
        }
    }

    private boolean acquire(Semaphore semaphore, int permits) {
        try {
            return semaphore.tryAcquire(permits, config.hashWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
