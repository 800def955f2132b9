package dev.roster.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.support.Browser;
import dev.roster.support.MutableClock;
import dev.roster.support.Sql;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * An anonymous attacker floods the sign-in form: the audit trail stays small (truncated identifiers,
 * one event per account, IP and window plus one summary), and the parallel burst hashes no more
 * passwords than the per-account allowance, because the check and the record are one step.
 */
@QuarkusTest
class SignInFloodTest {

    @Inject
    Sql sql;
    @Inject
    MutableClock clock;
    @Inject
    SignInFailures failures;
    @Inject
    SignInConfig signInConfig;
    @Inject
    io.agroal.api.AgroalDataSource dataSource;
    @Inject
    SignInAudit signInAudit;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void aBurstWithA64KbEmailLeavesBoundedAuditRows() throws Exception {
        String marker = "flood-" + UUID.randomUUID().toString().substring(0, 8);
        String email = marker + "x".repeat(64 * 1024 - 200) + "@example.org";
        awayFromAWindowBoundary();
        long before = sql.count("SELECT count(*) FROM audit_event");
        Browser attacker = Browser.anonymous();
        ExecutorService pool = Executors.newFixedThreadPool(30);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Callable<Integer> attempt = () -> attacker.postForm("/login",
                        Map.of("email", email, "password", "wrong password " + UUID.randomUUID())).statusCode();
                answers.add(pool.submit(attempt));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            long checked = statuses.stream().filter(s -> s == 401).count();
            long throttled = statuses.stream().filter(s -> s == 429).count();
            assertEquals(30, checked + throttled, statuses.toString());
            assertTrue(checked <= 3, "at most the per-account allowance was hashed, however parallel: " + statuses);
        } finally {
            pool.shutdownNow();
        }

        String like = marker + "%";
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE actor_name LIKE ?", like),
                "one event for the whole burst so far");
        long largest = sql.count("""
                SELECT max(octet_length(coalesce(actor_name, '')) + octet_length(details)
                           + octet_length(coalesce(actor_user_agent, ''))) FROM audit_event WHERE actor_name LIKE ?""", like);
        assertTrue(largest < 2048, "the typed email is truncated: " + largest + " bytes");

        // The window closes: one summary event with the count of the rest.
        // (Moved back in the table rather than the clock forward: audit events are dated by the clock.)
        sql.update("UPDATE sign_in_failure_window SET window_start = window_start - interval '11 minutes' "
                + "WHERE account_key LIKE ?", like);
        failures.summariseClosedWindows();
        List<Map<String, Object>> events = sql.rows("SELECT details FROM audit_event WHERE actor_name LIKE ? ORDER BY seq", like);
        assertEquals(2, events.size(), events.toString());
        assertTrue(events.get(0).get("details").toString().contains("\"attempts\":1"), events.toString());
        assertTrue(events.get(1).get("details").toString().contains("\"attempts\":29"), events.toString());
        assertTrue(sql.count("SELECT count(*) FROM audit_event") - before <= 2 + 5,
                "the flood did not flood the chain (a few events of other tests may interleave)");
        assertEquals(0, sql.count("SELECT count(*) FROM sign_in_failure_window WHERE account_key LIKE ?", like));
    }

    /** A burst across a window boundary rightly makes a second first-of-window event: start clear of one. */
    private void awayFromAWindowBoundary() throws InterruptedException {
        java.time.Instant now = clock.instant();
        java.time.Instant next = failures.windowStart(now).plus(signInConfig.auditWindow());
        if (java.time.Duration.between(now, next).toSeconds() < 30) {
            Thread.sleep(java.time.Duration.between(now, next).toMillis() + 1000);
        }
    }

    @Test
    void manyAddressesFromOneIpShareOneRowPastTheBound() throws InterruptedException {
        awayFromAWindowBoundary();
        // A SignInFailures with a bound of 3 (the test profile lifts the bound: every test signs in from 127.0.0.1).
        SignInFailures bounded = new SignInFailures();
        bounded.dataSource = dataSource;
        bounded.audit = signInAudit;
        bounded.clock = clock;
        bounded.config = new SignInConfigStub(3);
        String marker = "spray-" + UUID.randomUUID().toString().substring(0, 8);
        String ip = "198.51.100." + (int) (Math.random() * 250);
        for (int i = 0; i < 25; i++) {
            String email = marker + "-" + i + "@example.org";
            QuarkusTransaction.requiringNew().run(() -> bounded.record(email, null, "wrong email or password", ip, "spray",
                    "form"));
        }
        assertEquals(3, sql.count("SELECT count(*) FROM audit_event WHERE actor_name LIKE ?", marker + "%"));
        assertEquals(22, sql.count("SELECT attempts FROM sign_in_failure_window WHERE ip = ? AND account_key = ?", ip,
                SignInFailures.OTHER_ACCOUNTS));
    }

    record SignInConfigStub(int auditAccountsPerIp) implements SignInConfig {
        public int freeAttemptsPerAccount() {
            return 3;
        }

        public int freeAttemptsPerIp() {
            return 20;
        }

        public java.time.Duration auditWindow() {
            return java.time.Duration.ofMinutes(10);
        }

        public int maxConcurrentHashes() {
            return 4;
        }

        public java.time.Duration hashWait() {
            return java.time.Duration.ofSeconds(2);
        }

        public long maxVerifyMemoryKib() {
            return 65536;
        }

        public long maxVerifyWorkKib() {
            return 262144;
        }

        public int maxVerifyBcryptCost() {
            return 13;
        }
    }
}
