package dev.roster.mapping;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The Mapping profiles page: list, rename, delete. */
@Path("/mapping-profiles")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class MappingProfilesResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance profiles(List<MappingProfiles.Profile> profiles, String error);
    }

    @Inject
    MappingProfiles profiles;
    @Inject
    CurrentOperator operator;

    @GET
        @Produces(MediaType.TEXT_HTML)
    public TemplateInstance profiles() {
        return Templates.profiles(profiles.list(), null);
    }

    @POST
    @Path("{id}/rename")
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response rename(@PathParam("id") UUID id, @FormParam("name") String name) {
        try {
            profiles.rename(id, name, operator.get());
            return Response.seeOther(URI.create("/mapping-profiles")).build();
        } catch (MappingRefused e) {
            return Response.status(422).entity(Templates.profiles(profiles.list(), e.getMessage())).build();
        } catch (ClientErrorException e) {
            if (e.getResponse().getStatus() != 409) {
                throw e;
            }
            return Response.status(409).entity(Templates.profiles(profiles.list(), e.getMessage())).build();
        }
    }

    @POST
    @Path("{id}/delete")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") UUID id) {
        profiles.delete(id, operator.get());
        return Response.seeOther(URI.create("/mapping-profiles")).build();
    }
}
