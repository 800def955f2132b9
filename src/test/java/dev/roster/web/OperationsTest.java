package dev.roster.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OperationsTest {

    /** The management interface (its own random port in tests); its paths are the usual /q/... ones. */
    @TestHTTPResource(value = "", management = true)
    URL management;

    @Test
    void healthIsUpWithADatabaseCheck() {
        given().get(onManagement("/q/health")).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void metricsArePrometheusText() {
        given().get(onManagement("/q/metrics")).then().statusCode(200).body(containsString("# TYPE"));
    }

    @Test
    void probesAndMetricsAreNotOnThePublicPort() {
        for (String path : new String[] { "/q/health", "/q/health/ready", "/q/metrics" }) {
            given().redirects().follow(false).get(path).then().statusCode(404);
        }
        assertNotEquals(io.restassured.RestAssured.port, management.getPort(), "the management interface has its own port");
    }

    /** Issue #23: probes and metrics listen on loopback unless QUARKUS_MANAGEMENT_HOST opens them (docs/operations.md). */
    @Test
    void theManagementInterfaceListensOnLoopbackByDefault() throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = OperationsTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        // The running application's configuration (every source: properties, profile, environment), not just the file.
        assertTrue("127.0.0.1".equals(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.host", String.class)), "the management interface of the running server");
        assertTrue("127.0.0.1".equals(p.getProperty("quarkus.management.host")), "the default for every profile");
        assertFalse(p.stringPropertyNames().stream().anyMatch(k -> k.endsWith(".quarkus.management.host")),
                "no profile opens it");
    }

    private String onManagement(String path) {
        return "http://" + management.getHost() + ":" + management.getPort() + path;
    }

    @Test
    void pagesCarrySecurityHeadersAndTheHtmxWebjar() {
        given().get("/login").then().statusCode(200)
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Referrer-Policy", equalTo("same-origin"))
                .body(containsString("/webjars/htmx.org/dist/htmx.min.js"));
        given().get("/webjars/htmx.org/dist/htmx.min.js").then().statusCode(200).body(containsString("htmx"));
    }

    @Test
    void anUnknownPageIsAFriendly404WithoutAStackTrace() {
        String page = given().get("/no/such/page").then().statusCode(404).contentType(containsString("text/html"))
                .extract().asString();
        assertTrue(page.contains("<h1>404 · Not found</h1>"), page);
        assertTrue(page.contains("There is nothing at this address."), page);
        assertNoStackTrace(page);
        given().accept("application/json").get("/api/no/such/thing").then().statusCode(404)
                .contentType(containsString("application/json")).body("status", equalTo(404))
                .body("error", equalTo("There is nothing at this address."));
    }

    @Test
    void anUnexpectedFailureIsAFriendly500WithAReferenceAndNoStackTrace() {
        String page = given().get("/test-only/fail").then().statusCode(500).contentType(containsString("text/html"))
                .extract().asString();
        assertTrue(page.contains("Something went wrong on our side"), page);
        assertTrue(page.matches("(?s).*Reference: <code>[0-9a-f]{8}</code>.*"), "a reference: " + page);
        assertFalse(page.contains(FailingTestResource.SECRET), page);
        assertNoStackTrace(page);
        String json = given().accept("application/json").get("/test-only/fail").then().statusCode(500)
                .body("reference", matchesPattern("[0-9a-f]{8}")).extract().asString();
        assertFalse(json.contains(FailingTestResource.SECRET), json);
        assertNoStackTrace(json);
    }

    private static void assertNoStackTrace(String body) {
        for (String sign : new String[] { "Exception", "\tat ", "at dev.roster.", "at io.quarkus.", "java.lang." }) {
            assertFalse(body.contains(sign), "no stack trace (" + sign + "): " + body);
        }
    }
}
