package dev.roster.token;

import java.time.Instant;
import java.time.format.DateTimeParseException;
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

/** API tokens for automation, admins only: POST /api/tokens (the secret once), GET /api/tokens, DELETE /api/tokens/{id}. */
@Path("/api/tokens")
@RolesAllowed(AdminRole.ADMIN_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class ApiTokenApi {

    /**
     * The request body of POST /api/tokens: {@code scope} as labels separated by spaces ("scim", "read batches",
     * "read-write" for all) or {@code scopes} as a list; expiresAt is an ISO instant, one year ahead when left out.
     */
    public record NewToken(String name, String scope, String expiresAt, List<String> scopes) {
    }

    /**
     * A token as the API shows it; {@code token} (the secret) only in the answer to its creation. {@code scope} is
     * "read", "read-write" or the scopes separated by spaces; {@code scopes} lists them.
     */
    public record TokenJson(UUID id, String name, String scope, String state, String createdBy, Instant createdAt,
            Instant expiresAt, Instant lastUsedAt, Instant revokedAt, String revokedBy, String token, List<String> scopes,
            String revokedReason) {

        static TokenJson of(ApiTokens.Token t, String secret) {
            return new TokenJson(t.id(), t.name(), t.scopeLabel(), t.state(), t.createdByName(), t.createdAt(),
                    t.expiresAt(), t.lastUsedAt(), t.revokedAt(), t.revokedByName(), secret, t.scopeLabels(),
                    t.revokedReason());
        }
    }

    @Inject
    ApiTokens tokens;
    @Inject
    CurrentOperator operator;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(NewToken body) {
        if (body == null) {
            throw new BadRequestException("Send {\"name\": ..., \"scope\": \"scim\", \"batches\", \"read\", \"directory\" "
                    + "(several separated by spaces) or \"read-write\", \"expiresAt\": ISO time}.");
        }
        ApiTokens.Created created = tokens.create(body.name(), ApiTokens.parseScopes(body.scope(), body.scopes()),
                parse(body.expiresAt()), operator.get());
        return Response.status(201).entity(TokenJson.of(created.token(), created.secret())).build();
    }

    @GET
    public List<TokenJson> list() {
        return tokens.list().stream().map(t -> TokenJson.of(t, null)).toList();
    }

    @DELETE
    @Path("{id}")
    public TokenJson revoke(@PathParam("id") UUID id) {
        return TokenJson.of(tokens.revoke(id, operator.get()), null);
    }

    static Instant parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(value.strip()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new BadRequestException("expiresAt \"" + value + "\" is not a time; use ISO 8601, e.g. 2027-06-30T00:00:00Z or 2027-06-30.");
            }
        }
    }
}
