package dev.roster.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.regex.Pattern;

import dev.roster.access.SecureTokens;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * CSRF protection by double-submit cookie: every page gets a random token in the cookie
 * {@value #COOKIE} and in its forms (field {@value #FORM_FIELD}) and htmx requests (header
 * {@value #HEADER}); every state-changing request that comes with the browser's cookies must
 * present the same token. Requests authenticated by an Authorization header carry no ambient
 * credentials, so scripts using curl -u or a bearer token need no token.
 */
public class CsrfProtection {

    public static final String COOKIE = "roster-csrf";
    public static final String FORM_FIELD = "csrf-token";
    public static final String HEADER = "X-CSRF-TOKEN";
    /** Where the token of the current request is kept for templates ({@link PageCsrf}). */
    static final String TOKEN_KEY = "roster.csrf-token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final Pattern TOKEN_SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");

    @ConfigProperty(name = "roster.local-mode")
    boolean localMode;

    /** Safe requests: make sure the browser has a token, so the page can embed it. */
    @ServerRequestFilter(priority = 800)
    public void issue(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        Cookie cookie = routing.request().getCookie(COOKIE);
        if (cookie != null && TOKEN_SHAPE.matcher(cookie.getValue()).matches()) {
            routing.put(TOKEN_KEY, cookie.getValue());
            return;
        }
        if (!SAFE_METHODS.contains(request.getMethod()) || request.getHeaderString("Authorization") != null) {
            return;
        }
        String token = SecureTokens.newToken(32);
        routing.put(TOKEN_KEY, token);
        routing.response().addCookie(Cookie.cookie(COOKIE, token).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(!localMode));
    }

    /** State-changing requests with ambient credentials must present the token. */
    @ServerRequestFilter(priority = 900)
    @WithFormRead
    public Response verify(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        if (SAFE_METHODS.contains(request.getMethod()) || request.getHeaderString("Authorization") != null) {
            return null;
        }
        Cookie cookie = routing.request().getCookie(COOKIE);
        String presented = request.getHeaderString(HEADER);
        if (presented == null) {
            ResteasyReactiveRequestContext context = (ResteasyReactiveRequestContext) request.getServerRequestContext();
            Object field = context.getFormParameter(FORM_FIELD, true, false);
            presented = field == null ? null : field.toString();
        }
        if (cookie != null && presented != null && TOKEN_SHAPE.matcher(presented).matches() && MessageDigest.isEqual(
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
