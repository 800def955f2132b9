package dev.roster.mapping;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Mapping profiles as JSON: list, read, create, rename, delete. */
@Path("/api/mapping-profiles")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class MappingProfileApi {

    /** The body of POST: a name and the columns with their targets, in header order. */
    public record CreateBody(String name, List<MappingProfiles.Entry> columns) {
    }

    /** The body of PATCH: the new name. */
    public record RenameBody(String name) {
    }

    @Inject
    MappingProfiles profiles;
    @Inject
    CurrentOperator operator;

    @GET
    public List<MappingProfiles.Profile> list() {
        return profiles.list();
    }

    @GET
    @Path("{id}")
    public MappingProfiles.Profile one(@PathParam("id") UUID id) {
        return profiles.find(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response create(CreateBody body) {
        CreateBody b = body == null ? new CreateBody(null, List.of()) : body;
        MappingProfiles.Profile saved = profiles.create(b.name(), b.columns() == null ? List.of() : b.columns(), operator.get());
        return Response.status(201).entity(saved).location(URI.create("/api/mapping-profiles/" + saved.id())).build();
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public MappingProfiles.Profile rename(@PathParam("id") UUID id, RenameBody body) {
        return profiles.rename(id, body == null ? null : body.name(), operator.get());
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") UUID id) {
        profiles.delete(id, operator.get());
        return Response.noContent().build();
    }
}
