package dev.roster.ldap;

import java.util.Optional;

import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;

import dev.roster.access.HashingSlots;
import dev.roster.audit.AuditActor;
import dev.roster.reset.SetPasswordService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Password Modify (RFC 3062) on the set-password machinery (reset/SetPasswordService): a user changes their own password
 * with their old one; a password-manager service account sets another user's. The password policy applies, the user's
 * open reset and invitation links end, and the change is audited (password.set, via ldap). Roster generates no
 * passwords: a request without a new one is refused.
 */
@ApplicationScoped
public class LdapPasswords {

    @Inject
    LdapBinds binds;
    @Inject
    SetPasswordService setPassword;
    @Inject
    HashingSlots hashing;

    void modify(LdapTree tree, LdapPrincipal who, ExtendedRequest raw, String ip) throws LDAPException {
        if (who == null) {
            throw new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, "Bind first: a password is changed by its user "
                    + "or by a password-manager service account.");
        }
        PasswordModifyExtendedRequest request = new PasswordModifyExtendedRequest(raw);
        String identity = request.getUserIdentity();
        String uid;
        if (identity == null || identity.isBlank()) {
            if (who.isService()) {
                throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, "Name the user whose password to set (userIdentity).");
            }
            uid = who.name();
        } else {
            uid = uidOf(tree, identity.strip());
        }
        Optional<LdapBinds.Holder> target;
        try {
            target = binds.holder(uid);
        } catch (LdapBinds.AmbiguousUid e) {
            throw new LDAPException(ResultCode.NO_SUCH_OBJECT, "No single active user " + uid + ".");
        }
        if (target.isEmpty()) {
            throw new LDAPException(ResultCode.NO_SUCH_OBJECT, "No active user " + identity + ".");
        }
        boolean self = !who.isService() && who.id().equals(target.get().id());
        if (!self && !who.mayResetPasswords()) {
            throw new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, who.isService()
                    ? "This service account is read-only; a password-manager account may set other users' passwords."
                    : "A user may change only their own password.");
        }
        if (request.getNewPassword() == null || request.getNewPassword().isEmpty()) {
            throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, "Roster does not generate passwords: give the new "
                    + "one (ldappasswd -s, or -S to be asked).");
        }
        if (self) {
            if (request.getOldPassword() == null) {
                throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, "Give your current password (ldappasswd -a or -A).");
            }
            if (!binds.oldPasswordMatches(tree, target.get(), request.getOldPassword(), ip)) {
                throw new LDAPException(ResultCode.INVALID_CREDENTIALS, "The current password is wrong.");
            }
        }
        AuditActor actor = who.isService() ? AuditActor.service(who.id(), who.name(), ip)
                : AuditActor.user(who.id(), target.get().email() == null ? target.get().uid() : target.get().email(), ip, null);
        Optional<SetPasswordService.Outcome> outcome = hashing.inSlot(
                () -> setPassword.setWithoutLink(target.get().id(), request.getNewPassword(), actor, "ldap"));
        if (outcome.isEmpty()) {
            throw new LDAPException(ResultCode.BUSY, "Too many passwords are being hashed at once; try again in a moment.");
        }
        if (outcome.get() instanceof SetPasswordService.Outcome.Rejected rejected) {
            throw new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "The new password is refused: "
                    + String.join(" ", rejected.problems()));
        }
        if (!(outcome.get() instanceof SetPasswordService.Outcome.Done)) {
            throw new LDAPException(ResultCode.NO_SUCH_OBJECT, "No active user " + identity + ".");
        }
    }

    /** The uid an identity names: a user's DN, "dn:DN", or "u:uid" (RFC 4513 §5.2.1.8 authzId forms). */
    private static String uidOf(LdapTree tree, String identity) throws LDAPException {
        if (identity.startsWith("u:")) {
            return identity.substring(2);
        }
        String dn = identity.startsWith("dn:") ? identity.substring(3) : identity;
        LdapTree.Node node = tree.classify(dn);
        if (node.kind() != LdapTree.Kind.USER) {
            throw new LDAPException(ResultCode.NO_SUCH_OBJECT, "\"" + identity + "\" is not a user under " + tree.people() + ".");
        }
        return node.name();
    }
}
