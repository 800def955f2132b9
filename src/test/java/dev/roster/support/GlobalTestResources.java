package dev.roster.support;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Test resources for every @QuarkusTest (not restricted to an annotated class), so the suite
 * keeps one Quarkus boot: GreenMail stands in for the SMTP server, and a real Keycloak is the
 * OIDC provider (so every test runs with OIDC switched on, as a production set-up with SSO would); the LDAP service listens on free
 * ports (LdapTestResource).
 */
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(KeycloakResource.class)
@QuarkusTestResource(LdapTestResource.class)
public class GlobalTestResources {
}
