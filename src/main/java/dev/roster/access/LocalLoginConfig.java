package dev.roster.access;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Local sign-in (roster.local-login.*): the form and HTTP Basic with a local admin's password. */
@ConfigMapping(prefix = "roster.local-login")
public interface LocalLoginConfig {

    /** Off leaves OIDC only (HTTP Basic on /api goes too). */
    @WithDefault("true")
    boolean enabled();
}
