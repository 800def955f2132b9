package dev.roster.access;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
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
    }

    /** Fired after every attempt, so the audit trail can record it without this class knowing it. */
    public record SignInAttempt(String email, AdminAccount admin, boolean success, String reason, String ip,
            String userAgent, String channel) {
    }

    @Inject
    SignInThrottle throttle;
    @Inject
    Event<SignInAttempt> attempts;

    @Transactional
    public Outcome signIn(String email, String password, String ip, String userAgent, String channel) {
        Duration wait = throttle.waitBefore(email, ip);
        if (!wait.isZero()) {
            attempts.fire(new SignInAttempt(email, null, false, "throttled", ip, userAgent, channel));
            return new Outcome.Throttled(wait);
        }
        Optional<AdminAccount> found = AdminAccount.findByEmail(email);
        boolean ok;
        if (found.isEmpty() || found.get().passwordHash == null) {
            PasswordHasher.burnEquivalentTime(password);
            ok = false;
        } else {
            ok = PasswordHasher.verify(password, found.get().passwordHash);
        }
        if (!ok || !found.get().enabled) {
            throttle.failed(email, ip);
            String reason = ok ? "account disabled" : "wrong email or password";
            attempts.fire(new SignInAttempt(email, found.orElse(null), false, reason, ip, userAgent, channel));
            return new Outcome.Refused("Wrong email or password, or the account is disabled.");
        }
        throttle.succeeded(email);
        AdminAccount admin = found.get();
        admin.lastSignInAt = Instant.now();
        attempts.fire(new SignInAttempt(email, admin, true, null, ip, userAgent, channel));
        return new Outcome.SignedIn(admin);
    }
}
