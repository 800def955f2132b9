package dev.roster.batch;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentAdmin;
import dev.roster.batch.PlanItemQuery.ChangeView;
import dev.roster.plan.Operation;
import dev.roster.web.HtmxRequest;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The Batches pages: upload, the list, one batch with its dry-run diff, downloads, discard. */
@Path("/batches")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class BatchResource {

    /** A tab of the diff with its count. */
    public record Tab(String id, String label, long count) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance batches(PageOf<Batch> batches, List<Operation> operations, String error);

        static native TemplateInstance batch(Batch batch, List<Tab> tabs, String tab, String q, PageOf<ChangeView> changes,
                String pageUrl);

        static native TemplateInstance batch$changes(Batch batch, List<Tab> tabs, String tab, String q,
                PageOf<ChangeView> changes, String pageUrl);

        static native TemplateInstance batch$progress(Batch batch);

        static native TemplateInstance confirm(Batch batch, List<ChangeView> sample, long mails, boolean approvalRequired,
                boolean overCap, long activeUsers, String error, List<ApplyConflict> conflicts);
    }

    @Inject
    BatchService batches;
    @Inject
    PlanItemQuery items;
    @Inject
    BatchDownloads downloads;
    @Inject
    CurrentAdmin currentAdmin;
    @Inject
    ApplyService applies;
    @Inject
    RevertPlanner reverts;
    @Inject
    BatchManifest manifests;
    @Inject
    dev.roster.audit.AuditTrail audit;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@QueryParam("page") Integer page) {
        return Templates.batches(batches.list(PageOf.clampPage(page), 20), List.of(Operation.values()), null);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response upload(@RestForm("file") FileUpload file, @RestForm("operation") String operation,
            @RestForm("matchBy") String matchBy) {
        try {
            UUID id = batches.uploadFile(file == null ? null : file.uploadedFile(), file == null ? null : file.fileName(),
                    operation, matchBy, currentAdmin.id(), currentAdmin.displayName());
            return Response.seeOther(URI.create("/batches/" + id)).build();
        } catch (ClientErrorException e) {
            return Response.status(e.getResponse().getStatus())
                    .entity(Templates.batches(batches.list(1, 20), List.of(Operation.values()), e.getMessage())).build();
        }
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance batch(@PathParam("id") UUID id, @QueryParam("kind") String kind, @QueryParam("q") String q,
            @QueryParam("page") Integer page, @Context HttpHeaders headers) {
        Batch batch = batches.find(id);
        PlanItemQuery.Filter filter = PlanItemQuery.Filter.parse(kind, q);
        PageOf<ChangeView> changes = batch.status == BatchStatus.PLANNING || batch.status == BatchStatus.REJECTED
                ? new PageOf<>(List.of(), 0, 1, 50)
                : items.page(batch, filter, PageOf.clampPage(page), 50, false);
        String shownQ = q == null ? "" : q;
        String pageUrl = "/batches/" + id + "?kind=" + filter.tab() + "&q="
                + URLEncoder.encode(shownQ, StandardCharsets.UTF_8) + "&";
        List<Tab> tabs = tabs(batch);
        return HtmxRequest.isHtmx(headers)
                ? Templates.batch$changes(batch, tabs, filter.tab(), shownQ, changes, pageUrl)
                : Templates.batch(batch, tabs, filter.tab(), shownQ, changes, pageUrl);
    }

    @GET
    @Path("{id}/progress")
    @Produces(MediaType.TEXT_HTML)
    public Response progress(@PathParam("id") UUID id) {
        Batch batch = batches.find(id);
        if (batch.status != BatchStatus.PLANNING && batch.status != BatchStatus.APPLYING) {
            // Planning or applying is over: the whole page changes (totals, diff), so reload it.
            return Response.ok("").header("HX-Refresh", "true").build();
        }
        return Response.ok(Templates.batch$progress(batch)).build();
    }

    @GET
    @Path("{id}/manifest.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response manifest(@PathParam("id") UUID id) {
        return manifests.download(id);
    }

    @GET
    @Path("{id}/errors.csv")
    @Produces("text/csv")
    public Response errors(@PathParam("id") UUID id) {
        return downloads.errors(id);
    }

    @GET
    @Path("{id}/plan.csv")
    @Produces("text/csv")
    public Response plan(@PathParam("id") UUID id) {
        return downloads.plan(id);
    }

    @GET
    @Path("{id}/confirm")
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public TemplateInstance confirm(@PathParam("id") UUID id) {
        return confirmPage(batches.find(id), null, List.of());
    }

    @POST
    @Path("{id}/apply")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response apply(@PathParam("id") UUID id, @FormParam("confirm") Long confirm,
            @FormParam("deleteCount") Long deleteCount, @FormParam("skipErrors") boolean skipErrors,
            @FormParam("overrideReason") String overrideReason) {
        Batch batch = batches.find(id);
        try {
            if (batch.countDelete > 0 && (deleteCount == null || deleteCount != batch.countDelete)) {
                throw new ApplyService.ApplyRefusedException(422, "Type the number of users this batch deletes ("
                        + batch.countDelete + ") to confirm the deletions.", List.of());
            }
            applies.requestApply(id, new ApplyService.ApplyRequest(confirm, skipErrors, overrideReason),
                    ApplyService.Requester.of(currentAdmin, audit));
            return Response.seeOther(URI.create("/batches/" + id)).build();
        } catch (ApplyService.ApplyRefusedException e) {
            return Response.status(e.status()).entity(confirmPage(batches.find(id), e.getMessage(), e.conflicts())).build();
        }
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response approve(@PathParam("id") UUID id) {
        try {
            applies.approve(id, ApplyService.Requester.of(currentAdmin, audit));
        } catch (ApplyService.ApplyRefusedException e) {
            throw new ClientErrorException(e.getMessage(), e.status());
        }
        return Response.seeOther(URI.create("/batches/" + id)).build();
    }

    @POST
    @Path("{id}/replan")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response replan(@PathParam("id") UUID id) {
        UUID fresh = batches.replan(id, currentAdmin.id(), currentAdmin.displayName());
        return Response.seeOther(URI.create("/batches/" + fresh)).build();
    }

    @POST
    @Path("{id}/revert")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response revert(@PathParam("id") UUID id) {
        UUID revert = reverts.planRevert(id, currentAdmin.id(), currentAdmin.displayName(), audit.currentActor());
        return Response.seeOther(URI.create("/batches/" + revert)).build();
    }

    private TemplateInstance confirmPage(Batch batch, String error, List<ApplyConflict> conflicts) {
        List<ChangeView> sample = new java.util.ArrayList<>();
        for (String kind : List.of("create", "update", "delete", "reset")) {
            sample.addAll(items.page(batch, PlanItemQuery.Filter.parse(kind, null), 1, 5).items());
        }
        List<ApplyConflict> shown = conflicts.isEmpty() && batch.conflicts != null ? batch.conflicts : conflicts;
        return Templates.confirm(batch, sample, items.mailCount(batch), applies.approvalRequired(batch),
                applies.overDeleteCap(batch), applies.activeUsers(), error, shown);
    }

    @POST
    @Path("{id}/discard")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response discard(@PathParam("id") UUID id) {
        batches.discard(id);
        return Response.seeOther(URI.create("/batches/" + id)).build();
    }

    private static List<Tab> tabs(Batch b) {
        return List.of(new Tab("all", "All", b.rows), new Tab("create", "Creates", b.countCreate),
                new Tab("update", "Updates", b.countUpdate), new Tab("delete", "Deletes", b.countDelete),
                new Tab("reset", "Resets", b.countReset), new Tab("unchanged", "Unchanged", b.countUnchanged),
                new Tab("error", "Errors", b.countError), new Tab("warning", "Warnings", b.countWarning));
    }
}
