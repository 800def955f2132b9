package dev.roster.access;

import java.util.Set;
import java.util.UUID;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Builds the security identity of an admin, whichever way they signed in. */
public final class AdminIdentities {

    public static final String ADMIN_ID = "roster.admin-id";
    public static final String DISPLAY_NAME = "roster.display-name";
    public static final String ROLE = "roster.role";
    /** How the request was authenticated: session, basic, oidc or token. */
    public static final String CHANNEL = "roster.channel";
    /** The API token a request was authenticated with (channel "token"); no admin id then. */
    public static final String TOKEN_ID = "roster.token-id";
    /** The scope labels of the API token of a request (a {@code Set<String>}), for token/TokenScopes. */
    public static final String TOKEN_SCOPES = "roster.token-scopes";
    /**
     * True when a person signed in interactively: a Roster session, or OIDC's authorization-code flow. A machine
     * credential (HTTP Basic, Roster's API tokens, an OIDC bearer token) is not, and never approves (decision 0026).
     */
    public static final String INTERACTIVE = "roster.interactive";

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
                .addAttribute(INTERACTIVE, "session".equals(channel))
                .build();
    }

    /**
     * The identity of an API token: a read token is a viewer, a read-write token an operator. A token never
     * holds the admin role (it cannot create tokens or manage admins).
     */
    public static SecurityIdentity ofToken(UUID tokenId, String tokenName, AdminRole role, Set<String> scopes) {
        if (role == AdminRole.ADMIN) {
            throw new IllegalArgumentException("a token is never an admin");
        }
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("token:" + tokenName))
                .addRoles(role.securityRoles())
                .addAttribute(TOKEN_ID, tokenId)
                .addAttribute(DISPLAY_NAME, "token " + tokenName)
                .addAttribute(ROLE, role)
                .addAttribute(CHANNEL, "token")
                .addAttribute(TOKEN_SCOPES, Set.copyOf(scopes))
                .build();
    }
}
