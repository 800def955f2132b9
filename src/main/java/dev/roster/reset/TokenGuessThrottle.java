package dev.roster.reset;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sliding-window counters for the public password pages. Limits token guessing: after
 * roster.reset.max-bad-tokens-per-ip invalid links within roster.reset.bad-token-window, an IP
 * gets only the "too many attempts" page until the oldest falls out of the window. The
 * "Forgot your password?" page counts its requests per IP and per account here too
 * ({@link #allow}, roster.reset.forgot-*). In memory per instance (256-bit tokens make guessing
 * hopeless anyway; this keeps scanners off the database and bounds the mails one can cause).
 * <p>
 * Bounded: at most {@value #MAX_KEYS} keys; when full, keys whose times have all expired are swept (at most once a
 * second), and while it is still full of live keys a new key is refused (the pages answer 429), never remembered.
 * An IPv6 client counts per /64 ({@link #network}): one host usually holds the whole /64.
 */
@ApplicationScoped
public class TokenGuessThrottle {

    static final int MAX_KEYS = 10_000;

    /** Package-private for the tests' ResettableTokenGuessThrottle (test sources); nothing else touches it. */
    final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();

    @Inject
    ResetThrottleConfig config;
    @Inject
    Clock clock;

    public boolean blocked(String ip) {
        Instant now = clock.instant();
        String key = network(ip);
        boolean[] blocked = {!room(key, now)};
        failures.computeIfPresent(key, (k, times) -> {
            prune(times, now, config.badTokenWindow());
            blocked[0] = times.size() >= config.maxBadTokensPerIp();
            return times.isEmpty() ? null : times;
        });
        return blocked[0];
    }

    public void bad(String ip) {
        allow(network(ip), Integer.MAX_VALUE, config.badTokenWindow());
    }

    /**
     * Counts one request under this key and says whether it is within {@code max} per {@code window}, in one step
     * (two parallel requests cannot both take the last place); a request over the limit is not counted, so a client
     * that keeps trying is let through again as the window slides. False, too, when the counters are full of live
     * keys and this one is new.
     */
    public boolean allow(String key, int max, Duration window) {
        Instant now = clock.instant();
        if (!room(key, now)) {
            return false;
        }
        boolean[] allowed = {false};
        failures.compute(key, (k, times) -> {
            Deque<Instant> t = times == null ? new ArrayDeque<>() : times;
            prune(t, now, window);
            if (t.size() < max) {
                t.addLast(now);
                allowed[0] = true;
            }
            return t.isEmpty() ? null : t;
        });
        return allowed[0];
    }

    /** Whether this key has (or can get) a place: sweeps expired keys when full, at most once a second. */
    private boolean room(String key, Instant now) {
        if (failures.size() < MAX_KEYS || failures.containsKey(key)) {
            return true;
        }
        long last = lastSweep.get();
        if (now.toEpochMilli() - last >= 1_000 && lastSweep.compareAndSet(last, now.toEpochMilli())) {
            Duration longest = longestWindow();
            for (String k : failures.keySet()) {
                failures.computeIfPresent(k, (kk, times) -> {
                    prune(times, now, longest);
                    return times.isEmpty() ? null : times;
                });
            }
        }
        return failures.size() < MAX_KEYS;
    }

    private Duration longestWindow() {
        Duration longest = config.badTokenWindow().compareTo(config.forgotWindow()) >= 0 ? config.badTokenWindow()
                : config.forgotWindow();
        return longest.compareTo(Duration.ofHours(1)) >= 0 ? longest : Duration.ofHours(1);
    }

    private static void prune(Deque<Instant> times, Instant now, Duration window) {
        Instant cutoff = now.minus(window);
        while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
            times.removeFirst();
        }
    }

    /** The address a client is counted by: an IPv4 address as is, an IPv6 address by its /64. */
    static String network(String ip) {
        if (ip == null) {
            return "";
        }
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        try {
            // A literal (it has a colon): no name is looked up.
            byte[] address = InetAddress.getByName(ip.startsWith("[") ? ip.substring(1, ip.indexOf(']') > 0
                    ? ip.indexOf(']') : ip.length()) : ip).getAddress();
            if (address.length != 16) {
                return ip;
            }
            return HexFormat.of().formatHex(address, 0, 8) + "::/64";
        } catch (UnknownHostException | RuntimeException e) {
            return ip;
        }
    }
}
