package dev.roster.batch;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.batch.PlanItemQuery.ChangeView;
import dev.roster.batch.apply.ApplyPolicy;
import dev.roster.batch.apply.ApplyService;
import dev.roster.batch.state.ApplyConflict;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.UploadRequest;
import dev.roster.mapping.MappingRefused;
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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

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
                String pageUrl, boolean mayApprove);

        static native TemplateInstance batch$changes(Batch batch, List<Tab> tabs, String tab, String q,
                PageOf<ChangeView> changes, String pageUrl, boolean mayApprove);

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
    CurrentOperator operator;
    @Inject
    ApplyService applies;
    @Inject
    ApplyPolicy policy;
    @Inject
    RevertPlanner reverts;
    @Inject
    BatchManifest manifests;
    @Inject
    ConfirmPage confirmPage;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@QueryParam("page") Integer page) {
        return Templates.batches(batches.list(PageOf.clampPage(page), 20), Operation.uploadable(), null);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response upload(@RestForm("file") FileUpload file, @RestForm("operation") String operation,
            @RestForm("matchBy") String matchBy, @RestForm("createGroups") String createGroups,
            @RestForm("scope") String scope, @RestForm("absent") String absent, @RestForm("profile") String profile) {
        try {
            UUID id = batches.uploadFile(new UploadForm(file, operation, matchBy, createGroups, scope, absent, profile, null),
                    UploadRequest.Origin.PAGE, operator.get());
            return Response.seeOther(URI.create("/batches/" + id)).build();
        } catch (ClientErrorException e) {
            return Response.status(e.getResponse().getStatus())
                    .entity(Templates.batches(batches.list(1, 20), Operation.uploadable(), e.getMessage())).build();
        } catch (MappingRefused e) {
            return Response.status(422)
                    .entity(Templates.batches(batches.list(1, 20), Operation.uploadable(), e.getMessage())).build();
        }
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance batch(@PathParam("id") UUID id, @QueryParam("kind") String kind, @QueryParam("q") String q,
            @QueryParam("page") Integer page, @Context HttpHeaders headers) {
        Batch batch = batches.find(id);
        PlanItemQuery.Filter filter = PlanItemQuery.Filter.parse(kind, q);
        PageOf<ChangeView> changes = batch.hasPlan() ? items.page(batch, filter, PageOf.clampPage(page), 50, false)
                : new PageOf<>(List.of(), 0, 1, 50);
        String shownQ = q == null ? "" : q;
        String pageUrl = "/batches/" + id + "?kind=" + filter.tab() + "&q="
                + URLEncoder.encode(shownQ, StandardCharsets.UTF_8) + "&";
        List<Tab> tabs = tabs(batch);
        boolean mayApprove = policy.mayApprove(batch, operator.get());
        return HtmxRequest.isHtmx(headers)
                ? Templates.batch$changes(batch, tabs, filter.tab(), shownQ, changes, pageUrl, mayApprove)
                : Templates.batch(batch, tabs, filter.tab(), shownQ, changes, pageUrl, mayApprove);
    }

    @GET
    @Path("{id}/progress")
    @Produces(MediaType.TEXT_HTML)
    public Response progress(@PathParam("id") UUID id) {
        Batch batch = batches.find(id);
        if (!batch.busy()) {
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
        return confirmPage.render(batches.find(id), null, List.of());
    }

    /** A refusal ({@link ApplyRefused}) comes back as this page with the reason, through {@link ApplyRefusedMapper}. */
    @POST
    @Path("{id}/apply")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response apply(@PathParam("id") UUID id, @FormParam("confirm") Long confirm,
            @FormParam("deleteCount") Long deleteCount, @FormParam("skipErrors") boolean skipErrors,
            @FormParam("overrideReason") String overrideReason, @FormParam("membershipCount") Long membershipCount) {
        applies.requestApply(id, new ApplyPolicy.ApplyRequest(confirm, deleteCount, skipErrors, overrideReason, membershipCount),
                operator.get());
        return Response.seeOther(URI.create("/batches/" + id)).build();
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response approve(@PathParam("id") UUID id) {
        applies.approve(id, operator.get());
        return Response.seeOther(URI.create("/batches/" + id)).build();
    }

    @POST
    @Path("{id}/replan")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response replan(@PathParam("id") UUID id) {
        UUID fresh = batches.replan(id, operator.get());
        return Response.seeOther(URI.create("/batches/" + fresh)).build();
    }

    @POST
    @Path("{id}/revert")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response revert(@PathParam("id") UUID id) {
        UUID revert = reverts.planRevert(id, operator.get());
        return Response.seeOther(URI.create("/batches/" + revert)).build();
    }

    @POST
    @Path("{id}/discard")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response discard(@PathParam("id") UUID id) {
        batches.discard(id, operator.get());
        return Response.seeOther(URI.create("/batches/" + id)).build();
    }

    private static List<Tab> tabs(Batch b) {
        List<Tab> tabs = new java.util.ArrayList<>(List.of(new Tab("all", "All", b.rows), new Tab("create", "Creates", b.countCreate),
                new Tab("update", "Updates", b.countUpdate), new Tab("delete", "Deletes", b.countDelete),
                new Tab("reset", "Resets", b.countReset)));
        if (b.countGroupCreate + b.countGroupUpdate + b.countGroupDelete > 0) {
            tabs.add(new Tab("group_create", "Group creates", b.countGroupCreate));
            tabs.add(new Tab("group_update", "Group updates", b.countGroupUpdate));
            tabs.add(new Tab("group_delete", "Group deletes", b.countGroupDelete));
        }
        if (b.countMemberRows > 0) {
            // Membership rows come only from membership files (and their reverts), which have no user rows.
            tabs.add(new Tab("member_add", "Members added", b.countMembershipAdd));
            tabs.add(new Tab("member_remove", "Members removed", b.countMembershipRemove));
        }
        tabs.addAll(List.of(new Tab("unchanged", "Unchanged", b.countUnchanged),
                new Tab("error", "Errors", b.countError), new Tab("warning", "Warnings", b.countWarning)));
        return tabs;
    }
}
