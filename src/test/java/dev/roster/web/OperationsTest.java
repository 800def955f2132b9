package dev.roster.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
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
        given().get("/no/such/page").then().statusCode(404);
    }
}
