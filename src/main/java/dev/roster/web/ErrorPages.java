package dev.roster.web;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.logging.Log;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into a friendly page (HTML) or a small JSON body (under /api): 401 asks
 * for sign-in, 403/404 say what happened, 500 gives a reference id that is in the log.
 * No stack trace ever reaches a client outside dev mode.
 */
public class ErrorPages {

    /** The challenge for local credentials: a scheme no browser answers with a password prompt. */
    static final String BASIC_WITHOUT_PROMPT = "Roster-Basic realm=\"Roster\"";
    /** Quarkus REST's own words for a path no resource serves: not for people. */
    private static final String NO_SUCH_RESOURCE = "Unable to find matching target resource method";

    @ConfigProperty(name = "quarkus.oidc.tenant-enabled")
    boolean oidc;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance error(int status, String title, String message, String reference);
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class,
            AuthenticationCompletionException.class })
    public Response unauthorized(RuntimeException e, UriInfo uri, HttpHeaders headers) {
        if (isApi(uri, headers)) {
            Response.ResponseBuilder response = json(401, e instanceof AuthenticationFailedException && e.getMessage() != null
                    ? "Authentication failed: " + e.getMessage() : "Sign in first: use HTTP Basic with an admin's credentials "
                            + "(sent preemptively, with the header " + CsrfProtection.CLIENT_HEADER
                            + " on forms and uploads) or a bearer token.", null);
            if (oidc) {
                // The provider's access tokens are accepted too: say so (RFC 9110 allows several challenges).
                response.header("WWW-Authenticate", "Bearer realm=\"Roster\"");
            }
            // Never "Basic": a browser would ask for credentials and then attach them to every request to Roster,
            // cross-site form posts included (docs/decisions/0008-csrf-and-basic.md). Scripts send Basic preemptively.
            return response.header("WWW-Authenticate", BASIC_WITHOUT_PROMPT).build();
        }
        String next = uri.getRequestUri().getRawPath()
                + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
        URI login = URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        if (HtmxRequest.isHtmx(headers)) {
            // htmx follows redirects inside the fragment; ask for a full-page navigation instead.
            return Response.status(401).header("HX-Redirect", login.toString()).build();
        }
        return Response.seeOther(login).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, HttpHeaders headers) {
        return respond(403, "Not allowed", "Your role does not allow this. Ask an admin for the operator or admin role.",
                null, uri, headers);
    }

    @ServerExceptionMapper
    public Response csrf(CsrfProtection.CsrfRejectedException e, UriInfo uri, HttpHeaders headers) {
        return respond(403, "Form expired", e.getMessage(), null, uri, headers);
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri, HttpHeaders headers) {
        StringBuilder message = new StringBuilder();
        e.getConstraintViolations().forEach(v -> message.append(message.isEmpty() ? "" : "; ")
                .append(lastNode(v.getPropertyPath().toString())).append(": ").append(v.getMessage()));
        return respond(400, "Invalid request", message.toString(), null, uri, headers);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status < 400 || original.hasEntity()) {
            return original;
        }
        String title = switch (status) {
            case 400 -> "Invalid request";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict";
            case 413 -> "Too large";
            case 415 -> "Unsupported file";
            case 422 -> "Cannot do that";
            default -> status >= 500 ? "Server error" : "Request refused";
        };
        String message = e.getMessage();
        if (message == null || message.startsWith("HTTP ") || message.equals(NO_SUCH_RESOURCE)) {
            message = status == 404 ? "There is nothing at this address." : title + ".";
        }
        if (status >= 500) {
            return unexpected(e, uri, headers);
        }
        return respond(status, title, message, null, uri, headers);
    }

    @ServerExceptionMapper(priority = 6000)
    public Response unexpected(Throwable e, UriInfo uri, HttpHeaders headers) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        Log.errorf(e, "Unexpected failure, reference %s, on %s", reference, uri.getRequestUri().getPath());
        String message = "Something went wrong on our side. Nothing was half-done: try again, and give this reference to your operations team.";
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            message += " (dev mode: " + e + ")";
        }
        return respond(500, "Server error", message, reference, uri, headers);
    }

    public static Response respond(int status, String title, String message, String reference, UriInfo uri, HttpHeaders headers) {
        if (isApi(uri, headers)) {
            return json(status, message, reference).build();
        }
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Templates.error(status, title, message, reference).render()).build();
    }

    private static Response.ResponseBuilder json(int status, String message, String reference) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        if (reference != null) {
            body.put("reference", reference);
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
    }

    static boolean isApi(UriInfo uri, HttpHeaders headers) {
        String path = uri.getRequestUri().getPath();
        if (path.startsWith("/api/") || path.equals("/api") || path.startsWith("/scim/")) {
            return true;
        }
        String accept = headers.getHeaderString(HttpHeaders.ACCEPT);
        return accept != null && accept.startsWith("application/json");
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
