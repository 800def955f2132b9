package dev.roster.access;

import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How a provider's claim makes a Roster role (roster.oidc.*). Deliberately Roster-specific values, so a
 * provider's generic "admin" role does not make someone Roster's admin.
 */
@ConfigMapping(prefix = "roster.oidc")
public interface OidcRolesConfig {

    /** The claim holding groups or roles. */
    @WithDefault("groups")
    String roleClaim();

    @WithDefault("roster-viewers,roster-viewer")
    Set<String> viewerValues();

    @WithDefault("roster-operators,roster-operator")
    Set<String> operatorValues();

    @WithDefault("roster-admins,roster-admin")
    Set<String> adminValues();
}
