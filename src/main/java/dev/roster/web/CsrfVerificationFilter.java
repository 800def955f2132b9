package dev.roster.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Refuses every state-changing request that comes with the browser's cookies but without the
 * page's CSRF token (double-submit cookie from quarkus-rest-csrf, sent by forms as a field and
 * by htmx as a header). Requests authenticated by an Authorization header carry no ambient
 * credentials, so scripts using curl -u or a bearer token need no token.
 */
public class CsrfVerificationFilter {

    public static final String FORM_FIELD = "csrf-token";
    public static final String HEADER = "X-CSRF-TOKEN";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @ConfigProperty(name = "quarkus.rest-csrf.cookie-name")
    String cookieName;

    @ServerRequestFilter(priority = 900)
    @WithFormRead
    public Response verify(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        if (SAFE_METHODS.contains(request.getMethod()) || request.getHeaderString("Authorization") != null) {
            return null;
        }
        Cookie cookie = routing.request().getCookie(cookieName);
        String presented = request.getHeaderString(HEADER);
        if (presented == null) {
            ResteasyReactiveRequestContext context = (ResteasyReactiveRequestContext) request.getServerRequestContext();
            Object field = context.getFormParameter(FORM_FIELD, true, false);
            presented = field == null ? null : field.toString();
        }
        if (cookie != null && presented != null && MessageDigest.isEqual(
                cookie.getValue().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        throw new CsrfRejectedException();
    }

    /** A state-changing request without a valid CSRF token. */
    public static class CsrfRejectedException extends RuntimeException {
        public CsrfRejectedException() {
            super("This form has expired or did not come from Roster. Reload the page and try again.");
        }
    }
}
