package dev.roster.mail;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import dev.roster.credentials.TokenPurpose;
import dev.roster.web.PublicUrl;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Renders a mail (HTML and plain text) from an outbox message's fields and the raw token of its
 * link. Links start with roster.public-url, never with a request's Host header. Names are
 * escaped in HTML by Qute; a mail holds no secret but its link, never a password.
 */
@ApplicationScoped
public class MailRenderer {

    /** A mail ready to send or show; {@code link} is null for notices and for links no longer kept. */
    public record RenderedMail(String subject, String html, String text, String link) {
    }

    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    @Inject
    @Location("mail/invite.html")
    Template inviteHtml;
    @Inject
    @Location("mail/invite.txt")
    Template inviteText;
    @Inject
    @Location("mail/reset.html")
    Template resetHtml;
    @Inject
    @Location("mail/reset.txt")
    Template resetText;
    @Inject
    @Location("mail/password-changed.html")
    Template changedHtml;
    @Inject
    @Location("mail/password-changed.txt")
    Template changedText;
    @Inject
    @Location("mail/sync-notice.html")
    Template noticeHtml;
    @Inject
    @Location("mail/sync-notice.txt")
    Template noticeText;
    @Inject
    PublicUrl publicUrl;

    public static String subjectOf(MailKind kind) {
        return switch (kind) {
            case INVITE -> "You are invited: set your password";
            case RESET -> "Reset your password";
            case PASSWORD_CHANGED -> "Your password was changed";
            case SYNC_NOTICE -> "Roster sync needs your attention";
        };
    }

    public String link(TokenPurpose purpose, String token) {
        String url = publicUrl.value();
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return base + "/" + purpose.path() + "/" + token;
    }

    /**
     * @param token the raw token of the link; null renders a placeholder instead of the link
     * @param at    when the link expires (INVITE, RESET) or when the password was changed (PASSWORD_CHANGED)
     */
    public RenderedMail render(MailKind kind, String subject, String displayName, String recipient, String token, Instant at) {
        return render(kind, subject, displayName, recipient, token, at, "(link not kept)", null);
    }

    /** As {@link #render}, with a notice's own text (SYNC_NOTICE). */
    public RenderedMail render(MailKind kind, String subject, String displayName, String recipient, String token, Instant at,
            String body) {
        return render(kind, subject, displayName, recipient, token, at, "(link not kept)", body);
    }

    /** The base of Roster's own links in mails (roster.public-url, never a request's Host header). */
    public String publicBase() {
        String url = publicUrl.value();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** As {@link #render}, without the link: {@code placeholder} stands where it would be. */
    public RenderedMail renderWithoutLink(MailKind kind, String subject, String displayName, String recipient, Instant at,
            String placeholder, String body) {
        return render(kind, subject, displayName, recipient, null, at, placeholder, body);
    }

    private RenderedMail render(MailKind kind, String subject, String displayName, String recipient, String token, Instant at,
            String placeholder, String body) {
        String name = displayName == null || displayName.isBlank() ? recipient : displayName;
        String when = at == null ? "" : WHEN.format(at);
        String link = kind.hasLink() && token != null ? link(kind.purpose(), token) : null;
        Template html = switch (kind) {
            case INVITE -> inviteHtml;
            case RESET -> resetHtml;
            case PASSWORD_CHANGED -> changedHtml;
            case SYNC_NOTICE -> noticeHtml;
        };
        Template text = switch (kind) {
            case INVITE -> inviteText;
            case RESET -> resetText;
            case PASSWORD_CHANGED -> changedText;
            case SYNC_NOTICE -> noticeText;
        };
        String shownLink = link != null ? link : placeholder;
        return new RenderedMail(subject,
                html.data("name", name).data("link", shownLink).data("when", when).data("email", recipient)
                        .data("body", body == null ? "" : body).render(),
                text.data("name", name).data("link", shownLink).data("when", when).data("email", recipient)
                        .data("body", body == null ? "" : body).render(),
                link);
    }
}
