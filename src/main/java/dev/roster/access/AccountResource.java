package dev.roster.access;

import java.net.URI;
import java.util.List;

import dev.roster.credentials.PasswordPolicy;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.vertx.core.http.Cookie;
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

/** The Account page: who you are, and (local admins) changing your own password. */
@Path("/account")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class AccountResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance account(AdminAccount account, boolean localPassword, List<String> rules,
                String error, List<String> problems, boolean changed);
    }

    @Inject
    AccountService accounts;
    @Inject
    CurrentAdmin currentAdmin;
    @Inject
    CurrentOperator operator;
    @Inject
    RoutingContext routing;

    @GET
    public TemplateInstance page(@QueryParam("changed") String changed) {
        return render(null, List.of(), changed != null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response change(@FormParam("current") String current, @FormParam("password") String password,
            @FormParam("confirm") String confirm) {
        try {
            if (password != null && !password.isEmpty() && !password.equals(confirm)) {
                throw new AccountService.PasswordChangeRefused(400, "The two new passwords are not the same.", List.of());
            }
            accounts.changePassword(operator.get(), current, password, sessionToken(currentAdmin, routing),
                    clientIp(routing), "page");
            return Response.seeOther(URI.create("/account?changed=1")).build();
        } catch (AccountService.PasswordChangeRefused e) {
            return Response.status(e.status()).entity(render(e.getMessage(), e.problems(), false)).build();
        }
    }

    private TemplateInstance render(String error, List<String> problems, boolean changed) {
        AdminAccount account = currentAdmin.id() == null ? null : AdminAccount.findById(currentAdmin.id());
        return Templates.account(account, accounts.hasLocalPassword(account), PasswordPolicy.RULES, error, problems,
                changed);
    }

    /** The session this request came with (it stays signed in after a change); null for Basic and OIDC. */
    static String sessionToken(CurrentAdmin admin, RoutingContext routing) {
        Cookie session = "session".equals(admin.channel()) ? routing.request().getCookie(SessionCookieMechanism.COOKIE) : null;
        return session == null ? null : session.getValue();
    }

    static String clientIp(RoutingContext routing) {
        return routing.request().remoteAddress() == null ? null : routing.request().remoteAddress().hostAddress();
    }
}
