package dev.roster.ldap;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * LDAP service accounts, admins only: POST /api/ldap/service-accounts (the secret once), GET, DELETE
 * /api/ldap/service-accounts/{id} (revoke).
 */
@Path("/api/ldap/service-accounts")
@RolesAllowed(AdminRole.ADMIN_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class ServiceAccountApi {

    /** The body of POST: name, right ("read-only" or "password-manager"), description (optional). */
    public record NewAccount(String name, String right, String description) {
    }

    /** An account as the API shows it; {@code secret} only in the answer to its creation. */
    public record AccountJson(UUID id, String name, String dn, String description, String right, String state,
            String createdBy, Instant createdAt, Instant lastBindAt, Instant revokedAt, String revokedBy, String secret) {

        static AccountJson of(ServiceAccounts.Account a, String secret) {
            return new AccountJson(a.id(), a.name(), a.dn(), a.description(), a.rightLabel(), a.state(), a.createdByName(),
                    a.createdAt(), a.lastBindAt(), a.revokedAt(), a.revokedByName(), secret);
        }
    }

    @Inject
    ServiceAccounts accounts;
    @Inject
    CurrentOperator operator;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(NewAccount body) {
        if (body == null) {
            throw new BadRequestException("Send {\"name\": \"keycloak\", \"right\": \"read-only\" or \"password-manager\", "
                    + "\"description\": ...}.");
        }
        ServiceAccounts.Created created = accounts.create(body.name(), body.description(),
                ServiceAccounts.Right.parse(body.right() == null ? "read-only" : body.right()), operator.get());
        return Response.status(201).header("Cache-Control", "no-store") // the secret, shown once
                .entity(AccountJson.of(created.account(), created.secret())).build();
    }

    @GET
    public List<AccountJson> list() {
        return accounts.list().stream().map(a -> AccountJson.of(a, null)).toList();
    }

    @DELETE
    @Path("{id}")
    public AccountJson revoke(@PathParam("id") UUID id) {
        return AccountJson.of(accounts.revoke(id, operator.get()), null);
    }
}
