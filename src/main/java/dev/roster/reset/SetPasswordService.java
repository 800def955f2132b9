package dev.roster.reset;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordPolicy;
import dev.roster.credentials.SecureTokens;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.mail.MailOutbox;
import dev.roster.plan.UserStatus;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Checks a link's token and sets the directory user's password through it. */
@ApplicationScoped
public class SetPasswordService {

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
        List<String> problems = new ArrayList<>(PasswordPolicy.violations(password, user.email,
                List.of(user.name(), nz(user.givenName), nz(user.familyName), nz(user.username),
                        (nz(user.givenName) + nz(user.familyName)))));
        if (password != null && !password.equals(confirmation)) {
            problems.add("The two passwords differ: type the same password twice.");
        }
        if (!problems.isEmpty()) {
            return new Outcome.Rejected(user.email, problems);
        }
        user.passwordHash = PasswordHasher.hash(password);
        user.updatedAt = now;
        if (user.status == UserStatus.INVITED) {
            user.status = UserStatus.ACTIVE;
        }
        token.usedAt = now;
        // The password is set: any other open link of this user is now pointless.
        em.createQuery("update PasswordToken set voidedAt = :now where userId = :user and usedAt is null"
                + " and voidedAt is null and id <> :id")
                .setParameter("now", now).setParameter("user", user.id).setParameter("id", token.id).executeUpdate();
        outbox.forgetDeliveredLinks(user.id);
        // The user themself set a password through a link: they are the actor.
        jdbc.inCallersTransaction(c -> audit.record(c, AuditActor.user(user.id, user.email, ip, userAgent),
                new AuditEventDraft(AuditAction.PASSWORD_SET, user.id, user.email, null, Map.of())));
        outbox.enqueuePasswordChanged(user.id, user.email, user.name());
        return new Outcome.Done(user.email);
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
        Instant now = clock.instant();
        user.passwordHash = PasswordHasher.hash(password);
        user.updatedAt = now;
        if (user.status == UserStatus.INVITED) {
            user.status = UserStatus.ACTIVE;
        }
        em.createQuery("update PasswordToken set voidedAt = :now where userId = :user and usedAt is null and voidedAt is null")
                .setParameter("now", now).setParameter("user", user.id).executeUpdate();
        outbox.forgetDeliveredLinks(user.id);
        jdbc.inCallersTransaction(c -> audit.record(c, actor,
                new AuditEventDraft(AuditAction.PASSWORD_SET, user.id, user.email, null, Map.of("via", via))));
        if (user.email != null) {
            outbox.enqueuePasswordChanged(user.id, user.email, user.name());
        }
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
