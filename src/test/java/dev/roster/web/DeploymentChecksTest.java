package dev.roster.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;

/** The start-up refusals, without starting Roster. */
class DeploymentChecksTest {

    @Test
    void productionRefusesTheDefaultDatabasePassword() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DeploymentChecks.check(LaunchMode.NORMAL, "roster", false, false, ""));
        assertTrue(refused.getMessage().contains("QUARKUS_DATASOURCE_PASSWORD"), refused.getMessage());
        assertThrows(IllegalStateException.class,
                () -> DeploymentChecks.check(LaunchMode.NORMAL, "roster_app", false, false, ""), "the runtime role's default");
        assertDoesNotThrow(() -> DeploymentChecks.check(LaunchMode.NORMAL, "a secret of our own", false, false, ""));
        assertDoesNotThrow(() -> DeploymentChecks.check(LaunchMode.NORMAL, "roster", true, false, ""), "explicitly allowed");
        assertDoesNotThrow(() -> DeploymentChecks.check(LaunchMode.DEVELOPMENT, "roster", false, false, ""), "local default");
        assertDoesNotThrow(() -> DeploymentChecks.check(LaunchMode.TEST, "roster", false, false, ""));
    }

    @Test
    void forwardingWithoutTrustedProxiesIsRefused() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DeploymentChecks.check(LaunchMode.TEST, "x", false, true, " "));
        assertTrue(refused.getMessage().contains("ROSTER_TRUSTED_PROXIES"), refused.getMessage());
        assertDoesNotThrow(() -> DeploymentChecks.check(LaunchMode.TEST, "x", false, true, "10.0.0.5"));
        assertDoesNotThrow(() -> DeploymentChecks.check(LaunchMode.NORMAL, "x", false, false, ""));
    }
}
