package dev.roster.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Slows down repeated failed sign-ins, per account and per client IP: after a few failures each
 * further attempt must wait an exponentially growing delay (capped), whatever the password.
 * <p>
 * The check and the record are one step ({@link #reserve}): an attempt that may go ahead is counted
 * as a failure before its password is hashed, and {@link #succeeded} takes it back. So a parallel
 * burst cannot slip many attempts past the check while the first ones are still hashing.
 * Kept in memory per instance: an attacker spreading attempts over instances still meets each
 * instance's limit, and Argon2id makes every guess slow anyway.
 */
@ApplicationScoped
public class SignInThrottle {

    private record Failures(int count, Instant last) {
    }

    private static final Duration MAX_DELAY = Duration.ofMinutes(15);
    private static final Duration FORGET_AFTER = Duration.ofMinutes(30);
    private static final int MAX_KEYS = 100_000;

    private final Map<String, Failures> byAccount = new HashMap<>();
    private final Map<String, Failures> byIp = new HashMap<>();

    @Inject
    SignInConfig config;
    @Inject
    Clock clock;

    /**
     * How long the caller must still wait before an attempt is even checked. Zero means it may go ahead,
     * and the attempt is already counted as a failure (until {@link #succeeded}).
     */
    public synchronized Duration reserve(String account, String ip) {
        Instant now = clock.instant();
        String a = key(account);
        String i = ip == null ? "" : ip;
        Duration waitAccount = remaining(byAccount.get(a), config.freeAttemptsPerAccount(), now);
        Duration waitIp = remaining(byIp.get(i), config.freeAttemptsPerIp(), now);
        Duration wait = waitAccount.compareTo(waitIp) >= 0 ? waitAccount : waitIp;
        if (!wait.isZero()) {
            return wait;
        }
        if (byAccount.size() > MAX_KEYS || byIp.size() > MAX_KEYS) {
            forgetOld(now);
        }
        byAccount.merge(a, new Failures(1, now), (old, n) -> next(old, now));
        byIp.merge(i, new Failures(1, now), (old, n) -> next(old, now));
        return Duration.ZERO;
    }

    /**
     * As {@link #reserve} for a second account key alone (no IP counted again): the self-service page counts an
     * attempt under the name typed and, once that names one user, under the user too.
     */
    public synchronized Duration reserveAccount(String account) {
        Instant now = clock.instant();
        String a = key(account);
        Duration wait = remaining(byAccount.get(a), config.freeAttemptsPerAccount(), now);
        if (!wait.isZero()) {
            return wait;
        }
        if (byAccount.size() > MAX_KEYS) {
            forgetOld(now);
        }
        byAccount.merge(a, new Failures(1, now), (old, n) -> next(old, now));
        return Duration.ZERO;
    }

    /** The attempt reserved by {@link #reserveAccount} was right. */
    public synchronized void accountSucceeded(String account) {
        byAccount.remove(key(account));
    }

    /** The attempt reserved by {@link #reserveAccount} was never checked. */
    public synchronized void accountCancelled(String account) {
        release(byAccount, key(account));
    }

    /** The reserved attempt was right: the account starts afresh, the IP's count drops by the one reserved. */
    public synchronized void succeeded(String account, String ip) {
        byAccount.remove(key(account));
        release(byIp, ip == null ? "" : ip);
    }

    /** The reserved attempt was never checked (no hashing slot): it does not count. */
    public synchronized void cancelled(String account, String ip) {
        release(byAccount, key(account));
        release(byIp, ip == null ? "" : ip);
    }

    private static void release(Map<String, Failures> map, String key) {
        map.computeIfPresent(key, (k, f) -> f.count <= 1 ? null : new Failures(f.count - 1, f.last));
    }

    private void forgetOld(Instant now) {
        byAccount.values().removeIf(f -> f.last.plus(FORGET_AFTER).isBefore(now));
        byIp.values().removeIf(f -> f.last.plus(FORGET_AFTER).isBefore(now));
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
        String key = account == null ? "" : account.trim().toLowerCase(Locale.ROOT);
        return key.length() > SignInFailures.MAX_IDENTIFIER ? key.substring(0, SignInFailures.MAX_IDENTIFIER) : key;
    }
}
