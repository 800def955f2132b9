package dev.roster.access;

import dev.roster.audit.AuditActor;
import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * The {@link Operator} of the current request, produced once per request for resources to pass to services:
 * the signed-in admin and the request's origin (IP, user agent) their audit events name.
 */
@RequestScoped
public class CurrentOperator {

    @Inject
    CurrentAdmin admin;
    @Inject
    Instance<CurrentVertxRequest> currentRequest;

    private Operator operator;

    public Operator get() {
        if (operator == null) {
            operator = build();
        }
        return operator;
    }

    /**
     * The audit actor of the current request, for services that record an event nobody passed them an
     * operator for; Roster itself ({@link AuditActor#system()}) outside a request (background work).
     */
    public static AuditActor actorOrSystem() {
        if (!Arc.container().requestContext().isActive()) {
            return AuditActor.system();
        }
        return Arc.container().instance(CurrentOperator.class).get().get().actor();
    }

    private Operator build() {
        String ip = null;
        String userAgent = null;
        RoutingContext routing = currentRequest.isResolvable() ? currentRequest.get().getCurrent() : null;
        if (routing != null) {
            HttpServerRequest request = routing.request();
            ip = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
            userAgent = request.getHeader("User-Agent");
        }
        try {
            if (admin.isSignedIn() && admin.id() != null) {
                return new Operator(admin.id(), admin.displayName(), admin.roleLabel(),
                        AuditActor.admin(admin.id(), admin.displayName(), ip, userAgent), admin.isInteractive());
            }
            if (admin.isSignedIn() && admin.tokenId() != null) {
                String name = admin.displayName();
                return new Operator(admin.tokenId(), name, admin.roleLabel(), new AuditActor(AuditActor.TOKEN,
                        admin.tokenId(), name, ip, userAgent));
            }
        } catch (RuntimeException e) {
            // No identity can be resolved here (e.g. on the I/O thread): the request still names its origin.
        }
        return new Operator(null, AuditActor.SYSTEM, "none",
                new AuditActor(AuditActor.SYSTEM, null, AuditActor.SYSTEM, ip, userAgent));
    }
}
