package dev.roster.audit;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.roster.mail.MailEvents;
import dev.roster.reset.ResetEvents;
import dev.roster.access.AccountService;
import dev.roster.access.AdminDirectory;
import dev.roster.access.SignInService;
import dev.roster.directory.UserExportResponses;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** Records the events the rest of Roster fires without knowing about the audit trail. */
@ApplicationScoped
public class AuditObservers {

    @Inject
    AuditTrail trail;

    /**
     * Sign-ins are written in SignInService's own transaction (a plain synchronous observer): a refused
     * attempt commits normally too, so both outcomes are recorded, atomically with the sign-in's own
     * writes, and a sign-in whose event cannot be written fails rather than going unrecorded.
     * HTTP Basic successes are not recorded (every API call would be one); its failures are.
     */
    void onSignIn(@Observes SignInService.SignInAttempt attempt) {
        if (attempt.success() && "basic".equals(attempt.channel())) {
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("channel", attempt.channel());
        if (attempt.success()) {
            AuditActor actor = AuditActor.admin(attempt.admin().id, attempt.admin().displayName, attempt.ip(),
                    attempt.userAgent());
            trail.record(actor, new AuditEventDraft(AuditAction.ADMIN_SIGNED_IN, null, attempt.admin().email, null,
                    details));
            return;
        }
        // Nobody is authenticated: the actor is whoever typed that email, known only by it and their origin.
        details.put("email", attempt.email());
        details.put("reason", attempt.reason());
        details.put("knownAdmin", attempt.admin() != null);
        // Failures come aggregated per account, IP and window (access/SignInFailures): how many this event stands for.
        details.put("attempts", attempt.attempts());
        AuditActor actor = AuditActor.admin(null, attempt.email(), attempt.ip(), attempt.userAgent());
        trail.record(actor, new AuditEventDraft(AuditAction.ADMIN_SIGN_IN_FAILED, null,
                attempt.admin() == null ? null : attempt.admin().email, null, details));
    }

    /** Written in AdminDirectory's transaction: the change and its event commit or roll back together. */
    void onAdminChanged(@Observes AdminDirectory.AdminChanged change) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("adminId", change.adminId());
        details.put("change", change.change());
        details.put("before", change.before());
        details.put("after", change.after());
        trail.record(trail.currentActor(), new AuditEventDraft(AuditAction.ADMIN_CHANGED, null, change.email(), null,
                details));
    }

    /** Written in AccountService's transaction: the new password, the ended sessions and the event go together. */
    void onPasswordChanged(@Observes AccountService.PasswordChanged changed) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("adminId", changed.adminId());
        details.put("channel", changed.channel());
        details.put("required", changed.wasRequired());
        details.put("otherSessionsEnded", true);
        trail.record(trail.currentActor(), new AuditEventDraft(AuditAction.ADMIN_PASSWORD_CHANGED, null,
                changed.email(), null, details));
    }

    /** Fired after the stream is written, outside any request transaction: written in one of its own. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void onUsersExported(@Observes UserExportResponses.UsersExported exported) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("format", "csv");
        details.put("count", exported.users());
        trail.record(trail.adminActor(exported.adminId(), exported.adminEmail()),
                AuditEventDraft.of(AuditAction.USERS_EXPORTED, details));
    }

    /** A link issued one at a time (an apply records its own, set-based): in the issuing transaction. */
    void onTokenIssued(@Observes ResetEvents.TokenIssued issued) {
        trail.record(trail.currentActor(), new AuditEventDraft(issued.auditAction(), issued.userId(), issued.email(),
                issued.batchId(), Map.of("purpose", issued.purpose())));
    }

    /** The user themself set a password through a link: they are the actor. */
    void onPasswordSet(@Observes ResetEvents.PasswordSet set) {
        trail.record(AuditActor.user(set.userId(), set.email(), set.ip(), set.userAgent()),
                new AuditEventDraft(AuditAction.PASSWORD_SET, set.userId(), set.email(), null, Map.of()));
    }

    /** In the sender's transaction that marks a pass's messages sent: one append for all of them. */
    void onMailsSent(@Observes MailEvents.MailsSent pass) {
        trail.recordAll(AuditActor.system(), pass.sent().stream()
                .map(sent -> new AuditEventDraft(AuditAction.MAIL_SENT, sent.userId(), sent.email(), sent.batchId(),
                        Map.of("messageId", sent.messageId().toString(), "kind", sent.kind())))
                .iterator());
    }

    /** An admin was shown a live link on the Sent mail page: who, which message, to whom; never the link. */
    void onLinkViewed(@Observes MailEvents.LinkViewed viewed) {
        trail.record(trail.currentActor(), new AuditEventDraft(AuditAction.MAIL_LINK_VIEWED, viewed.userId(), viewed.email(),
                viewed.batchId(), Map.of("messageId", viewed.messageId().toString(), "kind", viewed.kind())));
    }

    /** In the sender's transaction that marks the message failed for good; the SMTP reply is kept. */
    void onMailFailed(@Observes MailEvents.MailFailed failed) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("messageId", failed.messageId().toString());
        details.put("kind", failed.kind());
        details.put("smtpReply", failed.smtpReply());
        trail.record(AuditActor.system(), new AuditEventDraft(AuditAction.MAIL_FAILED, failed.userId(), failed.email(),
                failed.batchId(), details));
    }
}
