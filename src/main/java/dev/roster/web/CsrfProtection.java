package dev.roster.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

import dev.roster.credentials.SecureTokens;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * CSRF protection: every page embeds a token in its forms (field {@value #FORM_FIELD}) and htmx
 * requests (header {@value #HEADER}), and every state-changing request that comes with the
 * browser's cookies must present it. A signed-in admin's token is bound to their session
 * ({@link #sessionBound}); before sign-in it is a random double-submit cookie ({@link #cookieName}).
 * <p>
 * Exempt are only requests a cross-site page cannot make (docs/decisions/0008-csrf-and-basic.md):
 * a bearer token (browsers never attach one on their own) on a request without a session cookie, or an {@code Authorization} header
 * together with the header {@value #CLIENT_HEADER} or a non-simple content type such as
 * {@code application/json} (both need a CORS preflight, which Roster never grants). A browser
 * that once cached HTTP Basic credentials attaches them to a cross-site form post, so Basic alone
 * exempts nothing.
 */
public class CsrfProtection {

    /**
     * Roster's session cookie (set by access/SessionCookieMechanism, which names it from here): a signed-in admin's
     * token is derived from it. Named in web/ so that this bottom package imports no feature.
     */
    public static final String SESSION_COOKIE = "roster_session";
    public static final String COOKIE = "roster-csrf";
    public static final String HOST_COOKIE = "__Host-roster-csrf";
    public static final String FORM_FIELD = "csrf-token";
    public static final String HEADER = "X-CSRF-TOKEN";
    /** What a script using HTTP Basic sends (any value) instead of a CSRF token. */
    public static final String CLIENT_HEADER = "X-Roster-Client";
    /** Content types a cross-site form or a no-cors fetch may send without a preflight (the Fetch standard's list). */
    private static final Set<String> SIMPLE_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data",
            "text/plain");
    /** Where the token of the current request is kept for templates ({@link PageCsrf}). */
    static final String TOKEN_KEY = "roster.csrf-token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final Pattern TOKEN_SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");

    @Inject
    LocalMode localMode;

    /** Safe requests: make sure the page has a token to embed (and an anonymous browser its cookie). */
    @ServerRequestFilter(priority = 800)
    public void issue(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        String bound = sessionBound(routing);
        if (bound != null) {
            routing.put(TOKEN_KEY, bound);
            return;
        }
        Cookie cookie = routing.request().getCookie(cookieName());
        if (cookie != null && TOKEN_SHAPE.matcher(cookie.getValue()).matches()) {
            routing.put(TOKEN_KEY, cookie.getValue());
            return;
        }
        if (!SAFE_METHODS.contains(request.getMethod()) || request.getHeaderString("Authorization") != null) {
            return;
        }
        String token = SecureTokens.newToken(32);
        routing.put(TOKEN_KEY, token);
        routing.response().addCookie(Cookie.cookie(cookieName(), token).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(!localMode.on()));
    }

    /**
     * The cookie's name: {@value #HOST_COOKIE} outside the local default, so that no sibling sub-domain can set
     * or overwrite it (the prefix requires Secure, Path=/ and no Domain). The local default runs on plain HTTP,
     * where browsers refuse a __Host- cookie, and keeps {@value #COOKIE}.
     */
    String cookieName() {
        return localMode.on() ? COOKIE : HOST_COOKIE;
    }

    /**
     * A signed-in admin's token is derived from their session cookie (SHA-256 under a purpose prefix), not taken
     * from a cookie: a token from another session, or a CSRF cookie planted by a sibling sub-domain together
     * with its token, does not match. Anonymous pages (sign-in, set-password) keep the double-submit cookie.
     */
    static String sessionBound(RoutingContext routing) {
        Cookie session = routing.request().getCookie(SESSION_COOKIE);
        if (session == null || session.getValue().isEmpty()) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("roster-csrf\u0000" + session.getValue()).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** State-changing requests with ambient credentials must present the token. */
    @ServerRequestFilter(priority = 900)
    @WithFormRead
    public Response verify(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        if (SAFE_METHODS.contains(request.getMethod()) || notForgeable(request, routing)) {
            return null;
        }
        String expected = sessionBound(routing);
        if (expected == null) {
            Cookie cookie = routing.request().getCookie(cookieName());
            expected = cookie == null ? null : cookie.getValue();
        }
        String presented = request.getHeaderString(HEADER);
        if (presented == null) {
            ResteasyReactiveRequestContext context = (ResteasyReactiveRequestContext) request.getServerRequestContext();
            Object field = context.getFormParameter(FORM_FIELD, true, false);
            presented = field == null ? null : field.toString();
        }
        if (expected != null && presented != null && TOKEN_SHAPE.matcher(presented).matches() && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        throw request.getHeaderString("Authorization") != null ? new CsrfRejectedException(SCRIPT_HINT)
                : new CsrfRejectedException();
    }

    static final String SCRIPT_HINT = "This request did not come from Roster's pages and carries no CSRF token. "
            + "A script using HTTP Basic must also send the header " + CLIENT_HEADER + " (any value, e.g. "
            + "curl -u EMAIL -H '" + CLIENT_HEADER + ": script' ...), send JSON, or use a bearer token.";

    /**
     * A request that only a same-origin page or a non-browser client can send. A bearer header exempts only a
     * request without a session cookie: with one, the request may have authenticated by that cookie, and the
     * header alone proves nothing about who sent it.
     */
    static boolean notForgeable(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        String authorization = request.getHeaderString("Authorization");
        if (authorization == null) {
            return false;
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7) && !hasSessionCookie(routing)) {
            return true;
        }
        String client = request.getHeaderString(CLIENT_HEADER);
        if (client != null && !client.isBlank()) {
            return true;
        }
        String type = request.getHeaderString("Content-Type");
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String essence = (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
        return !essence.isEmpty() && !SIMPLE_TYPES.contains(essence);
    }

    /** Roster's session cookie or the OIDC session cookie (q_session, q_session_{tenant}) came with the request. */
    static boolean hasSessionCookie(RoutingContext routing) {
        for (Cookie cookie : routing.request().cookies()) {
            String name = cookie.getName();
            if (SESSION_COOKIE.equals(name) || name.startsWith("q_session")) {
                return true;
            }
        }
        return false;
    }

    /** A state-changing request without a valid CSRF token. */
    public static class CsrfRejectedException extends RuntimeException {
        public CsrfRejectedException() {
            this("This form has expired or did not come from Roster. Reload the page and try again.");
        }

        public CsrfRejectedException(String message) {
            super(message);
        }
    }
}
