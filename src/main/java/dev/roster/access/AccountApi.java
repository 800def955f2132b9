package dev.roster.access;

import java.util.LinkedHashMap;
import java.util.Map;

import io.quarkus.security.Authenticated;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** POST /api/me/password: a script (or any role) changes its own admin's password, as the Account page does. */
@Path("/api/me/password")
@Authenticated
public class AccountApi {

    /** The request body. */
    public record PasswordChange(String currentPassword, String newPassword) {
    }

    @Inject
    AccountService accounts;
    @Inject
    CurrentAdmin currentAdmin;
    @Inject
    CurrentOperator operator;
    @Inject
    RoutingContext routing;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response change(PasswordChange body) {
        Map<String, Object> answer = new LinkedHashMap<>();
        try {
            accounts.changePassword(operator.get(), body == null ? null : body.currentPassword(),
                    body == null ? null : body.newPassword(), AccountResource.sessionToken(currentAdmin, routing),
                    AccountResource.clientIp(routing), currentAdmin.channel());
            answer.put("status", 200);
            answer.put("message", "Password changed; your other sessions were ended.");
            return Response.ok(answer).build();
        } catch (AccountService.PasswordChangeRefused e) {
            answer.put("status", e.status());
            answer.put("error", e.getMessage());
            if (!e.problems().isEmpty()) {
                answer.put("problems", e.problems());
            }
            return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(answer).build();
        }
    }
}
