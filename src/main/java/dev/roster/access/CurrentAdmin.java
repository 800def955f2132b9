package dev.roster.access;

import java.util.UUID;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** The admin of the current request, for services (the audit actor) and templates ({inject:currentAdmin}). */
@RequestScoped
@Named("currentAdmin")
public class CurrentAdmin {

    @Inject
    SecurityIdentity identity;

    public boolean isSignedIn() {
        return !identity.isAnonymous();
    }

    public UUID id() {
        return identity.getAttribute(AdminIdentities.ADMIN_ID);
    }

    /** The API token of this request, or null when an admin (or nobody) signed in. */
    public UUID tokenId() {
        return identity.getAttribute(AdminIdentities.TOKEN_ID);
    }

    public String email() {
        return identity.isAnonymous() || tokenId() != null ? null : identity.getPrincipal().getName();
    }

    public String displayName() {
        String name = identity.getAttribute(AdminIdentities.DISPLAY_NAME);
        return name != null ? name : email();
    }

    public String roleLabel() {
        if (identity.hasRole(AdminRole.ADMIN_ROLE)) {
            return AdminRole.ADMIN_ROLE;
        }
        if (identity.hasRole(AdminRole.OPERATOR_ROLE)) {
            return AdminRole.OPERATOR_ROLE;
        }
        return identity.hasRole(AdminRole.VIEWER_ROLE) ? AdminRole.VIEWER_ROLE : "none";
    }

    public boolean isOperator() {
        return identity.hasRole(AdminRole.OPERATOR_ROLE);
    }

    public boolean isAdmin() {
        return identity.hasRole(AdminRole.ADMIN_ROLE);
    }

    /** Signed in interactively (a Roster session or OIDC's code flow), not with a machine credential. */
    public boolean isInteractive() {
        return Boolean.TRUE.equals(identity.getAttribute(AdminIdentities.INTERACTIVE));
    }

    /** session, basic, oidc or token. */
    public String channel() {
        String channel = identity.getAttribute(AdminIdentities.CHANNEL);
        return channel == null ? "none" : channel;
    }
}
