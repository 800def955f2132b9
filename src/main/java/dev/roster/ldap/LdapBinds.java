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
import dev.roster.reset.SetPasswordService;
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
    @Inject
    LdapSettings settings;
    @Inject
    SetPasswordService setPassword;

    /** The principal a DN and password prove, or the LDAPException to answer. */
    LdapPrincipal bind(LdapTree tree, String dn, String password, String ip) throws LDAPException {
        LdapTree.Node node;
        try {
            node = tree.classify(dn);
        } catch (LDAPException e) {
            throw invalid();
        }
        String account = node.dn().toNormalizedString();
        boolean service = node.kind() == LdapTree.Kind.SERVICE;
        // A service account's secret is 256 random bits: counted per account it would let anyone lock Keycloak's bind
        // out with a few wrong secrets, so it is counted per (account, IP) and per IP.
        String key = service ? "ldap:" + account + "@" + ip : "ldap:" + account;
        boolean trusted = trusted(ip);
        Duration wait = trusted ? throttle.reserveAccount(key) : throttle.reserve(key, ip);
        if (!wait.isZero()) {
            recordFailure(account, "throttled", ip, null);
            throw new LDAPException(ResultCode.INVALID_CREDENTIALS, "Too many failed binds: wait " + wait.toSeconds()
                    + " s before the next attempt.");
        }
        if (service) {
            Optional<ServiceAccounts.Account> a = services.authenticate(node.name(), password);
            if (a.isEmpty()) {
                recordFailure(account, "wrong service account or secret", ip, null);
                throw invalid();
            }
            succeeded(key, ip, trusted);
            return LdapPrincipal.service(a.get().id(), a.get().dn(), a.get().name(), a.get().right());
        }
        Optional<Holder> holder;
        try {
            holder = node.kind() == LdapTree.Kind.USER ? holder(node.name()) : Optional.empty();
        } catch (AmbiguousUid e) {
            hashing.verifyOnPublicPage(password, null); // as long as any other refusal
            recordFailure(account, "ambiguous uid", ip, null);
            throw invalid();
        }
        if (holder.isPresent() && lockout.locked(holder.get().id())) {
            // Hashed all the same, so a locked uid answers no faster than any other refusal.
            hashing.verifyOnPublicPage(password, holder.get().hash());
            if (trusted) {
                throttle.accountCancelled(key);
            } else {
                throttle.cancelled(key, ip);
            }
            recordFailure(account, "locked", ip, null);
            throw invalid();
        }
        // Through the shared ceiling and the directory users' half of the slots (decisions 0036): an imported hash too
        // costly to check is never computed, and the bind fails like a wrong password; admins keep sign-in capacity.
        Optional<PasswordHasher.Verdict> checked = hashing.verifyOnPublicPage(password, holder.map(Holder::hash).orElse(null));
        if (checked.isEmpty()) {
            if (trusted) {
                throttle.accountCancelled(key);
            } else {
                throttle.cancelled(key, ip);
            }
            throw new LDAPException(ResultCode.BUSY, "Too many passwords are being checked at once; try again in a moment.");
        }
        if (checked.get() != PasswordHasher.Verdict.MATCH) {
            String reason = holder.isEmpty() ? "no such active user" : holder.get().hash() == null ? "no password set"
                    : checked.get() == PasswordHasher.Verdict.TOO_COSTLY ? "stored hash too costly to check: reset it"
                    : "wrong password";
            recordFailure(account, reason, ip, holder.orElse(null));
            throw invalid();
        }
        succeeded(key, ip, trusted);
        Holder h = holder.get();
        QuarkusTransaction.requiringNew().run(() -> lockout.succeeded(h.id()));
        if (PasswordHasher.needsRehash(h.hash())) {
            // An imported (or older-parameter) hash becomes Roster's Argon2id, as on the sign-in pages.
            hashing.inPublicSlot(() -> PasswordHasher.hash(password)).ifPresent(rehashed -> QuarkusTransaction
                    .requiringNew().run(() -> setPassword.rehash(h.id(), h.hash(), rehashed)));
        }
        return LdapPrincipal.user(h.id(), tree.userDn(h.uid()), h.uid());
    }

    private void succeeded(String key, String ip, boolean trusted) {
        if (trusted) {
            throttle.accountSucceeded(key);
        } else {
            throttle.succeeded(key, ip);
        }
    }

    /** A relying party in roster.ldap.trusted-clients: its binds skip the per-IP counter (docs/ldap.md). */
    boolean trusted(String ip) {
        if (ip == null) {
            return false;
        }
        for (String cidr : settings.trustedClients().orElse(java.util.List.of())) {
            if (Cidr.contains(cidr.trim(), ip)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks a user's password (Password Modify's old password) in a hashing slot: a wrong one counts like a failed
     * bind, in the slow-down and towards the lockout.
     */
    boolean oldPasswordMatches(LdapTree tree, Holder user, String password, String ip) throws LDAPException {
        String account = new com.unboundid.ldap.sdk.DN(tree.userDn(user.uid())).toNormalizedString();
        String key = "ldap:" + account;
        boolean trusted = trusted(ip);
        Duration wait = trusted ? throttle.reserveAccount(key) : throttle.reserve(key, ip);
        if (!wait.isZero() || lockout.locked(user.id())) {
            recordFailure(account, "password modify: throttled or locked", ip, null);
            throw new LDAPException(ResultCode.INVALID_CREDENTIALS, "The current password is wrong.");
        }
        String hash = jdbc.one("SELECT password_hash FROM directory_user WHERE id = ?", rs -> rs.getString(1), user.id())
                .orElse(null);
        Optional<PasswordHasher.Verdict> ok = hashing.verifyOnPublicPage(password, hash);
        if (ok.isEmpty()) {
            if (trusted) {
                throttle.accountCancelled(key);
            } else {
                throttle.cancelled(key, ip);
            }
            throw new LDAPException(ResultCode.BUSY, "Too many passwords are being checked at once; try again in a moment.");
        }
        if (hash == null || ok.get() != PasswordHasher.Verdict.MATCH) {
            recordFailure(account, "password modify: wrong current password", ip, user);
            return false;
        }
        succeeded(key, ip, trusted);
        return true;
    }

    /** Two visible users answer to one uid (one's username is the other's email): neither may bind by it. */
    static final class AmbiguousUid extends Exception {
        AmbiguousUid() {
            super(null, null, false, false);
        }
    }

    /**
     * The visible (invited or active) user with this uid (username, or the email when there is none); AmbiguousUid
     * when two match.
     */
    Optional<Holder> holder(String uid) throws AmbiguousUid {
        java.util.List<Holder> found = jdbc.list("SELECT u.id, coalesce(u.username, u.email), u.email, u.password_hash "
                + "FROM directory_user u WHERE lower(coalesce(u.username, u.email)) = lower(?) AND "
                + LdapFilterSql.VISIBLE_USER + " LIMIT 2",
                rs -> new Holder(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4)), uid);
        if (found.size() > 1) {
            throw new AmbiguousUid();
        }
        return found.stream().findFirst();
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
