package dev.roster.support;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Test resources for every @QuarkusTest (not restricted to an annotated class), so the suite
 * keeps one Quarkus boot: GreenMail stands in for the SMTP server.
 */
@QuarkusTestResource(GreenMailResource.class)
public class GlobalTestResources {
}
