package dev.roster.reset;

import java.util.List;
import java.util.Optional;

import dev.roster.credentials.PasswordPolicy;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The public set-password pages a reset or invitation link opens (no admin sign-in). Every
 * refused link, whatever the reason, gets the same page and status, which says nothing about
 * any account. Headers: see {@link PublicPageHeaders}.
 */
@Path("/")
@PermitAll
public class ResetPasswordResource {

    static final int INVALID_STATUS = 404;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance form(String action, boolean invite, String email, List<String> rules,
                List<String> problems);

        static native TemplateInstance invalid();

        static native TemplateInstance done(boolean invite);

        static native TemplateInstance throttled();
    }

    @Inject
    SetPasswordService service;
    @Inject
    TokenGuessThrottle throttle;
    @Inject
    RoutingContext routing;

    @GET
    @Path("reset/{token}")
    @Produces(MediaType.TEXT_HTML)
    public Response resetForm(@PathParam("token") String token) {
        return form(token, TokenPurpose.RESET);
    }

    @POST
    @Path("reset/{token}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response reset(@PathParam("token") String token, @FormParam("password") String password,
            @FormParam("confirm") String confirm) {
        return submit(token, TokenPurpose.RESET, password, confirm);
    }

    @GET
    @Path("invite/{token}")
    @Produces(MediaType.TEXT_HTML)
    public Response inviteForm(@PathParam("token") String token) {
        return form(token, TokenPurpose.INVITE);
    }

    @POST
    @Path("invite/{token}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response invite(@PathParam("token") String token, @FormParam("password") String password,
            @FormParam("confirm") String confirm) {
        return submit(token, TokenPurpose.INVITE, password, confirm);
    }

    private Response form(String token, TokenPurpose purpose) {
        String ip = ip();
        if (throttle.blocked(ip)) {
            return html(429, Templates.throttled());
        }
        // Opening the form never uses the token: mail scanners that prefetch links do no harm.
        Optional<DirectoryUser> holder = service.holderOf(token, purpose);
        if (holder.isEmpty()) {
            throttle.bad(ip);
            return html(INVALID_STATUS, Templates.invalid());
        }
        return html(200, Templates.form(action(token, purpose), purpose == TokenPurpose.INVITE,
                SetPasswordService.accountName(holder.get()),
                PasswordPolicy.RULES, List.of()));
    }

    private Response submit(String token, TokenPurpose purpose, String password, String confirm) {
        String ip = ip();
        if (throttle.blocked(ip)) {
            return html(429, Templates.throttled());
        }
        HttpServerRequest request = routing.request();
        SetPasswordService.Outcome outcome = service.setPassword(token, purpose, password, confirm, ip,
                request.getHeader("User-Agent"));
        if (outcome instanceof SetPasswordService.Outcome.Rejected rejected) {
            return html(422, Templates.form(action(token, purpose), purpose == TokenPurpose.INVITE, rejected.email(),
                    PasswordPolicy.RULES, rejected.problems()));
        }
        if (outcome instanceof SetPasswordService.Outcome.Done) {
            return html(200, Templates.done(purpose == TokenPurpose.INVITE));
        }
        throttle.bad(ip);
        return html(INVALID_STATUS, Templates.invalid());
    }

    private static String action(String token, TokenPurpose purpose) {
        return "/" + purpose.path() + "/" + token;
    }

    private String ip() {
        return clientIp(routing);
    }

    /** The client's address (the forwarded one only from a trusted proxy, quarkus.http.proxy.*). */
    static String clientIp(RoutingContext routing) {
        HttpServerRequest request = routing.request();
        return request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
    }

    static Response html(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page.render()).build();
    }
}
