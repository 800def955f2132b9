package dev.roster.auditlog;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditCheckpoint;
import dev.roster.audit.AuditCheckpoints;
import dev.roster.audit.AuditExport;
import dev.roster.audit.AuditFilter;
import dev.roster.audit.AuditHash;
import dev.roster.audit.AuditQuery;
import dev.roster.audit.AuditRecord;
import dev.roster.audit.AuditRetention;
import dev.roster.audit.AuditVerifier;
import dev.roster.web.HtmxRequest;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
 * The Audit pages: browse and filter events (newest first, paged on the server), download them,
 * verify the chain; and the embeddable history table of one user or one batch
 * (GET /audit/fragment?user=ID or ?batch=ID, loaded by htmx with hx-trigger="load").
 */
@Path("/audit")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class AuditResource {

    /** Reads a pasted checkpoint (any JSON; its text and signature are checked by AuditCheckpoints). */
    private static final ObjectMapper CHECKPOINT_JSON = new ObjectMapper();

    /** Where a table sits and how its pager behaves: the Audit page pushes the URL, an embedded history does not. */
    public record TableSpot(String containerId, String pageUrl, boolean pushUrl, boolean embedded, boolean targetShown) {
        public TableSpot(String containerId, String pageUrl, boolean pushUrl, boolean embedded) {
            this(containerId, pageUrl, pushUrl, embedded, !embedded);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(PageOf<AuditRecord> events, AuditFilter filter, List<String> actions,
                TableSpot spot);

        static native TemplateInstance audit$table(PageOf<AuditRecord> events, AuditFilter filter, List<String> actions,
                TableSpot spot);

        static native TemplateInstance verify(AuditVerifier.Result result, List<AuditCheckpoint> checkpoints);

        static native TemplateInstance purge(List<AuditRetention.PurgeRequest> requests, long minRetentionDays,
                String newestCutoff, UUID me);
    }

    @Inject
    AuditQuery query;
    @Inject
    AuditExport export;
    @Inject
    AuditVerifier verifier;
    @Inject
    AuditCheckpoints checkpoints;
    @Inject
    AuditRetention retention;
    @Inject
    CurrentOperator operator;

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

    /** Just the table of one user's, one batch's or one group's events, for embedding in their pages. */
    @GET
    @Path("fragment")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance fragment(@QueryParam("user") UUID user, @QueryParam("batch") UUID batch,
            @QueryParam("group") UUID group, @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        if ((user != null ? 1 : 0) + (batch != null ? 1 : 0) + (group != null ? 1 : 0) != 1) {
            throw new BadRequestException("Give one of user, batch or group.");
        }
        AuditFilter filter = user != null ? AuditFilter.ofUser(user)
                : batch != null ? AuditFilter.ofBatch(batch) : AuditFilter.ofGroup(group);
        PageOf<AuditRecord> events = query.page(filter, PageOf.clampPage(page), size == null ? 10 : PageOf.clampSize(size));
        String key = user != null ? "user=" + user : batch != null ? "batch=" + batch : "group=" + group;
        UUID of = user != null ? user : batch != null ? batch : group;
        // A group's history names whom each membership event was about; a user's or batch's does not need to.
        TableSpot spot = new TableSpot("audit-history-" + of, "/audit/fragment?" + key + "&size=" + events.size() + "&",
                false, true, group != null);
        return Templates.audit$table(events, filter, AuditAction.ALL, spot);
    }

    @GET
    @Path("export")
    public Response download(@QueryParam("format") String format, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("batch") String batch, @QueryParam("user") String user, @QueryParam("email") String email) {
        return export.download(AuditFilter.parse(from, to, actor, action, batch, user, email),
                AuditExport.Format.parse(format), operator.get().actor());
    }

    /** Verifies from the newest signed checkpoint (full=true: from the start, rate limited); lists the checkpoints. */
    @GET
    @Path("verify")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance verify(@QueryParam("full") boolean full) {
        return Templates.verify(full ? verifier.verifyFull() : verifier.verify(), checkpoints.list(20));
    }

    /** Verifies against a checkpoint an auditor saved, pasted into the form (the downloaded JSON). */
    @POST
    @Path("verify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance verifyAgainst(@FormParam("checkpoint") String checkpoint) {
        JsonNode saved;
        try {
            saved = checkpoint == null || checkpoint.isBlank() ? null : CHECKPOINT_JSON.readTree(checkpoint);
        } catch (JsonProcessingException e) {
            saved = null;
        }
        if (saved == null || !saved.hasNonNull("text") || !saved.hasNonNull("signature")) {
            throw new BadRequestException("Paste a saved checkpoint: the JSON file the checkpoint download gave.");
        }
        return Templates.verify(verifier.verifyAgainst(saved.get("text").asText(), saved.get("signature").asText()),
                checkpoints.list(20));
    }

    @GET
    @Path("checkpoints/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response checkpoint(@PathParam("id") UUID id) {
        return AuditApi.checkpointResponse(checkpoints, id);
    }

    @POST
    @Path("checkpoints")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    public Response makeCheckpoint() {
        checkpoints.makeNow();
        return Response.seeOther(URI.create("/audit/verify")).build();
    }

    /** The governed purge: request, the pending requests a second admin approves or rejects, receipts. */
    @GET
    @Path("purge")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance purge() {
        return Templates.purge(retention.list(), retention.minRetentionDays(), AuditHash.time(retention.newestCutoff()),
                operator.get().actor().id());
    }

    @POST
    @Path("purge")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response requestPurge(@FormParam("before") String before,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Instant cutoff = retention.cutoff(before);
        AuditRetention.refuseBasic(authorization);
        retention.request(cutoff, operator.get().actor());
        return Response.seeOther(URI.create("/audit/purge")).build();
    }

    @POST
    @Path("purge/{id}/approve")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    public Response approvePurge(@PathParam("id") UUID id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        pendingOr404(id);
        AuditRetention.refuseBasic(authorization);
        retention.approve(id, operator.get().actor());
        return Response.seeOther(URI.create("/audit/purge")).build();
    }

    @POST
    @Path("purge/{id}/reject")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    public Response rejectPurge(@PathParam("id") UUID id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        pendingOr404(id);
        AuditRetention.refuseBasic(authorization);
        retention.reject(id, operator.get().actor());
        return Response.seeOther(URI.create("/audit/purge")).build();
    }

    @GET
    @Path("purge/{id}/receipt")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    public Response receipt(@PathParam("id") UUID id) {
        return AuditApi.receiptResponse(retention, id);
    }

    private void pendingOr404(UUID id) {
        if (retention.find(id) == null) {
            throw new NotFoundException("No purge request " + id + ".");
        }
    }
}
