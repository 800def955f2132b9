package dev.roster.web;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The CSRF token of the current page ({inject:pageCsrf.token}), made by quarkus-rest-csrf.
 * Unlike {inject:csrf.token} it renders empty instead of failing on pages the token filter
 * did not see (error pages), so a failure never hides behind a second one.
 */
@RequestScoped
@Named("pageCsrf")
public class PageCsrf {

    /** The routing-context key under which quarkus-rest-csrf keeps the token of the request. */
    static final String TOKEN_KEY = "csrf_token";

    @Inject
    RoutingContext routing;

    public String getToken() {
        Object token = routing.get(TOKEN_KEY);
        return token == null ? "" : token.toString();
    }

    public String getParameterName() {
        return CsrfVerificationFilter.FORM_FIELD;
    }
}
