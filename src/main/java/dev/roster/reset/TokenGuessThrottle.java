package dev.roster.reset;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Limits token guessing: after roster.reset.max-bad-tokens-per-ip invalid links within
 * roster.reset.bad-token-window, an IP gets only the "too many attempts" page until the oldest
 * falls out of the window. In memory per instance (256-bit tokens make guessing hopeless anyway;
 * this keeps scanners off the database).
 */
@ApplicationScoped
public class TokenGuessThrottle {

    /** Package-private for the tests' ResettableTokenGuessThrottle (test sources); nothing else touches it. */
    final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    @Inject
    ResetThrottleConfig config;
    @Inject
    Clock clock;

    public boolean blocked(String ip) {
        Deque<Instant> times = failures.get(key(ip));
        if (times == null) {
            return false;
        }
        synchronized (times) {
            prune(times, clock.instant());
            return times.size() >= config.maxBadTokensPerIp();
        }
    }

    public void bad(String ip) {
        Instant now = clock.instant();
        Deque<Instant> times = failures.computeIfAbsent(key(ip), k -> new ArrayDeque<>());
        synchronized (times) {
            prune(times, now);
            times.addLast(now);
        }
        if (failures.size() > 10_000) {
            failures.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    prune(e.getValue(), now);
                    return e.getValue().isEmpty();
                }
            });
        }
    }

    private void prune(Deque<Instant> times, Instant now) {
        Instant cutoff = now.minus(config.badTokenWindow());
        while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
            times.removeFirst();
        }
    }

    private static String key(String ip) {
        return ip == null ? "" : ip;
    }
}
