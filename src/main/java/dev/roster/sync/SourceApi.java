package dev.roster.sync;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.web.PageJson;
import dev.roster.web.PageOf;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Sync sources and their runs as JSON (docs/sync.md): viewers read, operators manage and run. */
@Path("/api/sources")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class SourceApi {

    @Inject
    SyncSources sources;
    @Inject
    SyncRuns runs;
    @Inject
    SyncScheduler scheduler;
    @Inject
    SyncService service;
    @Inject
    CurrentOperator operator;

    @GET
    public List<SourceJson> list() {
        return sources.list().stream().map(this::json).toList();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response create(SourceInput input) {
        UUID id = sources.create(input, operator.get());
        return Response.created(URI.create("/api/sources/" + id)).entity(json(sources.find(id))).build();
    }

    @GET
    @Path("{id}")
    public SourceJson one(@PathParam("id") UUID id) {
        return json(sources.find(id));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public SourceJson update(@PathParam("id") UUID id, SourceInput input) {
        sources.update(id, input, operator.get());
        return json(sources.find(id));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") UUID id) {
        sources.delete(id, operator.get());
        return Response.noContent().build();
    }

    /**
     * Runs the source now (even when paused). Answers 202 at once; with {@code wait=true}, 200 with the
     * finished run (or 409 when another run of it is in progress).
     */
    @POST
    @Path("{id}/run")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response run(@PathParam("id") UUID id, @QueryParam("wait") boolean wait) {
        sources.find(id);
        if (!wait) {
            service.runInBackground(id, operator.get().id());
            return Response.accepted(Map.of("sourceId", id, "status", "STARTED")).build();
        }
        return service.runNow(id, operator.get().id()).flatMap(runs::find).map(r -> Response.ok(SourceJson.RunJson.of(r)).build())
                .orElseGet(() -> Response.status(409).entity(Map.of("error", "This source is already running (on this or "
                        + "another instance); its run is recorded when it finishes.")).build());
    }

    @GET
    @Path("{id}/runs")
    public PageJson<SourceJson.RunJson> runs(@PathParam("id") UUID id, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        sources.find(id);
        PageOf<SyncRun> list = runs.page(id, PageOf.clampPage(page), PageOf.clampSize(size));
        return new PageJson<>(list.items().stream().map(SourceJson.RunJson::of).toList(), list.total(), list.page(), list.size());
    }

    private SourceJson json(SyncSource s) {
        return SourceJson.of(s, scheduler.nextRun(s), runs.last(s.id()).orElse(null));
    }
}
