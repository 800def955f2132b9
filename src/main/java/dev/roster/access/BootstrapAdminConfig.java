package dev.roster.access;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The first admin (roster.admin.*, or ROSTER_ADMIN_EMAIL / ROSTER_ADMIN_PASSWORD), created once at first start. */
@ConfigMapping(prefix = "roster.admin")
public interface BootstrapAdminConfig {

    @WithDefault("admin@roster.local")
    String email();

    /** Unset or blank: a strong password is generated and logged once. */
    Optional<String> password();
}
