package dev.roster.web;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start a deployment that would be insecure by its settings alone, with a message saying
 * what to set: the default database password in production, and proxy forwarding without trusted
 * proxies (every client could then claim any IP, and so escape the sign-in and link throttles).
 */
@ApplicationScoped
public class DeploymentChecks {

    /** The passwords .ci/db-setup gives the owner and the runtime role on a development machine. */
    static final Set<String> DEFAULT_DATABASE_PASSWORDS = Set.of("roster", "roster_app");

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> databasePassword;
    @ConfigProperty(name = "quarkus.flyway.password")
    Optional<String> migrationPassword;
    @ConfigProperty(name = "roster.database.allow-default-password", defaultValue = "false")
    boolean allowDefaultPassword;
    @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false")
    boolean proxyForwarding;
    @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies")
    Optional<String> trustedProxies;

    void onStart(@Observes StartupEvent start) {
        // The runtime role's password, or the migration owner's when that one is a local default.
        String password = Stream.of(databasePassword, migrationPassword).flatMap(Optional::stream)
                .filter(DEFAULT_DATABASE_PASSWORDS::contains).findFirst().orElse(databasePassword.orElse(""));
        check(LaunchMode.current(), password, allowDefaultPassword, proxyForwarding,
                trustedProxies.orElse(""));
    }

    /** The rules, apart from where their inputs come from (unit-tested). */
    static void check(LaunchMode mode, String databasePassword, boolean allowDefaultPassword, boolean proxyForwarding,
            String trustedProxies) {
        if (mode == LaunchMode.NORMAL && DEFAULT_DATABASE_PASSWORDS.contains(databasePassword) && !allowDefaultPassword) {
            throw new IllegalStateException("Refusing to start: a database password is a local default (\"" + databasePassword + "\"). "
                    + "Set QUARKUS_DATASOURCE_PASSWORD and QUARKUS_FLYWAY_PASSWORD (and the roles' passwords in PostgreSQL) "
                    + "to secrets of your own; "
                    + "for a throw-away local run only, set ROSTER_DATABASE_ALLOW_DEFAULT_PASSWORD=true.");
        }
        if (proxyForwarding && trustedProxies.isBlank()) {
            throw new IllegalStateException("Refusing to start: proxy forwarding is on (ROSTER_PROXY_FORWARDING / "
                    + "quarkus.http.proxy.proxy-address-forwarding) but no trusted proxy is set, so any client could claim "
                    + "any IP in X-Forwarded-For. Set ROSTER_TRUSTED_PROXIES to your proxies' addresses or CIDRs, "
                    + "e.g. ROSTER_TRUSTED_PROXIES=10.0.0.5,10.1.0.0/16.");
        }
    }
}
