package dev.roster.reset;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Response headers that replace the global ones (application.properties) on two kinds of path,
 * set when the headers are written so they hold for every response there, error pages included:
 * the set-password pages carry a token in their address, so they must not leak it in a Referer
 * nor be cached, and the self-service pages (a typed username, a password form) are not cached either; a mail body shown on the Sent mail page runs under a CSP that allows nothing
 * and may only be framed by Roster's own page.
 */
@ApplicationScoped
public class PublicPageHeaders {

    public static final String MAIL_BODY_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            + "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox";

    /** The public self-service pages (SelfServiceResource). */
    public static final java.util.Set<String> SELF_SERVICE_PATHS = java.util.Set.of("/forgot", "/password/change");

    void install(@Observes Router router) {
        router.route().order(-100).handler(this::apply);
    }

    /** "/forgot/" and "/forgot//" are served (or refused) like "/forgot": the same headers. */
    static String withoutTrailingSlashes(String path) {
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    void apply(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (path.startsWith("/reset/") || path.startsWith("/invite/")
                || SELF_SERVICE_PATHS.contains(withoutTrailingSlashes(path))) {
            rc.addHeadersEndHandler(v -> {
                rc.response().headers().set("Referrer-Policy", "no-referrer");
                rc.response().headers().set("Cache-Control", "no-store");
            });
        } else if (path.startsWith("/mail/") && path.endsWith("/body")) {
            rc.addHeadersEndHandler(v -> {
                rc.response().headers().set("Content-Security-Policy", MAIL_BODY_CSP);
                rc.response().headers().set("X-Frame-Options", "SAMEORIGIN");
                rc.response().headers().set("Referrer-Policy", "no-referrer");
                rc.response().headers().set("Cache-Control", "no-store");
            });
        }
        rc.next();
    }
}
