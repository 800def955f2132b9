package dev.roster.access;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.roster.credentials.PasswordPolicy;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The Admins page: an admin adds local admins, changes their role, disables or enables them. */
@Path("/admins")
@RolesAllowed(AdminRole.ADMIN_ROLE)
@Produces(MediaType.TEXT_HTML)
public class AdminsResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance admins(List<AdminAccount> admins, List<AdminRole> roles, List<String> rules,
                String error, List<String> problems, String notice);
    }

    @Inject
    AdminDirectory directory;
    @Inject
    CurrentOperator operator;

    @GET
    public TemplateInstance page() {
        return render(null, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response add(@FormParam("email") String email, @FormParam("name") String name,
            @FormParam("password") String password, @FormParam("role") String role) {
        try {
            AdminAccount admin = directory.add(email, name, password, AdminRole.parse(role), operator.get());
            return Response.ok(render(null, "Added " + admin.email + " as " + admin.role.label()
                    + ". They must choose their own password at their first sign-in.")).build();
        } catch (AdminDirectory.PasswordRefused e) {
            return Response.status(400).entity(render(e.getMessage(), e.problems(), null)).build();
        } catch (BadRequestException | IllegalArgumentException e) {
            return Response.status(400).entity(render(e.getMessage(), null)).build();
        }
    }

    @POST
    @Path("{id}/role")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changeRole(@PathParam("id") UUID id, @FormParam("role") String role) {
        try {
            directory.changeRole(id, AdminRole.parse(role), operator.get());
            return Response.seeOther(URI.create("/admins")).build();
        } catch (BadRequestException | IllegalArgumentException e) {
            return Response.status(400).entity(render(e.getMessage(), null)).build();
        }
    }

    @POST
    @Path("{id}/enabled")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setEnabled(@PathParam("id") UUID id, @FormParam("enabled") boolean enabled) {
        try {
            directory.setEnabled(id, enabled, operator.get());
            return Response.seeOther(URI.create("/admins")).build();
        } catch (BadRequestException e) {
            return Response.status(400).entity(render(e.getMessage(), null)).build();
        }
    }

    private TemplateInstance render(String error, String notice) {
        return render(error, List.of(), notice);
    }

    private TemplateInstance render(String error, List<String> problems, String notice) {
        return Templates.admins(AdminAccount.listByEmail(), List.of(AdminRole.values()), PasswordPolicy.RULES, error,
                problems, notice);
    }
}
