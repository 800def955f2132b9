package dev.roster.mail;

import java.util.Map;

import dev.roster.access.CurrentOperator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.mail.MailRenderer.RenderedMail;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * What the Sent mail page may show of a message. A live link sets someone's password, so only
 * admins see it, and each time they do an audit event (mail.link-viewed) is written in the same
 * transaction; everyone else, and the rendered-body frame, gets the mail with the link withheld.
 */
@ApplicationScoped
public class SentMailViews {

    /** Stands where the link would be for those who may not see it. */
    static final String WITHHELD = "(link shown to admins only, on the mail's page)";

    @Inject
    MailRenderer renderer;
    @Inject
    TokenCipher cipher;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;

    /** The mail with its link, for an admin; records the view when a live link is shown. */
    @Transactional
    public RenderedMail reveal(OutboxMessage m) {
        String token = m.kind.hasLink() ? cipher.decrypt(m.id, m.tokenSecret).orElse(null) : null;
        RenderedMail rendered = renderer.render(m.kind, m.subject, m.displayName, m.recipient, token, at(m), m.body);
        if (rendered.link() != null) {
            // Who, which message, to whom; never the link.
            jdbc.inCallersTransaction(c -> audit.record(c, CurrentOperator.actorOrSystem(), new AuditEventDraft(
                    AuditAction.MAIL_LINK_VIEWED, m.userId, m.recipient, m.batchId,
                    Map.of("messageId", m.id.toString(), "kind", m.kind.name()))));
        }
        return rendered;
    }

    /** The mail without its link (never decrypted), for viewers, operators and the body frame. */
    public RenderedMail withheld(OutboxMessage m) {
        return renderer.renderWithoutLink(m.kind, m.subject, m.displayName, m.recipient, at(m), WITHHELD, m.body);
    }

    private static java.time.Instant at(OutboxMessage m) {
        return m.kind.hasLink() ? m.linkExpiresAt : m.createdAt;
    }
}
