package dev.roster.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.event.Observes;

/**
 * Sends HSTS outside the local default (roster.local-mode=false), on every response, pages, API
 * and static files alike: once a browser has seen Roster over HTTPS it never again speaks plain
 * HTTP to it, so session cookies and links cannot be downgraded. The local default runs on plain
 * http://localhost, where HSTS would lock the browser out of other local apps.
 */
@ApplicationScoped
public class StrictTransportSecurity {

    static final String HEADER = "Strict-Transport-Security";
    static final String VALUE = "max-age=31536000; includeSubDomains";

    @Inject
    LocalMode localMode;

    /** Ahead of every other route, static files included. */
    void register(@Observes Router router) {
        router.route().order(-1000).handler(this::addHeader);
    }

    void addHeader(RoutingContext routing) {
        if (!localMode.on()) {
            routing.response().putHeader(HEADER, VALUE);
        }
        routing.next();
    }
}
