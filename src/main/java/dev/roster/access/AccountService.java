package dev.roster.access;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordPolicy;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/**
 * A signed-in admin changing their own password (the Account page and POST /api/me/password):
 * the current password is checked (and a wrong one counts for the sign-in throttle), the new one
 * meets the set-password pages' policy, every other session of the admin ends, and the change is
 * an audit event, all in one transaction.
 */
@ApplicationScoped
public class AccountService {


    /** Why a change was refused: an HTTP status, a sentence, and the policy's problems if any. */
    public static class PasswordChangeRefused extends RuntimeException {
        private final int status;
        private final List<String> problems;

        PasswordChangeRefused(int status, String message, List<String> problems) {
            super(message);
            this.status = status;
            this.problems = List.copyOf(problems);
        }

        PasswordChangeRefused(int status, String message) {
            this(status, message, List.of());
        }

        public int status() {
            return status;
        }

        public List<String> problems() {
            return problems;
        }
    }

    @Inject
    AdminSessionStore sessions;
    @Inject
    SignInThrottle throttle;
    @Inject
    LocalPasswordIdentityProvider basicCache;
    @Inject
    PasswordChangeRequired required;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;

    /** Whether the admin signs in with a password Roster keeps (an OIDC admin's is their provider's). */
    public boolean hasLocalPassword(AdminAccount admin) {
        return admin != null && admin.source == AdminAccount.Source.LOCAL && admin.passwordHash != null;
    }

    /**
     * Changes the password of the operator who asks (their own). keepSessionToken is the session of this request (it stays
     * signed in); every other session of the admin ends. Throws {@link PasswordChangeRefused}.
     */
    @Transactional
    public void changePassword(Operator who, String currentPassword, String newPassword, String keepSessionToken,
            String ip, String channel) {
        if (currentPassword == null || currentPassword.isEmpty()) {
            throw new PasswordChangeRefused(400, "Enter your current password.");
        }
        if (newPassword == null || newPassword.isEmpty()) {
            throw new PasswordChangeRefused(400, "Enter a new password.");
        }
        AdminAccount admin = who.id() == null ? null : AdminAccount.findById(who.id(), LockModeType.PESSIMISTIC_WRITE);
        if (admin == null) {
            throw new PasswordChangeRefused(404, "There is no admin account for this sign-in.");
        }
        if (!hasLocalPassword(admin)) {
            throw new PasswordChangeRefused(409,
                    "Your password is managed by your single sign-on provider: change it there.");
        }
        // Reserved as a failure before the hash is checked (SignInThrottle), taken back when it is right.
        Duration wait = throttle.reserve(admin.email, ip);
        if (!wait.isZero()) {
            throw new PasswordChangeRefused(429, "Too many wrong passwords. Wait " + Math.max(1, wait.toSeconds())
                    + " seconds and try again.");
        }
        if (!PasswordHasher.verify(currentPassword, admin.passwordHash)) {
            throw new PasswordChangeRefused(403, "The current password is not right.");
        }
        throttle.succeeded(admin.email, ip);
        List<String> problems = new ArrayList<>(PasswordPolicy.violations(newPassword, admin.email,
                List.of(admin.displayName)));
        if (newPassword.equals(currentPassword)) {
            problems.add("Choose a password different from the current one.");
        }
        if (!problems.isEmpty()) {
            throw new PasswordChangeRefused(400, "This password cannot be used.", problems);
        }
        boolean wasRequired = admin.mustChangePassword;
        admin.passwordHash = PasswordHasher.hash(newPassword);
        admin.mustChangePassword = false;
        admin.updatedAt = Instant.now();
        // The session store's connection joins this transaction: sessions end if and only if the change commits.
        sessions.closeAllOfExcept(admin.id, keepSessionToken);
        basicCache.forgetAll();
        required.forget(admin.id);
        // In this transaction: the new password, the ended sessions and the event go together.
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("adminId", admin.id);
        details.put("channel", channel);
        details.put("required", wasRequired);
        details.put("otherSessionsEnded", true);
        jdbc.inCallersTransaction(c -> audit.record(c, who.actor(), new AuditEventDraft(
                AuditAction.ADMIN_PASSWORD_CHANGED, null, admin.email, null, details)));
    }
}
