package dev.roster.ldap;

import java.net.URI;
import java.util.List;
import java.util.Optional;
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

/** The LDAP page: the service's settings, and service accounts created (the secret shown once), listed and revoked. */
@Path("/ldap/service-accounts")
@RolesAllowed(AdminRole.ADMIN_ROLE)
@Produces(MediaType.TEXT_HTML)
public class ServiceAccountsResource {

    /** What the page says about the service itself. */
    public record ServiceInfo(boolean enabled, String baseDn, int port, int ldapsPort, String host, Optional<String> lockout) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance accounts(List<ServiceAccounts.Account> accounts, ServiceInfo info, String error,
                ServiceAccounts.Created created);
    }

    @Inject
    ServiceAccounts accounts;
    @Inject
    CurrentOperator operator;
    @Inject
    LdapSettings settings;
    @Inject
    LdapService service;
    @Inject
    LdapLockout lockout;

    @GET
    public TemplateInstance page() {
        return render(null, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("name") String name, @FormParam("description") String description,
            @FormParam("right") String right) {
        try {
            ServiceAccounts.Created created = accounts.create(name, description, ServiceAccounts.Right.parse(right),
                    operator.get());
            // The secret is in this answer only: never cached, never in a URL.
            return Response.ok(render(null, created)).header("Cache-Control", "no-store").build();
        } catch (BadRequestException e) {
            return Response.status(400).entity(render(e.getMessage(), null)).build();
        } catch (ClientErrorException e) {
            return Response.status(e.getResponse().getStatus()).entity(render(e.getMessage(), null)).build();
        }
    }

    @POST
    @Path("{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        try {
            accounts.revoke(id, operator.get());
            return Response.seeOther(URI.create("/ldap/service-accounts")).build();
        } catch (ClientErrorException e) {
            if (e.getResponse().getStatus() == 404) {
                throw e;
            }
            return Response.status(e.getResponse().getStatus()).entity(render(e.getMessage(), null)).build();
        }
    }

    private TemplateInstance render(String error, ServiceAccounts.Created created) {
        ServiceInfo info = new ServiceInfo(settings.enabled(), settings.baseDn(), service.port(false), service.port(true),
                settings.host(), lockout.policy());
        return Templates.accounts(accounts.list(), info, error, created);
    }
}
