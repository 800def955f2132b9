package dev.roster.access;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.roster.credentials.PasswordHasher;
import jakarta.annotation.PostConstruct;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** Checks local admin credentials for the sign-in form and for HTTP Basic on the API. */
@ApplicationScoped
public class SignInService {

    /** The result of one attempt. */
    public sealed interface Outcome {
        record SignedIn(AdminAccount admin) implements Outcome {
        }

        record Refused(String reason) implements Outcome {
        }

        record Throttled(Duration retryAfter) implements Outcome {
        }

        /** Too many passwords being checked at once: try again in a moment (nothing was counted). */
        record Busy() implements Outcome {
        }
    }

    /** One attempt (or, for failures, an aggregated window of them), as SignInAudit records it. */
    public record SignInAttempt(String email, AdminAccount admin, boolean success, String reason, String ip,
            String userAgent, String channel, int attempts) {

        public SignInAttempt(String email, AdminAccount admin, boolean success, String reason, String ip, String userAgent,
                String channel) {
            this(email, admin, success, reason, ip, userAgent, channel, 1);
        }
    }

    @Inject
    SignInThrottle throttle;
    @Inject
    SignInFailures failures;
    @Inject
    SignInAudit audit;
    @Inject
    SignInConfig config;

    private Semaphore hashing;

    @PostConstruct
    void init() {
        hashing = new Semaphore(config.maxConcurrentHashes(), true);
    }

    /**
     * The rate check comes first and is also the record of the attempt (SignInThrottle.reserve); only then is the
     * password hashed, in at most roster.sign-in.max-concurrent-hashes parallel slots; failures are written in
     * bounded, aggregated form (SignInFailures).
     */
    @Transactional
    public Outcome signIn(String email, String password, String ip, String userAgent, String channel) {
        Duration wait = throttle.reserve(email, ip);
        if (!wait.isZero()) {
            failures.record(email, null, "throttled", ip, userAgent, channel);
            return new Outcome.Throttled(wait);
        }
        boolean ok;
        Optional<AdminAccount> found;
        try {
            if (!hashing.tryAcquire(config.hashWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throttle.cancelled(email, ip);
                return new Outcome.Busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throttle.cancelled(email, ip);
            return new Outcome.Busy();
        }
        try {
            found = AdminAccount.findByEmail(email);
            if (found.isEmpty() || found.get().passwordHash == null) {
                PasswordHasher.burnEquivalentTime(password);
                ok = false;
            } else {
                ok = PasswordHasher.verify(password, found.get().passwordHash);
            }
        } finally {
            hashing.release();
        }
        if (!ok || !found.get().enabled) {
            String reason = ok ? "account disabled" : "wrong email or password";
            failures.record(email, found.orElse(null), reason, ip, userAgent, channel);
            return new Outcome.Refused("Wrong email or password, or the account is disabled.");
        }
        throttle.succeeded(email, ip);
        AdminAccount admin = found.get();
        admin.lastSignInAt = Instant.now();
        audit.record(new SignInAttempt(email, admin, true, null, ip, userAgent, channel));
        return new Outcome.SignedIn(admin);
    }
}
