package dev.roster.access;

import java.util.UUID;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Builds the security identity of an admin, whichever way they signed in. */
public final class AdminIdentities {

    public static final String ADMIN_ID = "roster.admin-id";
    public static final String DISPLAY_NAME = "roster.display-name";
    public static final String ROLE = "roster.role";
    /** How the request was authenticated: session, basic or oidc. */
    public static final String CHANNEL = "roster.channel";

    private AdminIdentities() {
    }

    public static SecurityIdentity of(UUID adminId, String email, String displayName, AdminRole role, String channel) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(email))
                .addRoles(role.securityRoles())
                .addAttribute(ADMIN_ID, adminId)
                .addAttribute(DISPLAY_NAME, displayName)
                .addAttribute(ROLE, role)
                .addAttribute(CHANNEL, channel)
                .build();
    }
}
