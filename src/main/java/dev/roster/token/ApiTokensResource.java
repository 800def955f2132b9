package dev.roster.token;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The API tokens page: admins create (the secret is shown once), list and revoke tokens. */
@Path("/tokens")
@RolesAllowed(AdminRole.ADMIN_ROLE)
@Produces(MediaType.TEXT_HTML)
public class ApiTokensResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(List<ApiTokens.Token> tokens, String error, ApiTokens.Created created,
                String notice);
    }

    @Inject
    ApiTokens tokens;
    @Inject
    CurrentOperator operator;

    @GET
    public TemplateInstance page() {
        return render(null, null, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("name") String name, @FormParam("scope") String scope,
            @FormParam("expiresAt") String expiresAt) {
        try {
            ApiTokens.Created created = tokens.create(name, ApiTokens.parseScopes(scope, null), ApiTokenApi.parse(expiresAt),
                    operator.get());
            // The secret is in this answer only: never cached, never in a URL.
            return Response.ok(render(null, created, null)).header("Cache-Control", "no-store").build();
        } catch (BadRequestException e) {
            return Response.status(400).entity(render(e.getMessage(), null, null)).build();
        }
    }

    @POST
    @Path("{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        try {
            tokens.revoke(id, operator.get());
            return Response.seeOther(URI.create("/tokens")).build();
        } catch (ClientErrorException e) {
            if (e.getResponse().getStatus() == 404) {
                throw e;
            }
            return Response.status(e.getResponse().getStatus()).entity(render(e.getMessage(), null, null)).build();
        }
    }

    private TemplateInstance render(String error, ApiTokens.Created created, String notice) {
        return Templates.tokens(tokens.list(), error, created, notice);
    }
}
