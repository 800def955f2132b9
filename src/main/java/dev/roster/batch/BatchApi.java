package dev.roster.batch;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.batch.PlanItemQuery.ChangeView;
import dev.roster.batch.apply.ApplyPolicy;
import dev.roster.batch.apply.ApplyService;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchStatus;
import dev.roster.batch.state.UploadRequest;
import dev.roster.web.PageJson;
import dev.roster.web.PageOf;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The batches' JSON API: upload a file, read its plan, download reports, discard. */
@Path("/api")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class BatchApi {

    /** The change page shape: {total, items}. */
    public record ChangesJson(long total, int page, int size, java.util.List<ChangeView> items) {
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
    RevertPlanner reverts;
    @Inject
    BatchManifest manifests;
    @Inject
    BatchMappings mappings;

    @GET
    @Path("templates/{operation}")
    @Produces("text/csv")
    public Response template(@PathParam("operation") String operation) {
        return downloads.template(operation);
    }

    @POST
    @Path("batches")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response upload(@RestForm("file") FileUpload file, @RestForm("operation") String operation,
            @RestForm("matchBy") String matchBy, @RestForm("createGroups") String createGroups,
            @RestForm("scope") String scope, @RestForm("absent") String absent,
            @RestForm("profile") String profile, @RestForm("mapping") String mapping) {
        UUID id = batches.uploadFile(new UploadForm(file, operation, matchBy, createGroups, scope, absent, profile, mapping),
                UploadRequest.Origin.API, operator.get());
        return Response.accepted(Map.of("id", id, "status", BatchStatus.PLANNING.name()))
                .location(URI.create("/api/batches/" + id)).build();
    }

    @GET
    @Path("batches")
    public PageJson<BatchJson> list(@QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        PageOf<Batch> list = batches.list(PageOf.clampPage(page), PageOf.clampSize(size));
        return new PageJson<>(list.items().stream().map(BatchJson::of).toList(), list.total(), list.page(), list.size());
    }

    @GET
    @Path("batches/{id}")
    public BatchJson one(@PathParam("id") UUID id) {
        return BatchJson.of(batches.find(id));
    }

    @GET
    @Path("batches/{id}/changes")
    public ChangesJson changes(@PathParam("id") UUID id, @QueryParam("kind") String kind, @QueryParam("q") String q,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        PageOf<ChangeView> result = items.page(batches.find(id), PlanItemQuery.Filter.parse(kind, q),
                PageOf.clampPage(page), PageOf.clampSize(size));
        return new ChangesJson(result.total(), result.page(), result.size(), result.items());
    }

    @GET
    @Path("batches/{id}/manifest")
    public Response manifest(@PathParam("id") UUID id) {
        return manifests.download(id);
    }

    @GET
    @Path("batches/{id}/errors.csv")
    @Produces("text/csv")
    public Response errors(@PathParam("id") UUID id) {
        return downloads.errors(id);
    }

    @GET
    @Path("batches/{id}/plan.csv")
    @Produces("text/csv")
    public Response plan(@PathParam("id") UUID id) {
        return downloads.plan(id);
    }

    /**
     * The body of POST /api/batches/{id}/apply: confirm is the number of changes; deleteCount the number
     * of deletions, required whenever the batch deletes (for a delete-only batch confirm is that number).
     */
    public record ApplyBody(Long confirm, Long deleteCount, Boolean skipErrors, String overrideReason, Long membershipCount) {
    }

    /** A refusal ({@link ApplyRefused}) answers {status, error, conflicts} through {@link ApplyRefusedMapper}. */
    @POST
    @Path("batches/{id}/apply")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response apply(@PathParam("id") UUID id, ApplyBody body) {
        ApplyBody request = body == null ? new ApplyBody(null, null, false, null, null) : body;
        applies.requestApply(id, new ApplyPolicy.ApplyRequest(request.confirm(), request.deleteCount(),
                Boolean.TRUE.equals(request.skipErrors()), request.overrideReason(), request.membershipCount()), operator.get());
        return Response.accepted(BatchJson.of(batches.fresh(id))).location(URI.create("/api/batches/" + id)).build();
    }

    /** The body of POST /api/batches/{id}/mapping: column as written -> target; saveAs names a profile to save. */
    public record MappingBody(Map<String, String> mapping, String saveAs) {
    }

    /** Maps a batch waiting for a mapping (NEEDS_MAPPING, from a page upload) and starts planning it. */
    @POST
    @Path("batches/{id}/mapping")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response mapping(@PathParam("id") UUID id, MappingBody body) {
        MappingBody b = body == null ? new MappingBody(Map.of(), null) : body;
        mappings.confirmByName(id, b.mapping(), b.saveAs(), operator.get());
        return Response.accepted(BatchJson.of(batches.fresh(id))).location(URI.create("/api/batches/" + id)).build();
    }

    @POST
    @Path("batches/{id}/approve")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response approve(@PathParam("id") UUID id) {
        applies.approve(id, operator.get());
        return Response.ok(BatchJson.of(batches.fresh(id))).build();
    }

    @POST
    @Path("batches/{id}/replan")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response replan(@PathParam("id") UUID id) {
        UUID fresh = batches.replan(id, operator.get());
        return Response.accepted(Map.of("id", fresh, "status", BatchStatus.PLANNING.name()))
                .location(URI.create("/api/batches/" + fresh)).build();
    }

    @POST
    @Path("batches/{id}/revert")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response revert(@PathParam("id") UUID id) {
        UUID revert = reverts.planRevert(id, operator.get());
        return Response.status(201).entity(BatchJson.of(batches.find(revert)))
                .location(URI.create("/api/batches/" + revert)).build();
    }

    @POST
    @Path("batches/{id}/discard")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public BatchJson discard(@PathParam("id") UUID id) {
        batches.discard(id, operator.get());
        return BatchJson.of(batches.fresh(id));
    }
}
