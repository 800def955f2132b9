package dev.roster.access;

import java.net.URI;
import java.util.Optional;

import dev.roster.credentials.SecureTokens;
import dev.roster.web.LocalMode;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The sign-in form (local admins), the hand-off to the OIDC provider, and sign-out. */
@Path("/")
public class LoginResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String next, String email, String error, boolean localLogin, boolean oidc);
    }

    /** Set by POST /logout for the GET to /logout/oidc that follows; without it that GET signs nobody out. */
    static final String LOGOUT_TICKET = "roster_logout";

    @Inject
    SignInService signIn;
    @Inject
    AdminSessionStore sessions;
    @Inject
    CurrentAdmin currentAdmin;
    @Inject
    RoutingContext routing;
    @Inject
    LocalLoginConfig localLoginConfig;
    @ConfigProperty(name = "quarkus.oidc.tenant-enabled")
    boolean oidc;
    @Inject
    LocalMode localMode;

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance loginPage(@QueryParam("next") String next) {
        return Templates.login(safeNext(next), "", null, localLoginConfig.enabled(), oidc);
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@FormParam("email") String email, @FormParam("password") String password,
            @FormParam("next") String next) {
        String target = safeNext(next);
        if (!localLoginConfig.enabled()) {
            return Response.status(403).entity(Templates.login(target, "", "Local sign-in is switched off; use single sign-on.",
                    false, oidc)).build();
        }
        HttpServerRequest request = routing.request();
        String ip = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        SignInService.Outcome outcome = signIn.signIn(email == null ? "" : email, password == null ? "" : password, ip,
                request.getHeader("User-Agent"), "form");
        if (outcome instanceof SignInService.Outcome.SignedIn ok) {
            String token = sessions.open(ok.admin().id, ip, request.getHeader("User-Agent"));
            routing.response().addCookie(sessionCookie(token, sessions.maxLifetime().toSeconds()));
            return Response.seeOther(URI.create(target)).build();
        }
        String message = outcome instanceof SignInService.Outcome.Throttled t
                ? "Too many failed attempts. Wait " + Math.max(1, t.retryAfter().toSeconds()) + " seconds and try again."
                : outcome instanceof SignInService.Outcome.Busy ? "Too many sign-ins at once. Try again in a moment."
                : ((SignInService.Outcome.Refused) outcome).reason();
        int status = outcome instanceof SignInService.Outcome.Refused ? 401 : 429;
        return Response.status(status).entity(Templates.login(target, email, message, true, oidc)).build();
    }

    /**
     * Protected by the code-flow mechanism (application.properties): an anonymous visitor is sent to the
     * provider, and Quarkus brings them back here (restore-path-after-redirect) once signed in.
     */
    @GET
    @Path("login/oidc")
    @Authenticated
    public Response afterOidcSignIn(@QueryParam("next") String next) {
        return Response.seeOther(URI.create(safeNext(next))).build();
    }

    @POST
    @Path("logout")
    public Response signOut() {
        Cookie cookie = routing.request().getCookie(SessionCookieMechanism.COOKIE);
        if (cookie != null) {
            sessions.close(cookie.getValue());
        }
        routing.response().addCookie(sessionCookie("", 0));
        if ("oidc".equals(currentAdmin.channel()) && routing.request().getHeader("Authorization") == null) {
            // The OIDC session ends at the provider too: Quarkus answers GET /logout/oidc (quarkus.oidc.logout.path)
            // with a redirect to the provider's end-session endpoint, which sends the browser back to /login.
            // The ticket (SameSite=Strict, a minute) is what lets that GET sign out: a link from elsewhere has none.
            routing.response().addCookie(Cookie.cookie(LOGOUT_TICKET, SecureTokens.newToken(16)).setPath("/logout/oidc")
                    .setHttpOnly(true).setSecure(!localMode.on()).setSameSite(CookieSameSite.STRICT).setMaxAge(60));
            return Response.seeOther(URI.create("/logout/oidc")).build();
        }
        return Response.seeOther(URI.create("/login?signedOut")).build();
    }

    /**
     * The second half of POST /logout for OIDC admins: a GET because the provider's logout is a navigation.
     * It signs out only with the ticket POST /logout set (issue #12: any page could link here).
     */
    @GET
    @Path("logout/oidc")
    public Response afterOidcSignOut() {
        Cookie ticket = routing.request().getCookie(LOGOUT_TICKET);
        if (ticket == null) {
            // Not sent by POST /logout (CSRF-checked): a link or an image on any page. Sign nobody out.
            return Response.seeOther(URI.create("/")).build();
        }
        routing.response().addCookie(Cookie.cookie(LOGOUT_TICKET, "").setPath("/logout/oidc").setHttpOnly(true)
                .setSecure(!localMode.on()).setSameSite(CookieSameSite.STRICT).setMaxAge(0));
        // Asking for the identity runs the (lazy) code mechanism, which performs the logout when a session exists.
        currentAdmin.isSignedIn();
        return Response.seeOther(URI.create("/login?signedOut")).build();
    }

    private Cookie sessionCookie(String value, long maxAgeSeconds) {
        return Cookie.cookie(SessionCookieMechanism.COOKIE, value)
                .setPath("/")
                .setHttpOnly(true)
                .setSecure(!localMode.on())
                .setSameSite(CookieSameSite.LAX)
                .setMaxAge(maxAgeSeconds);
    }

    /** Only a path on this site; anything else (//evil.example, https://...) goes home. */
    static String safeNext(String next) {
        return Optional.ofNullable(next)
                .filter(n -> n.startsWith("/") && !n.startsWith("//") && !n.startsWith("/\\") && !n.startsWith("/login"))
                .filter(n -> n.length() < 2000)
                .orElse("/");
    }
}
