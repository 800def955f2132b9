package dev.roster.scim;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import dev.roster.support.Browser;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** A SCIM client for the tests: bearer tokens made through /api/tokens, application/scim+json bodies. */
final class Scim {

    static final String TYPE = "application/scim+json";
    private static String readWrite;
    private static String read;

    private Scim() {
    }

    static synchronized String token(String scope) {
        if (scope.equals("read") && read != null) {
            return read;
        }
        if (scope.equals("read-write") && readWrite != null) {
            return readWrite;
        }
        String token = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .contentType("application/json").body(Map.of("name", "scim tests " + scope, "scope", scope, "expiresAt",
                        Instant.now().plus(1, ChronoUnit.DAYS).toString()))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        if (scope.equals("read")) {
            read = token;
        } else {
            readWrite = token;
        }
        return token;
    }

    static RequestSpecification as(String scope) {
        return given().auth().oauth2(token(scope)).contentType(TYPE).accept(TYPE);
    }

    static RequestSpecification rw() {
        return as("read-write");
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }

    /** The RFC 7643 §8.2-like user a test creates. */
    static String user(String email, String given, String family) {
        return """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                 "userName": "%s", "name": {"givenName": "%s", "familyName": "%s"},
                 "emails": [{"value": "%s", "type": "work", "primary": true}]}""".formatted(email, given, family, email);
    }

    static Response create(String email) {
        return rw().body(user(email, "Barbara", "Jensen")).post("/scim/v2/Users");
    }

    static String createId(String email) {
        return create(email).then().statusCode(201).extract().path("id");
    }

    static String patch(String... operations) {
        return "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"], \"Operations\": ["
                + String.join(",", operations) + "]}";
    }
}
