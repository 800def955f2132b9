package dev.roster.token;

import java.util.Optional;
import java.util.Set;

import dev.roster.access.AdminIdentities;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Authenticates {@code Authorization: Bearer rst_...} on /api and /scim/v2 by Roster's API tokens. It runs before
 * the OIDC mechanism and answers only for the {@value ApiTokens#PREFIX} prefix, so the provider's JWT bearer tokens
 * (which never start with it) still reach OIDC. An unknown, expired or revoked Roster token fails the request (401):
 * it is never passed on to another mechanism.
 */
@ApplicationScoped
public class ApiTokenMechanism implements HttpAuthenticationMechanism {

    private static final String BEARER = "Bearer ";

    @Inject
    ApiTokens tokens;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String secret = secret(context);
        if (secret == null) {
            return Uni.createFrom().optional(Optional.empty());
        }
        return Uni.createFrom().item(() -> tokens.authenticate(secret)
                        .map(t -> AdminIdentities.ofToken(t.id(), t.name(), t.role(),
                                Set.copyOf(t.scopeLabels())))
                        .orElseThrow(() -> new AuthenticationFailedException(
                                "the API token is unknown, expired or revoked")))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The Roster token of a request to /api or /scim, or null. */
    static String secret(RoutingContext context) {
        String path = context.normalizedPath();
        if (path == null || !(path.startsWith("/api/") || path.startsWith("/scim/"))) {
            return null;
        }
        String header = context.request().getHeader("Authorization");
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String value = header.substring(BEARER.length()).strip();
        return value.startsWith(ApiTokens.PREFIX) ? value : null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"Roster\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "roster-token"));
    }

    /** Before OIDC's bearer check (priority 1001 and below), so a Roster token is never sent to the provider. */
    @Override
    public int getPriority() {
        return 3000;
    }
}
