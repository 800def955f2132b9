package dev.roster.reset;

import java.util.List;

import dev.roster.credentials.PasswordPolicy;
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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The public self-service pages of directory users (no admin sign-in; decision 0036): "Forgot your password?"
 * ({@code /forgot}), which answers the same whatever was typed, and "Change my password" ({@code /password/change}).
 * CSRF as on the set-password pages (the double-submit cookie); headers: {@link PublicPageHeaders}.
 */
@Path("/")
@PermitAll
public class SelfServiceResource {

    static final String REFUSED = "The username, e-mail or current password is not right, or this account cannot change"
            + " its password here.";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance forgot(String nameError);

        static native TemplateInstance forgotSent();

        static native TemplateInstance change(String name, String error, List<String> nameErrors, List<String> currentErrors,
                List<String> passwordErrors, List<String> confirmErrors, List<String> rules);

        static native TemplateInstance changed();

        static native TemplateInstance throttled();
    }

    @Inject
    ForgotPassword forgotPassword;
    @Inject
    PasswordChange passwordChange;
    @Inject
    RoutingContext routing;

    @GET
    @Path("forgot")
    @Produces(MediaType.TEXT_HTML)
    public Response forgotForm() {
        return html(200, Templates.forgot(null));
    }

    @POST
    @Path("forgot")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response forgot(@FormParam("name") String name) {
        if (name == null || name.isBlank()) {
            return html(422, Templates.forgot("Enter your username or e-mail address."));
        }
        HttpServerRequest request = routing.request();
        if (!forgotPassword.request(name, ip(), request.getHeader("User-Agent"))) {
            return html(429, Templates.throttled());
        }
        return html(200, Templates.forgotSent());
    }

    @GET
    @Path("password/change")
    @Produces(MediaType.TEXT_HTML)
    public Response changeForm() {
        return html(200, changePage("", null, List.of(), List.of(), List.of(), List.of()));
    }

    @POST
    @Path("password/change")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response change(@FormParam("name") String name, @FormParam("current") String current,
            @FormParam("password") String password, @FormParam("confirm") String confirm) {
        String typed = name == null ? "" : name.trim();
        List<String> nameErrors = typed.isEmpty() ? List.of("Enter your username or e-mail address.") : List.of();
        List<String> currentErrors = current == null || current.isEmpty() ? List.of("Enter your current password.") : List.of();
        List<String> passwordErrors = password == null || password.isEmpty() ? List.of("Enter a new password.") : List.of();
        if (!nameErrors.isEmpty() || !currentErrors.isEmpty() || !passwordErrors.isEmpty()) {
            return html(422, changePage(typed, null, nameErrors, currentErrors, passwordErrors, List.of()));
        }
        PasswordChange.Outcome outcome = passwordChange.change(typed, current, password, confirm, ip(),
                routing.request().getHeader("User-Agent"));
        if (outcome instanceof PasswordChange.Outcome.Changed) {
            return html(200, Templates.changed());
        }
        if (outcome instanceof PasswordChange.Outcome.Rejected r) {
            return html(422, changePage(typed, "This password cannot be used.", List.of(), List.of(), r.passwordProblems(),
                    r.confirmProblems()));
        }
        if (outcome instanceof PasswordChange.Outcome.Throttled t) {
            return html(429, changePage(typed, "Too many failed attempts. Wait " + Math.max(1, t.retryAfter().toSeconds())
                    + " seconds and try again.", List.of(), List.of(), List.of(), List.of()));
        }
        if (outcome instanceof PasswordChange.Outcome.Busy) {
            return html(503, changePage(typed, "Too many passwords are being checked at once. Try again in a moment.",
                    List.of(), List.of(), List.of(), List.of()));
        }
        return html(401, changePage(typed, REFUSED, List.of(), List.of(), List.of(), List.of()));
    }

    private static TemplateInstance changePage(String name, String error, List<String> nameErrors,
            List<String> currentErrors, List<String> passwordErrors, List<String> confirmErrors) {
        return Templates.change(name, error, nameErrors, currentErrors, passwordErrors, confirmErrors, PasswordPolicy.RULES);
    }

    private String ip() {
        return ResetPasswordResource.clientIp(routing);
    }

    private static Response html(int status, TemplateInstance page) {
        return ResetPasswordResource.html(status, page);
    }
}
