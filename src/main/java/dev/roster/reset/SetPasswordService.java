package dev.roster.reset;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordPolicy;
import dev.roster.credentials.SecureTokens;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.directory.UserWriter;
import dev.roster.mail.MailOutbox;
import dev.roster.plan.UserStatus;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

/**
 * Checks a link's token and sets the directory user's password through it; also stores the password a user chose
 * on the "Change my password" page. One home for what setting a password means (policy, hash, links ended, event).
 */
@ApplicationScoped
public class SetPasswordService {

    static final String DIFFERENT_CONFIRMATION = "The two passwords differ: type the same password twice.";
    static final String SAME_AS_CURRENT = "Choose a password different from the current one.";

    /** What became of a submission. */
    public sealed interface Outcome {
        /** Unknown, expired, used, replaced or for another purpose: all look the same to the visitor. */
        record InvalidLink() implements Outcome {
        }

        record Rejected(String email, List<String> problems) implements Outcome {
        }

        record Done(String email) implements Outcome {
        }
    }

    @Inject
    Clock clock;
    @Inject
    EntityManager em;
    @Inject
    MailOutbox outbox;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;

    /** The user a usable link belongs to; empty for any link that would be refused. */
    @Transactional
    public Optional<DirectoryUser> holderOf(String rawToken, TokenPurpose purpose) {
        if (!plausible(rawToken)) {
            return Optional.empty();
        }
        PasswordToken token = PasswordToken.findByHash(SecureTokens.sha256Hex(rawToken));
        if (token == null || !token.usableFor(purpose, clock.instant())) {
            return Optional.empty();
        }
        return Optional.ofNullable(DirectoryUser.<DirectoryUser>findById(token.userId)).filter(SetPasswordService::mayHavePassword);
    }

    @Transactional
    public Outcome setPassword(String rawToken, TokenPurpose purpose, String password, String confirmation, String ip,
            String userAgent) {
        if (!plausible(rawToken)) {
            return new Outcome.InvalidLink();
        }
        // Locked: two submissions of one link cannot both use it.
        PasswordToken token = PasswordToken.findByHashForUpdate(SecureTokens.sha256Hex(rawToken));
        Instant now = clock.instant();
        if (token == null || !token.usableFor(purpose, now)) {
            return new Outcome.InvalidLink();
        }
        DirectoryUser user = DirectoryUser.findById(token.userId);
        if (user == null || !mayHavePassword(user)) {
            return new Outcome.InvalidLink();
        }
        List<String> problems = problems(user, password, confirmation);
        if (!problems.isEmpty()) {
            return new Outcome.Rejected(accountName(user), problems);
        }
        token.usedAt = now;
        // The user themself set a password through a link: they are the actor.
        store(user, null, PasswordHasher.hash(password), now, token.id,
                AuditActor.user(user.id, accountName(user), ip, userAgent), AuditAction.PASSWORD_SET);
        return new Outcome.Done(accountName(user));
    }

    /**
     * The "Change my password" page (PasswordChange), once the user has proved their current password against
     * {@code verifiedHash} and PasswordChange has hashed the new one (in a slot, before this lock): the policy again
     * under the row lock, then the same storing, which ends every open link. InvalidLink when the user cannot have a
     * password any more (suspended or deleted meanwhile) or the stored hash is no longer the one verified (another
     * change came first: the current password may not be current any more).
     */
    @Transactional
    public Outcome change(UUID userId, String verifiedHash, String newHash, String currentPassword, String password,
            String confirmation, String ip, String userAgent) {
        DirectoryUser user = DirectoryUser.findById(userId, LockModeType.PESSIMISTIC_WRITE);
        if (user == null || !mayHavePassword(user) || user.deletedAt != null || verifiedHash == null
                || !verifiedHash.equals(user.passwordHash)) {
            return new Outcome.InvalidLink();
        }
        List<String> problems = changeProblems(user, currentPassword, password, confirmation);
        if (!problems.isEmpty()) {
            return new Outcome.Rejected(accountName(user), problems);
        }
        if (!store(user, verifiedHash, newHash, clock.instant(), null,
                AuditActor.user(user.id, accountName(user), ip, userAgent), AuditAction.PASSWORD_CHANGED)) {
            return new Outcome.InvalidLink();
        }
        return new Outcome.Done(accountName(user));
    }

    /** What is wrong with a new password chosen on the "Change my password" page (empty: nothing). */
    static List<String> changeProblems(DirectoryUser user, String currentPassword, String password, String confirmation) {
        List<String> problems = problems(user, password, confirmation);
        if (password != null && password.equals(currentPassword)) {
            problems.add(SAME_AS_CURRENT);
        }
        return problems;
    }

    /**
     * Replaces a hash the user's password was just verified against with one at Roster's own parameters (decision
     * 0036: imported hashes are only as costly to check as Roster's own after the first sign-in); no version moves.
     */
    @Transactional
    public void rehash(UUID userId, String verifiedHash, String newHash) {
        jdbc.inCallersTransaction(c -> UserWriter.rehash(c, userId, verifiedHash, newHash));
    }

    private static List<String> problems(DirectoryUser user, String password, String confirmation) {
        List<String> problems = new ArrayList<>(PasswordPolicy.violations(password, user.email,
                List.of(nz(user.name()), nz(user.givenName), nz(user.familyName), nz(user.username),
                        (nz(user.givenName) + nz(user.familyName)))));
        if (password != null && !password.equals(confirmation)) {
            problems.add(DIFFERENT_CONFIRMATION);
        }
        return problems;
    }

    /**
     * The new password, and what follows from it, in the caller's transaction: the hash (unless the stored one is no
     * longer {@code expectedHash}, when given: then nothing, and false), ACTIVE for an invited user,
     * every other open link of the user ended (resets and invitations alike: they are pointless now), delivered links
     * forgotten, the audit event, and the "your password was changed" notice to a user who has an e-mail.
     */
    private boolean store(DirectoryUser user, String expectedHash, String newHash, Instant now, UUID usedToken,
            AuditActor actor, String action) {
        return store(user, expectedHash, newHash, now, usedToken, actor, action, Map.of());
    }

    private boolean store(DirectoryUser user, String expectedHash, String newHash, Instant now, UUID usedToken,
            AuditActor actor, String action, Map<String, Object> details) {
        // Through UserWriter, not the entity: the version moves only for INVITED -> ACTIVE (decision 0036).
        boolean[] stored = {false};
        jdbc.inCallersTransaction(c -> stored[0] = UserWriter.storePassword(c, user.id, expectedHash, newHash));
        if (!stored[0]) {
            return false;
        }
        Query voiding = em.createQuery("update PasswordToken set voidedAt = :now where userId = :user and usedAt is null"
                + " and voidedAt is null" + (usedToken == null ? "" : " and id <> :id"))
                .setParameter("now", now).setParameter("user", user.id);
        if (usedToken != null) {
            voiding.setParameter("id", usedToken);
        }
        voiding.executeUpdate();
        outbox.forgetDeliveredLinks(user.id);
        jdbc.inCallersTransaction(c -> audit.record(c, actor,
                new AuditEventDraft(action, user.id, user.email, null, details)));
        if (user.email != null && !user.email.isBlank()) {
            outbox.enqueuePasswordChanged(user.id, user.email, user.name());
        }
        return true;
    }

    /** How the pages and events name a user, who may have no e-mail (only a username). */
    static String accountName(DirectoryUser user) {
        return user.email != null && !user.email.isBlank() ? user.email : user.username;
    }

    /**
     * Sets a directory user's password without a link, for a caller that has already established the right to (the LDAP
     * Password Modify operation: the user with their old password, or a password-manager service account): the same
     * policy, hash, activation of an invited user, end of every open link and audit event as {@link #setPassword}.
     * {@code via} names the channel in the event's details ("ldap"). The caller hashes in a hashing slot.
     */
    @Transactional
    public Outcome setWithoutLink(java.util.UUID userId, String password, AuditActor actor, String via) {
        DirectoryUser user = DirectoryUser.findById(userId);
        if (user == null || !mayHavePassword(user)) {
            return new Outcome.InvalidLink();
        }
        List<String> problems = PasswordPolicy.violations(password, user.email,
                List.of(user.name(), nz(user.givenName), nz(user.familyName), nz(user.username),
                        (nz(user.givenName) + nz(user.familyName))));
        if (!problems.isEmpty()) {
            return new Outcome.Rejected(user.email, problems);
        }
        // The same storing as the pages (UserWriter: no version bump but INVITED -> ACTIVE, every open link ended).
        store(user, null, PasswordHasher.hash(password), clock.instant(), null, actor, AuditAction.PASSWORD_SET,
                Map.of("via", via));
        return new Outcome.Done(user.email);
    }

    private static boolean mayHavePassword(DirectoryUser user) {
        return user.status == UserStatus.INVITED || user.status == UserStatus.ACTIVE;
    }

    /** Our tokens are 43 URL-safe characters; anything else is not worth a database look-up. */
    static boolean plausible(String rawToken) {
        return rawToken != null && rawToken.length() >= 20 && rawToken.length() <= 100
                && rawToken.chars().allMatch(ch -> Character.isLetterOrDigit(ch) && ch < 128 || ch == '-' || ch == '_');
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }
}
