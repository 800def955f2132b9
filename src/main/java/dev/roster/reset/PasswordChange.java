package dev.roster.reset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.roster.access.HashingSlots;
import dev.roster.access.SignInFailures;
import dev.roster.access.SignInThrottle;
import dev.roster.credentials.PasswordHasher;
import dev.roster.directory.DirectoryUser;
import dev.roster.plan.UserStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A directory user changing their own password on the public "Change my password" page (decision 0036): who they
 * are is checked like an admin's sign-in (SignInThrottle first, the hash in a HashingSlots slot, an unknown account
 * costing the same hash, failures aggregated by SignInFailures), then SetPasswordService stores the new password.
 * An unknown account, a wrong password, a suspended user and a name that fits two users all get the same refusal.
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
    static final String THROTTLE_IP = "self-service ";

    @Inject
    SignInThrottle throttle;
    @Inject
    SignInFailures failures;
    @Inject
    HashingSlots hashing;
    @Inject
    SetPasswordService passwords;

    public Outcome change(String name, String currentPassword, String password, String confirmation, String ip,
            String userAgent) {
        String typed = name == null ? "" : name.trim();
        String account = THROTTLE_ACCOUNT + typed;
        String ipKey = THROTTLE_IP + (ip == null ? "" : ip);
        Duration wait = throttle.reserve(account, ipKey);
        if (!wait.isZero()) {
            refused(typed, "throttled", ip, userAgent);
            return new Outcome.Throttled(wait);
        }
        List<DirectoryUser> found = typed.length() > ForgotPassword.MAX_NAME ? List.of()
                : QuarkusTransaction.requiringNew().call(() -> DirectoryUser.findBySignInName(typed));
        DirectoryUser user = found.size() == 1 ? found.get(0) : null;
        Optional<Boolean> checked = hashing.inSlot(() -> {
            if (user == null || user.passwordHash == null) {
                PasswordHasher.burnEquivalentTime(currentPassword);
                return false;
            }
            return PasswordHasher.verify(currentPassword, user.passwordHash);
        });
        if (checked.isEmpty()) {
            throttle.cancelled(account, ipKey);
            return new Outcome.Busy();
        }
        if (!checked.get() || user.status == UserStatus.SUSPENDED || user.status == UserStatus.DELETED) {
            String reason = !checked.get() ? (found.isEmpty() ? "unknown account" : found.size() > 1
                    ? "names more than one user" : "wrong password") : "account " + user.status.name().toLowerCase(java.util.Locale.ROOT);
            refused(typed, reason, ip, userAgent);
            return new Outcome.Refused();
        }
        throttle.succeeded(account, ipKey);
        SetPasswordService.Outcome outcome = passwords.change(user.id, currentPassword, password, confirmation, ip, userAgent);
        if (outcome instanceof SetPasswordService.Outcome.Rejected rejected) {
            List<String> forPassword = new ArrayList<>(rejected.problems());
            List<String> forConfirm = forPassword.remove(SetPasswordService.DIFFERENT_CONFIRMATION)
                    ? List.of(SetPasswordService.DIFFERENT_CONFIRMATION) : List.of();
            return new Outcome.Rejected(forPassword, forConfirm);
        }
        return outcome instanceof SetPasswordService.Outcome.Done ? new Outcome.Changed() : new Outcome.Refused();
    }

    private void refused(String typed, String reason, String ip, String userAgent) {
        QuarkusTransaction.requiringNew().run(() -> failures.record(typed, null, reason, ip, userAgent,
                SignInFailures.PASSWORD_CHANGE));
    }
}
