package dev.roster.audit;

import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.web.HtmxRequest;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The Audit pages: browse and filter events (newest first, paged on the server), download them,
 * verify the chain; and the embeddable history table of one user or one batch
 * (GET /audit/fragment?user=ID or ?batch=ID, loaded by htmx with hx-trigger="load").
 */
@Path("/audit")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class AuditResource {

    /** Where a table sits and how its pager behaves: the Audit page pushes the URL, an embedded history does not. */
    public record TableSpot(String containerId, String pageUrl, boolean pushUrl, boolean embedded) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(PageOf<AuditRecord> events, AuditFilter filter, List<String> actions,
                TableSpot spot);

        static native TemplateInstance audit$table(PageOf<AuditRecord> events, AuditFilter filter, List<String> actions,
                TableSpot spot);

        static native TemplateInstance verify(AuditVerifier.Result result);
    }

    @Inject
    AuditQuery query;
    @Inject
    AuditExport export;
    @Inject
    AuditVerifier verifier;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("actor") String actor, @QueryParam("action") String action, @QueryParam("batch") String batch,
            @QueryParam("user") String user, @QueryParam("email") String email, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size, @Context HttpHeaders headers) {
        AuditFilter filter = AuditFilter.parse(from, to, actor, action, batch, user, email);
        PageOf<AuditRecord> events = query.page(filter, PageOf.clampPage(page), PageOf.clampSize(size));
        String q = filter.query();
        TableSpot spot = new TableSpot("audit-table", "/audit?" + q + (q.isEmpty() ? "" : "&") + "size=" + events.size()
                + "&", true, false);
        return HtmxRequest.isHtmx(headers)
                ? Templates.audit$table(events, filter, AuditAction.ALL, spot)
                : Templates.audit(events, filter, AuditAction.ALL, spot);
    }

    /** Just the table of one user's or one batch's events, for embedding in their pages. */
    @GET
    @Path("fragment")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance fragment(@QueryParam("user") UUID user, @QueryParam("batch") UUID batch,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        if ((user == null) == (batch == null)) {
            throw new BadRequestException("Give either user or batch.");
        }
        AuditFilter filter = user != null ? AuditFilter.ofUser(user) : AuditFilter.ofBatch(batch);
        PageOf<AuditRecord> events = query.page(filter, PageOf.clampPage(page), size == null ? 10 : PageOf.clampSize(size));
        String key = user != null ? "user=" + user : "batch=" + batch;
        TableSpot spot = new TableSpot("audit-history-" + (user != null ? user : batch),
                "/audit/fragment?" + key + "&size=" + events.size() + "&", false, true);
        return Templates.audit$table(events, filter, AuditAction.ALL, spot);
    }

    @GET
    @Path("export")
    public Response download(@QueryParam("format") String format, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("batch") String batch, @QueryParam("user") String user, @QueryParam("email") String email) {
        return export.download(AuditFilter.parse(from, to, actor, action, batch, user, email),
                AuditExport.Format.parse(format));
    }

    @GET
    @Path("verify")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance verify() {
        return Templates.verify(verifier.verify());
    }
}
