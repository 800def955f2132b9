package dev.roster.access;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Writes a sign-in attempt's audit event in the caller's transaction (SignInService, SignInFailures,
 * OidcSignIns): a refused attempt commits normally too, so both outcomes are recorded, atomically with the
 * sign-in's own writes, and a sign-in whose event cannot be written fails rather than going unrecorded.
 * HTTP Basic successes are not recorded (every API call would be one); its failures are.
 */
@ApplicationScoped
public class SignInAudit {

    /** The channel of LDAP binds: their failures share the bounded windows of SignInFailures, as ldap.bind-failed events. */
    public static final String LDAP_CHANNEL = "ldap";

    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;

    public void record(SignInService.SignInAttempt attempt) {
        if (attempt.success() && "basic".equals(attempt.channel())) {
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("channel", attempt.channel());
        if (attempt.success()) {
            AuditActor actor = AuditActor.admin(attempt.admin().id, attempt.admin().displayName, attempt.ip(),
                    attempt.userAgent());
            jdbc.inCallersTransaction(c -> audit.record(c, actor, new AuditEventDraft(AuditAction.ADMIN_SIGNED_IN, null,
                    attempt.admin().email, null, details)));
            return;
        }
        if (LDAP_CHANNEL.equals(attempt.channel())) {
            // An LDAP bind (dev.roster.ldap): the account is a bind DN, the actor whoever presented it.
            details.put("dn", attempt.email());
            details.put("reason", attempt.reason());
            details.put("attempts", attempt.attempts());
            AuditActor actor = AuditActor.user(null, attempt.email(), attempt.ip(), null);
            jdbc.inCallersTransaction(c -> audit.record(c, actor, new AuditEventDraft(AuditAction.LDAP_BIND_FAILED, null,
                    null, null, details)));
            return;
        }
        if (SignInFailures.forDirectoryUsers(attempt.channel())) {
            selfServiceRefused(attempt);
            return;
        }
        // Nobody is authenticated: the actor is whoever typed that email, known only by it and their origin.
        details.put("email", attempt.email());
        details.put("reason", attempt.reason());
        details.put("knownAdmin", attempt.admin() != null);
        // Failures come aggregated per account, IP and window (SignInFailures): how many this event stands for.
        details.put("attempts", attempt.attempts());
        AuditActor actor = AuditActor.admin(null, attempt.email(), attempt.ip(), attempt.userAgent());
        jdbc.inCallersTransaction(c -> audit.record(c, actor, new AuditEventDraft(AuditAction.ADMIN_SIGN_IN_FAILED, null,
                attempt.admin() == null ? null : attempt.admin().email, null, details)));
    }

    /**
     * A directory user's self-service page turned a request down (decision 0036): the actor is the public page with
     * the request's origin, never the account typed, which goes in the details as admins see it on the users page.
     */
    private void selfServiceRefused(SignInService.SignInAttempt attempt) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("page", attempt.channel());
        details.put("account", SignInFailures.accountOf(attempt.email()));
        details.put("reason", attempt.reason());
        details.put("attempts", attempt.attempts());
        jdbc.inCallersTransaction(c -> audit.record(c, AuditActor.selfService(attempt.ip(), attempt.userAgent()),
                new AuditEventDraft(AuditAction.PASSWORD_SELF_SERVICE_REFUSED, null, null, null, details)));
    }
}
