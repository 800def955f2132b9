package dev.roster.ldap;

import java.net.URI;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The Unlock button of the user's page: an admin lifts a lockout of LDAP binds (audited), then back to the page. */
@Path("/users/{id}/ldap-unlock")
@RolesAllowed(AdminRole.ADMIN_ROLE)
public class LdapUnlockResource {

    @Inject
    LdapLockout lockout;
    @Inject
    CurrentOperator operator;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response unlock(@PathParam("id") UUID id) {
        try {
            lockout.unlock(id, operator.get());
        } catch (ClientErrorException e) {
            if (e.getResponse().getStatus() != 409) {
                throw e;
            }
            // Not locked (any more): the page shows the current state.
        }
        return Response.seeOther(URI.create("/users/" + id)).build();
    }
}
