package dev.roster.reset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sliding-window counters for the public password pages. Limits token guessing: after
 * roster.reset.max-bad-tokens-per-ip invalid links within roster.reset.bad-token-window, an IP
 * gets only the "too many attempts" page until the oldest falls out of the window. The
 * "Forgot your password?" page counts its requests per IP and per account here too
 * ({@link #allow}, roster.reset.forgot-*). In memory per instance (256-bit tokens make guessing
 * hopeless anyway; this keeps scanners off the database and bounds the mails one can cause).
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
        return blocked(key(ip), config.maxBadTokensPerIp(), config.badTokenWindow());
    }

    public void bad(String ip) {
        count(key(ip), config.badTokenWindow());
    }

    /**
     * Counts one request under this key and says whether it is within {@code max} per {@code window}; a request
     * over the limit is not counted, so a client that keeps trying is let through again as the window slides.
     */
    public boolean allow(String key, int max, Duration window) {
        if (blocked(key, max, window)) {
            return false;
        }
        count(key, window);
        return true;
    }

    private boolean blocked(String key, int max, Duration window) {
        Deque<Instant> times = failures.get(key);
        if (times == null) {
            return false;
        }
        synchronized (times) {
            prune(times, clock.instant(), window);
            return times.size() >= max;
        }
    }

    private void count(String key, Duration window) {
        Instant now = clock.instant();
        Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            prune(times, now, window);
            times.addLast(now);
        }
        if (failures.size() > 10_000) {
            Duration longest = longestWindow();
            failures.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    prune(e.getValue(), now, longest);
                    return e.getValue().isEmpty();
                }
            });
        }
    }

    private Duration longestWindow() {
        return config.badTokenWindow().compareTo(config.forgotWindow()) >= 0 ? config.badTokenWindow() : config.forgotWindow();
    }

    private static void prune(Deque<Instant> times, Instant now, Duration window) {
        Instant cutoff = now.minus(window);
        while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
            times.removeFirst();
        }
    }

    private static String key(String ip) {
        return ip == null ? "" : ip;
    }
}
