package dev.roster.ldap;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;

import dev.roster.access.HashingSlots;
import dev.roster.access.SignInAudit;
import dev.roster.access.SignInFailures;
import dev.roster.access.SignInThrottle;
import dev.roster.credentials.PasswordHasher;
import dev.roster.sql.Jdbc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Simple binds (RFC 4513 §5.1.3) of directory users against their stored hash (Argon2id, imported bcrypt or Argon2id),
 * in the sign-in page's hashing slots and behind its slow-down, and of service accounts against their secret's SHA-256.
 * Failures are written bounded per DN, IP and window (access/SignInFailures, as ldap.bind-failed events) and count
 * towards the user's lockout ({@link LdapLockout}). Every refusal is invalidCredentials (49), whatever the reason (no
 * such user, suspended, deleted, locked, wrong password), so a bind tells an attacker nothing; the audit trail has the
 * reason.
 */
@ApplicationScoped
public class LdapBinds {

    /** A user found by their uid. */
    record Holder(UUID id, String uid, String email, String hash) {
    }

    @Inject
    Jdbc jdbc;
    @Inject
    HashingSlots hashing;
    @Inject
    SignInThrottle throttle;
    @Inject
    SignInFailures failures;
    @Inject
    LdapLockout lockout;
    @Inject
    ServiceAccounts services;

    /** The principal a DN and password prove, or the LDAPException to answer. */
    LdapPrincipal bind(LdapTree tree, String dn, String password, String ip) throws LDAPException {
        LdapTree.Node node;
        try {
            node = tree.classify(dn);
        } catch (LDAPException e) {
            throw invalid();
        }
        String account = node.dn().toNormalizedString();
        Duration wait = throttle.reserve("ldap:" + account, ip);
        if (!wait.isZero()) {
            recordFailure(account, "throttled", ip, null);
            throw new LDAPException(ResultCode.INVALID_CREDENTIALS, "Too many failed binds: wait " + wait.toSeconds()
                    + " s before the next attempt.");
        }
        if (node.kind() == LdapTree.Kind.SERVICE) {
            Optional<ServiceAccounts.Account> a = services.authenticate(node.name(), password);
            if (a.isEmpty()) {
                recordFailure(account, "wrong service account or secret", ip, null);
                throw invalid();
            }
            throttle.succeeded("ldap:" + account, ip);
            return LdapPrincipal.service(a.get().id(), a.get().dn(), a.get().name(), a.get().right());
        }
        Optional<Holder> holder = node.kind() == LdapTree.Kind.USER ? holder(node.name()) : Optional.empty();
        if (holder.isPresent() && lockout.locked(holder.get().id())) {
            throttle.cancelled("ldap:" + account, ip);
            recordFailure(account, "locked", ip, null);
            throw invalid();
        }
        // Through the shared ceiling and memory-proportional slots (decision 0036): an imported hash too costly to
        // check is never computed, and the bind fails like a wrong password.
        Optional<PasswordHasher.Verdict> checked = hashing.verify(password, holder.map(Holder::hash).orElse(null));
        if (checked.isEmpty()) {
            throttle.cancelled("ldap:" + account, ip);
            throw new LDAPException(ResultCode.BUSY, "Too many passwords are being checked at once; try again in a moment.");
        }
        if (checked.get() != PasswordHasher.Verdict.MATCH) {
            String reason = holder.isEmpty() ? "no such active user" : holder.get().hash() == null ? "no password set"
                    : checked.get() == PasswordHasher.Verdict.TOO_COSTLY ? "stored hash too costly to check: reset it"
                    : "wrong password";
            recordFailure(account, reason, ip, holder.orElse(null));
            throw invalid();
        }
        throttle.succeeded("ldap:" + account, ip);
        Holder h = holder.get();
        QuarkusTransaction.requiringNew().run(() -> lockout.succeeded(h.id()));
        return LdapPrincipal.user(h.id(), tree.userDn(h.uid()), h.uid());
    }

    /** Checks a user's password (Password Modify's old password) in a hashing slot, without counting as a bind. */
    boolean passwordMatches(UUID userId, String password) throws LDAPException {
        String hash = jdbc.one("SELECT password_hash FROM directory_user WHERE id = ?", rs -> rs.getString(1), userId)
                .orElse(null);
        Optional<PasswordHasher.Verdict> ok = hashing.verify(password, hash);
        if (ok.isEmpty()) {
            throw new LDAPException(ResultCode.BUSY, "Too many passwords are being checked at once; try again in a moment.");
        }
        return hash != null && ok.get() == PasswordHasher.Verdict.MATCH;
    }

    /** The visible (invited or active) user with this uid (username, or the email when there is none). */
    Optional<Holder> holder(String uid) {
        return jdbc.one("SELECT u.id, coalesce(u.username, u.email), u.email, u.password_hash FROM directory_user u "
                + "WHERE lower(coalesce(u.username, u.email)) = lower(?) AND " + LdapFilterSql.VISIBLE_USER,
                rs -> new Holder(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4)), uid);
    }

    private void recordFailure(String account, String reason, String ip, Holder user) {
        QuarkusTransaction.requiringNew().run(() -> {
            failures.record(account, null, reason, ip, null, SignInAudit.LDAP_CHANNEL);
            if (user != null) {
                lockout.failed(user.id(), user.email(), ip);
            }
        });
    }

    private static LDAPException invalid() {
        return new LDAPException(ResultCode.INVALID_CREDENTIALS, "Invalid credentials.");
    }
}
