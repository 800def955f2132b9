package dev.roster.access;

import java.util.UUID;

import io.quarkus.oidc.SecurityEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Turns the start of an OIDC session (Quarkus OIDC's OIDC_LOGIN event, fired once when the provider
 * redirects back with a code) into a {@link SignInService.SignInAttempt} with channel "oidc", so the
 * audit trail records OIDC sign-ins like local ones. Observed asynchronously: the event is fired on
 * the event loop, and recording needs the database.
 */
@ApplicationScoped
public class OidcSignIns {

    @Inject
    OidcRoleAugmentor.OidcAdminAccounts accounts;
    @Inject
    SignInAudit audit;

    void onOidcEvent(@ObservesAsync SecurityEvent event) {
        if (event.getEventType() == SecurityEvent.Type.OIDC_LOGIN && event.getSecurityIdentity() != null) {
            record(event.getSecurityIdentity());
        }
    }

    @Transactional
    @ActivateRequestContext
    void record(SecurityIdentity identity) {
        RoutingContext routing = identity.getAttribute(RoutingContext.class.getName());
        HttpServerRequest request = routing == null ? null : routing.request();
        String ip = request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        String userAgent = request == null ? null : request.getHeader("User-Agent");
        String email = identity.getPrincipal().getName();
        UUID adminId = identity.getAttribute(AdminIdentities.ADMIN_ID);
        AdminAccount admin = adminId == null ? null : accounts.markSignedIn(adminId);
        if (admin == null) {
            String reason = identity.getAttribute(OidcRoleAugmentor.REFUSED);
            audit.record(new SignInService.SignInAttempt(email, AdminAccount.findByEmail(email).orElse(null), false,
                    reason == null ? "no Roster role" : reason, ip, userAgent, "oidc"));
            return;
        }
        audit.record(new SignInService.SignInAttempt(email, admin, true, null, ip, userAgent, "oidc"));
    }
}
