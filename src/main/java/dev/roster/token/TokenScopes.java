package dev.roster.token;

import java.util.Map;
import java.util.Set;

import dev.roster.access.AdminIdentities;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Where an API token's scopes reach (decision 0026), checked for every request made with one, before the endpoint's
 * role check: {@code read} reads /api and /scim/v2; {@code scim} is /scim/v2 alone (but /Bulk?asBatch=true also needs
 * {@code batches}); {@code batches} the batch API
 * (/api/batches, /api/templates); {@code directory} the writes of /api/users and /api/groups. Sync sources and
 * mapping profiles are changed only by people signed in interactively, never with a token, whatever its scopes, nor
 * with HTTP Basic or an OIDC bearer token (checked here too, for every non-interactive identity).
 */
@ApplicationScoped
public class TokenScopes {

    static final String PEOPLE_ONLY = "Sync sources and mapping profiles are changed only by a person signed in to "
            + "Roster in the browser (password or single sign-on), never with an API token, HTTP Basic credentials or "
            + "an OIDC bearer token (a leaked credential must not leave a standing source behind). Use the Sources and "
            + "Mapping profiles pages.";

    @Inject
    CurrentIdentityAssociation identities;

    static String refusal(Set<String> scopes, String method, String path) {
        return refusal(scopes, method, path, false);
    }

    /**
     * Why a token with these scopes may not make this request, or null when it may. {@code asBatch}: SCIM /Bulk asked
     * to store its operations as a batch, which is the batch API reached through /scim, so it needs {@code batches}.
     */
    static String refusal(Set<String> scopes, String method, String path, boolean asBatch) {
        // SCIM's POST .../.search is a read: a list whose query is in the body (RFC 7644 §3.4.3)
        boolean reads = isRead(method) || ("POST".equals(method) && path.startsWith("/scim/") && path.endsWith("/.search"));
        if (path.equals("/api/me") || path.equals("/api/me/password")) {
            // who the token is; the password endpoint refuses a token itself
            return null;
        }
        if (path.startsWith("/scim/")) {
            if (asBatch && !scopes.contains("batches")) {
                // Entra ID and Okta never send asBatch; a provisioning secret must not be a way to send a batch.
                return need("batches", "storing a SCIM /Bulk request as a batch (?asBatch=true)");
            }
            return scopes.contains("scim") || (reads && scopes.contains("read")) ? null
                    : need(reads ? "scim or read" : "scim", "SCIM " + (reads ? "reads" : "writes"));
        }
        if (!path.startsWith("/api/")) {
            return null;
        }
        if (!reads && peopleOnly(path)) {
            return PEOPLE_ONLY;
        }
        if (under(path, "/api/batches") || under(path, "/api/templates")) {
            return scopes.contains("batches") || (reads && scopes.contains("read")) ? null
                    : need(reads ? "batches or read" : "batches", "the batch API");
        }
        if (reads || path.equals("/api/audit/verify")) {
            return scopes.contains("read") ? null : need("read", "reading /api");
        }
        if (under(path, "/api/users") || under(path, "/api/groups")) {
            return scopes.contains("directory") ? null : need("directory", "changing users and groups through /api");
        }
        return "No API token may do this; sign in to Roster.";
    }

    @ServerRequestFilter(priority = 700)
    public Uni<Response> check(ResteasyReactiveContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        boolean peopleOnly = !isRead(request.getMethod()) && peopleOnly(path);
        if (!peopleOnly && !path.startsWith("/api/") && !path.startsWith("/scim/")) {
            return Uni.createFrom().nullItem();
        }
        return identities.getDeferredIdentity().onFailure().recoverWithNull().map(identity -> {
            if (peopleOnly && identity != null && !identity.isAnonymous()
                    && !Boolean.TRUE.equals(identity.getAttribute(AdminIdentities.INTERACTIVE))) {
                // Decision 0026: whoever holds a machine credential (a token, a script's password, an OIDC bearer
                // token) may not leave a standing source or an automatically chosen profile behind.
                return path.startsWith("/api/") ? forbidden(PEOPLE_ONLY)
                        : Response.status(403).type(MediaType.TEXT_PLAIN_TYPE).entity(PEOPLE_ONLY).build();
            }
            Set<String> scopes = scopes(identity);
            String why = scopes == null ? null : refusal(scopes, request.getMethod(), path,
                    "true".equalsIgnoreCase(request.getUriInfo().getQueryParameters().getFirst("asBatch")));
            return why == null ? null : forbidden(why);
        });
    }

    private static Response forbidden(String why) {
        return Response.status(403).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("status", 403, "error", why)).build();
    }

    private static Set<String> scopes(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity.getAttribute(AdminIdentities.TOKEN_ID) == null) {
            return null;
        }
        Set<String> scopes = identity.getAttribute(AdminIdentities.TOKEN_SCOPES);
        return scopes == null ? Set.of() : scopes;
    }

    private static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }

    /** Sources and mapping profiles, API and pages: written only by people signed in (decision 0026). */
    private static boolean peopleOnly(String path) {
        return under(path, "/api/sources") || under(path, "/api/mapping-profiles") || under(path, "/sources")
                || under(path, "/mapping-profiles");
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private static String need(String scope, String what) {
        return "This API token's scopes do not allow " + what + ": it needs the scope " + scope
                + ". An admin can create a token with that scope on the API tokens page.";
    }
}
