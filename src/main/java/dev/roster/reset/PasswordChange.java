package dev.roster.reset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.roster.access.HashingSlots;
import dev.roster.access.SignInFailures;
import dev.roster.access.SignInThrottle;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordHasher.Verdict;
import dev.roster.directory.DirectoryUser;
import dev.roster.plan.UserStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A directory user changing their own password on the public "Change my password" page (decision 0036): who they
 * are is checked like an admin's sign-in (SignInThrottle first, under the name typed and then under the user it
 * names; the hash in a public HashingSlots slot, as many as its memory needs; an unknown account costing the same
 * hash, failures aggregated by SignInFailures), then the new password is hashed in a slot and SetPasswordService
 * stores it under the row lock, if the stored hash is still the one verified. An unknown account, a wrong password,
 * a suspended user, a name that fits two users and a stored hash too costly to check all get the same refusal, no
 * sooner than roster.self-service.min-refusal-time after the request began.
 */
@ApplicationScoped
public class PasswordChange {

    /** What became of a change. */
    public sealed interface Outcome {
        record Changed() implements Outcome {
        }

        /** Unknown account, wrong password, suspended or deleted: one answer for all. */
        record Refused() implements Outcome {
        }

        /** The current password was right; the new one cannot be used (problems per field). */
        record Rejected(List<String> passwordProblems, List<String> confirmProblems) implements Outcome {
        }

        record Throttled(Duration retryAfter) implements Outcome {
        }

        /** Too many passwords being checked at once: try again in a moment (nothing was counted). */
        record Busy() implements Outcome {
        }
    }

    /** Keys of this page in SignInThrottle: apart from admins' sign-ins, so neither page locks the other out. */
    static final String THROTTLE_ACCOUNT = "user ";
    static final String THROTTLE_USER = "user id ";
    static final String THROTTLE_IP = "self-service ";
    /** The reason in the audit trail when a stored hash is above the verify ceiling: the admin must reset it. */
    static final String TOO_COSTLY = "stored hash too costly to check: reset it";
    static final String NEW_PASSWORD_REJECTED = "right password, new one rejected";

    @Inject
    SignInThrottle throttle;
    @Inject
    TokenGuessThrottle verifiedAttempts;
    @Inject
    SignInFailures failures;
    @Inject
    HashingSlots hashing;
    @Inject
    SetPasswordService passwords;
    @Inject
    SelfServiceConfig config;

    public Outcome change(String name, String currentPassword, String password, String confirmation, String ip,
            String userAgent) {
        long started = System.nanoTime();
        Outcome outcome = decide(name, currentPassword, password, confirmation, ip, userAgent);
        if (outcome instanceof Outcome.Refused) {
            // Outside any slot: a fast refusal (a cheap imported hash, a burn) looks like a slow one.
            long left = started + config.minRefusalTime().toNanos() - System.nanoTime();
            if (left > 0) {
                try {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return outcome;
    }

    private Outcome decide(String name, String currentPassword, String password, String confirmation, String ip,
            String userAgent) {
        String typed = name == null ? "" : name.trim();
        String account = THROTTLE_ACCOUNT + typed;
        String ipKey = THROTTLE_IP + TokenGuessThrottle.network(ip);
        Duration wait = throttle.reserve(account, ipKey);
        if (!wait.isZero()) {
            refused(typed, "throttled", ip, userAgent);
            return new Outcome.Throttled(wait);
        }
        List<DirectoryUser> found = typed.length() > ForgotPassword.MAX_NAME ? List.of()
                : QuarkusTransaction.requiringNew().call(() -> DirectoryUser.findBySignInName(typed));
        DirectoryUser user = found.size() == 1 ? found.get(0) : null;
        // Counted under the user too, whatever name was typed; a user held back is answered like a wrong password
        // (a burn, the plain refusal), never with a wait that would say the account exists.
        String userKey = user == null ? null : THROTTLE_USER + user.id;
        boolean userHeld = userKey != null && !throttle.reserveAccount(userKey).isZero();
        String storedHash = user == null || userHeld ? null : user.passwordHash;
        Optional<Verdict> checked = hashing.verifyOnPublicPage(currentPassword, storedHash);
        if (checked.isEmpty()) {
            return busy(account, ipKey, userHeld ? null : userKey);
        }
        Verdict verdict = checked.get();
        if (verdict != Verdict.MATCH || user.status == UserStatus.SUSPENDED || user.status == UserStatus.DELETED) {
            String reason = verdict == Verdict.TOO_COSTLY ? TOO_COSTLY : userHeld ? "throttled"
                    : verdict == Verdict.NO_MATCH ? (found.isEmpty() ? "unknown account" : found.size() > 1
                            ? "names more than one user" : "wrong password")
                    : "account " + user.status.name().toLowerCase(Locale.ROOT);
            refused(typed, reason, ip, userAgent);
            return new Outcome.Refused();
        }
        List<String> problems = SetPasswordService.changeProblems(user, currentPassword, password, confirmation);
        if (!problems.isEmpty()) {
            return rejected(user, typed, problems, currentPassword, account, ipKey, userKey, ip, userAgent);
        }
        Optional<String> newHash = hashing.inPublicSlot(() -> PasswordHasher.hash(password));
        if (newHash.isEmpty()) {
            return busy(account, ipKey, userKey);
        }
        SetPasswordService.Outcome outcome = passwords.change(user.id, user.passwordHash, newHash.get(), currentPassword,
                password, confirmation, ip, userAgent);
        if (outcome instanceof SetPasswordService.Outcome.Rejected r) {
            return rejected(user, typed, r.problems(), currentPassword, account, ipKey, userKey, ip, userAgent);
        }
        if (outcome instanceof SetPasswordService.Outcome.Done) {
            throttle.succeeded(account, ipKey);
            throttle.accountSucceeded(userKey);
            return new Outcome.Changed();
        }
        // Suspended, or another change came first: the password verified may not be current any more.
        refused(typed, "changed meanwhile", ip, userAgent);
        return new Outcome.Refused();
    }

    /**
     * The current password was right, the new one is not usable: audited (a right guess is never silent), and
     * counted per user apart from failures, so guessing through this answer stays bounded.
     */
    private Outcome rejected(DirectoryUser user, String typed, List<String> problems, String currentPassword,
            String account, String ipKey, String userKey, String ip, String userAgent) {
        if (!verifiedAttempts.allow("change verified " + user.id, config.verifiedAttemptsPerHour(), Duration.ofHours(1))) {
            refused(typed, "throttled", ip, userAgent);
            return new Outcome.Refused();
        }
        throttle.succeeded(account, ipKey);
        throttle.accountSucceeded(userKey);
        refused(typed, NEW_PASSWORD_REJECTED, ip, userAgent);
        if (PasswordHasher.needsRehash(user.passwordHash)) {
            hashing.inPublicSlot(() -> PasswordHasher.hash(currentPassword))
                    .ifPresent(rehashed -> passwords.rehash(user.id, user.passwordHash, rehashed));
        }
        List<String> forPassword = new ArrayList<>(problems);
        List<String> forConfirm = forPassword.remove(SetPasswordService.DIFFERENT_CONFIRMATION)
                ? List.of(SetPasswordService.DIFFERENT_CONFIRMATION) : List.of();
        return new Outcome.Rejected(forPassword, forConfirm);
    }

    private Outcome busy(String account, String ipKey, String userKey) {
        throttle.cancelled(account, ipKey);
        if (userKey != null) {
            throttle.accountCancelled(userKey);
        }
        return new Outcome.Busy();
    }

    private void refused(String typed, String reason, String ip, String userAgent) {
        QuarkusTransaction.requiringNew().run(() -> failures.record(typed, null, reason, ip, userAgent,
                SignInFailures.PASSWORD_CHANGE));
    }
}
