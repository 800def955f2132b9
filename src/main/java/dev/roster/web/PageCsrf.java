package dev.roster.web;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The CSRF token of the current page ({inject:pageCsrf.token}), issued by {@link CsrfProtection}.
 * It renders empty on pages the filter did not see (error pages), so a failure never hides
 * behind a second one.
 */
@RequestScoped
@Named("pageCsrf")
public class PageCsrf {

    @Inject
    RoutingContext routing;

    public String getToken() {
        Object token = routing.get(CsrfProtection.TOKEN_KEY);
        return token == null ? "" : token.toString();
    }

    public String getParameterName() {
        return CsrfProtection.FORM_FIELD;
    }
}
