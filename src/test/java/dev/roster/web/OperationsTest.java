package dev.roster.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OperationsTest {

    @Test
    void healthIsUpWithADatabaseCheck() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void metricsArePrometheusText() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("# TYPE"));
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
