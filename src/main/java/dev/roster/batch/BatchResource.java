package dev.roster.batch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
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
    }

    @Inject
    BatchService batches;
    @Inject
    PlanItemQuery items;
    @Inject
    BatchDownloads downloads;
    @Inject
    CurrentAdmin currentAdmin;

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
            if (file == null || file.uploadedFile() == null || file.fileName() == null || file.fileName().isBlank()) {
                throw new BadRequestException("Choose a CSV file to upload.");
            }
            UUID id;
            try (InputStream in = Files.newInputStream(file.uploadedFile())) {
                id = batches.upload(in, file.fileName(), BatchService.parseOperation(operation),
                        BatchService.parseMatchBy(matchBy), currentAdmin.id(), currentAdmin.displayName());
            }
            return Response.seeOther(URI.create("/batches/" + id)).build();
        } catch (ClientErrorException e) {
            return Response.status(e.getResponse().getStatus())
                    .entity(Templates.batches(batches.list(1, 20), List.of(Operation.values()), e.getMessage())).build();
        } catch (IOException e) {
            throw new IllegalStateException("could not read the upload", e);
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
                : items.page(batch, filter, PageOf.clampPage(page), 50);
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
        if (batch.status != BatchStatus.PLANNING) {
            // Planning is over: the whole page changes (totals, diff), so reload it.
            return Response.ok("").header("HX-Refresh", "true").build();
        }
        return Response.ok(Templates.batch$progress(batch)).build();
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
