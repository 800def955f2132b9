package dev.roster.mail;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.mail.MailOutbox.StatusCounts;
import dev.roster.mail.MailRenderer.RenderedMail;
import dev.roster.web.HtmxRequest;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The Sent mail pages: every outbox message, newest first, filtered and paged on the server; one
 * message with its rendered body (when roster.mail.sent-mail-page.enabled) and, for admins only
 * and audited, its link ({@link SentMailViews}); the status fragment the batch and user pages
 * embed; "resend failed" for a batch.
 */
@Path("/mail")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class SentMailResource {

    static final int FRAGMENT_ROWS = 10;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance mails(PageOf<OutboxMessage> mails, String recipient, String status, String batch,
                String user, List<OutboxStatus> statuses, String pageUrl, StatusCounts batchCounts, String notice);

        static native TemplateInstance mails$table(PageOf<OutboxMessage> mails, String recipient, String status, String batch,
                String user, List<OutboxStatus> statuses, String pageUrl, StatusCounts batchCounts, String notice);

        static native TemplateInstance mail(OutboxMessage mail, RenderedMail rendered, boolean bodiesShown,
                boolean linkWithheld, boolean linkRevealable);

        static native TemplateInstance status(StatusCounts counts, List<OutboxMessage> mails, String allUrl, String batch,
                String notice);
    }

    @Inject
    MailOutbox outbox;
    @Inject
    SentMailViews views;
    @Inject
    CurrentOperator operator;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@QueryParam("recipient") String recipient, @QueryParam("status") String status,
            @QueryParam("batch") String batch, @QueryParam("user") String user, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size, @QueryParam("resent") Integer resent, @Context HttpHeaders headers) {
        OutboxStatus statusFilter = parseStatus(status);
        UUID batchId = parseId(batch, "batch");
        UUID userId = parseId(user, "user");
        PageOf<OutboxMessage> mails = outbox.search(recipient, statusFilter, batchId, userId, PageOf.clampPage(page),
                PageOf.clampSize(size));
        String shownRecipient = recipient == null ? "" : recipient.trim();
        String shownStatus = statusFilter == null ? "" : statusFilter.name();
        String shownBatch = batchId == null ? "" : batchId.toString();
        String shownUser = userId == null ? "" : userId.toString();
        String pageUrl = "/mail?recipient=" + URLEncoder.encode(shownRecipient, StandardCharsets.UTF_8) + "&status="
                + shownStatus + "&batch=" + shownBatch + "&user=" + shownUser + "&size=" + mails.size() + "&";
        StatusCounts counts = batchId == null ? null : outbox.counts(batchId, null);
        String notice = resent == null ? null : resent + " failed mail(s) queued again.";
        List<OutboxStatus> statuses = List.of(OutboxStatus.values());
        return HtmxRequest.isHtmx(headers)
                ? Templates.mails$table(mails, shownRecipient, shownStatus, shownBatch, shownUser, statuses, pageUrl, counts,
                        notice)
                : Templates.mails(mails, shownRecipient, shownStatus, shownBatch, shownUser, statuses, pageUrl, counts, notice);
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance detail(@PathParam("id") UUID id) {
        OutboxMessage mail = find(id);
        if (!outbox.sentMailPageEnabled()) {
            return Templates.mail(mail, null, false, false, false);
        }
        boolean admin = operator.get().isAdmin();
        // Even for an admin a GET never shows the link: a page elsewhere could open it in their browser and so write
        // a link-viewed event they never meant. The link comes from the POST below, behind the CSRF check.
        return Templates.mail(mail, views.withheld(mail), true, !admin && mail.kind.hasLink(),
                admin && mail.kind.hasLink() && mail.tokenSecret != null);
    }

    /** Shows an admin the mail's live link, and records that they were shown it (mail.link-viewed). */
    @POST
    @Path("{id}/link")
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    public TemplateInstance link(@PathParam("id") UUID id) {
        OutboxMessage mail = find(id);
        if (!outbox.sentMailPageEnabled()) {
            throw new NotFoundException("Mail links are not kept: roster.mail.sent-mail-page.enabled is false.");
        }
        return Templates.mail(mail, views.reveal(mail), true, false, false);
    }

    /**
     * The rendered HTML of a mail, for the sandboxed frame of the detail page (strict CSP: PublicPageHeaders),
     * always without its link: the detail page is the one audited place that shows it.
     */
    @GET
    @Path("{id}/body")
    @Produces(MediaType.TEXT_HTML)
    public Response body(@PathParam("id") UUID id) {
        if (!outbox.sentMailPageEnabled()) {
            throw new NotFoundException("Mail bodies are not kept: roster.mail.sent-mail-page.enabled is false.");
        }
        return Response.ok(views.withheld(find(id)).html(), MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }

    /** Mail status counts and the latest mails of a batch or a user, for embedding with hx-get. */
    @GET
    @Path("fragment")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance fragment(@QueryParam("batch") String batch, @QueryParam("user") String user) {
        UUID batchId = parseId(batch, "batch");
        UUID userId = parseId(user, "user");
        if ((batchId == null) == (userId == null)) {
            throw new BadRequestException("Give either batch or user.");
        }
        return statusFragment(batchId, userId, null);
    }

    @POST
    @Path("resend-failed")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Produces(MediaType.TEXT_HTML)
    public Response resendFailed(@QueryParam("batch") String batch, @Context HttpHeaders headers) {
        UUID batchId = parseId(batch, "batch");
        if (batchId == null) {
            throw new BadRequestException("Give the batch whose failed mails to send again.");
        }
        int queued = outbox.resendFailed(batchId);
        if (HtmxRequest.isHtmx(headers)) {
            return Response.ok(statusFragment(batchId, null, queued + " failed mail(s) queued again.")).build();
        }
        return Response.seeOther(URI.create("/mail?batch=" + batchId + "&resent=" + queued)).build();
    }

    private TemplateInstance statusFragment(UUID batchId, UUID userId, String notice) {
        StatusCounts counts = outbox.counts(batchId, userId);
        List<OutboxMessage> latest = outbox.search(null, null, batchId, userId, 1, FRAGMENT_ROWS).items();
        String allUrl = batchId != null ? "/mail?batch=" + batchId : "/mail?user=" + userId;
        return Templates.status(counts, latest, allUrl, batchId == null ? "" : batchId.toString(), notice);
    }

    private static OutboxMessage find(UUID id) {
        OutboxMessage mail = OutboxMessage.findById(id);
        if (mail == null) {
            throw new NotFoundException("No mail with id " + id + ".");
        }
        return mail;
    }

    static OutboxStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return OutboxStatus.valueOf(status.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("Unknown status \"" + status + "\": use PENDING, SENDING, SENT, FAILED or CANCELLED.");
        }
    }

    static UUID parseId(String value, String what) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("The " + what + " must be an id like 0b7e…, not \"" + value + "\".");
        }
    }
}
