package dev.roster.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Slows down repeated failed sign-ins, per account and per client IP: after a few failures each
 * further attempt must wait an exponentially growing delay (capped), whatever the password.
 * Kept in memory per instance: an attacker spreading attempts over instances still meets
 * each instance's limit, and Argon2id makes every guess slow anyway.
 */
@ApplicationScoped
public class SignInThrottle {

    private record Failures(int count, Instant last) {
    }

    private static final Duration MAX_DELAY = Duration.ofMinutes(15);
    private static final Duration FORGET_AFTER = Duration.ofMinutes(30);

    private final Map<String, Failures> byAccount = new ConcurrentHashMap<>();
    private final Map<String, Failures> byIp = new ConcurrentHashMap<>();

    @ConfigProperty(name = "roster.sign-in.free-attempts-per-account", defaultValue = "3")
    int freePerAccount;
    @ConfigProperty(name = "roster.sign-in.free-attempts-per-ip", defaultValue = "20")
    int freePerIp;
    @Inject
    Clock clock;

    /** How long the caller must still wait before an attempt is even checked; zero when it may go ahead. */
    public Duration waitBefore(String account, String ip) {
        Instant now = clock.instant();
        Duration a = remaining(byAccount.get(key(account)), freePerAccount, now);
        Duration b = remaining(byIp.get(ip == null ? "" : ip), freePerIp, now);
        return a.compareTo(b) >= 0 ? a : b;
    }

    public void failed(String account, String ip) {
        Instant now = clock.instant();
        byAccount.merge(key(account), new Failures(1, now), (old, n) -> next(old, now));
        byIp.merge(ip == null ? "" : ip, new Failures(1, now), (old, n) -> next(old, now));
    }

    public void succeeded(String account) {
        byAccount.remove(key(account));
    }

    private static Failures next(Failures old, Instant now) {
        int count = old.last.plus(FORGET_AFTER).isBefore(now) ? 1 : old.count + 1;
        return new Failures(count, now);
    }

    private static Duration remaining(Failures failures, int free, Instant now) {
        if (failures == null || failures.count < free || failures.last.plus(FORGET_AFTER).isBefore(now)) {
            return Duration.ZERO;
        }
        int over = Math.min(failures.count - free, 20);
        Duration delay = Duration.ofSeconds(2L << over);
        if (delay.compareTo(MAX_DELAY) > 0) {
            delay = MAX_DELAY;
        }
        Duration left = Duration.between(now, failures.last.plus(delay));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static String key(String account) {
        return account == null ? "" : account.trim().toLowerCase();
    }
}
