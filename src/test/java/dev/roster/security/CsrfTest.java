package dev.roster.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.roster.access.AdminRole;
import dev.roster.access.SessionCookieMechanism;
import dev.roster.reset.ResettableTokenGuessThrottle;
import dev.roster.security.EndpointTable.Fixtures;
import dev.roster.security.EndpointTable.Rule;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import dev.roster.web.CsrfProtection;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Every state-changing endpoint, called with the browser's cookies (a signed-in admin's session),
 * is refused (403) without the CSRF token or with another one, and works with the token sent the
 * way Roster's pages send it: the form field for forms and uploads, the header for htmx and JSON.
 */
@QuarkusTest
class CsrfTest {

    /** Well-formed (43 URL-safe characters) but not the cookie's token. */
    private static final String FORGED = "A".repeat(43);

    @Inject
    Sql sql;
    @Inject
    ResettableTokenGuessThrottle throttle;
    @Inject
    TestAdmins admins;

    @AfterEach
    void forgetBadTokens() {
        throttle.clear();
    }

    @TestFactory
    Stream<DynamicTest> everyStateChangingRequestNeedsTheToken() {
        Fixtures fixtures = EndpointTable.fixtures(sql);
        return EndpointTable.RULES.stream().filter(r -> !r.method().equals("GET")).flatMap(rule -> Stream.of(
                dynamicTest(rule + " without a token", () -> {
                    Browser admin = Browser.admin();
                    assertRefused(rule, send(rule, fixtures, admin, null, Sent.NOWHERE));
                }),
                dynamicTest(rule + " with another token", () -> {
                    Browser admin = Browser.admin();
                    assertRefused(rule, send(rule, fixtures, admin, FORGED, Sent.AS_THE_PAGE_DOES));
                    assertRefused(rule, send(rule, fixtures, admin, FORGED, Sent.HEADER));
                }),
                dynamicTest(rule + " with the token", () -> {
                    Browser admin = Browser.admin();
                    Response response = send(rule, fixtures, admin, admin.csrfToken(), Sent.AS_THE_PAGE_DOES);
                    assertEquals(rule.allowed(), response.statusCode(), rule + " with the token: " + response.asString());
                })));
    }

    @Test
    void aRefusedFormChangesNothing() {
        Browser admin = Browser.admin();
        String email = EndpointTable.fresh("csrf");
        Map<String, String> fields = Map.of("email", email, "name", "Forged", "password", "a long enough password",
                "role", "admin");
        assertEquals(403, admin.postFormWithoutToken("/admins", fields).statusCode());
        assertEquals(0, sql.count("SELECT count(*) FROM admin_account WHERE email = ?", email));
        assertEquals(200, admin.postForm("/admins", fields).statusCode());
        assertEquals(1, sql.count("SELECT count(*) FROM admin_account WHERE email = ?", email));
    }

    @Test
    void aScriptWithHttpBasicNeedsNoToken() {
        // No ambient credential, nothing to forge: the API with an Authorization header is exempt.
        Response response = io.restassured.RestAssured.given().redirects().follow(false).auth().preemptive()
                .basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).header("X-Roster-Client", "test").contentType("application/x-www-form-urlencoded")
                .formParam("unused", "").post("/api/audit/purge");
        assertEquals(400, response.statusCode(), "reached the purge, which wants a date");
    }

    /**
     * A page on another site makes the browser post to Roster after the admin once answered a Basic prompt: the
     * browser attaches the cached credentials to the cross-site request. Sent as a form (urlencoded, multipart, or
     * text/plain in place of JSON) or as a body-less no-cors fetch, every state-changing request is refused before
     * it reaches the handler (approve, replan, revert, discard, restore, upload, purge, ...).
     */
    @TestFactory
    Stream<DynamicTest> aForgedCrossSiteRequestWithCachedBasicCredentialsIsRefused() {
        Fixtures fixtures = new Fixtures(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        return EndpointTable.RULES.stream().filter(r -> !r.method().equals("GET")).flatMap(rule -> Stream.of(
                dynamicTest(rule + " as a cross-site form", () -> {
                    RequestSpecification spec = cachedBasic();
                    switch (rule.body()) {
                        case MULTIPART_CSV -> spec.multiPart("file", "forged.csv",
                                EndpointTable.uploadCsv().getBytes(StandardCharsets.UTF_8), "text/csv")
                                .multiPart("operation", "onboard");
                        case JSON -> spec.contentType("text/plain; charset=UTF-8").body("{\"confirm\": 1}");
                        default -> {
                            spec.contentType("application/x-www-form-urlencoded").formParam("unused", "");
                            rule.fields().get().forEach(spec::formParam);
                        }
                    }
                    assertNotReached(rule, spec.request(rule.method(), rule.path().apply(fixtures)));
                }),
                dynamicTest(rule + " as a body-less fetch", () -> assertNotReached(rule,
                        cachedBasic().request(rule.method(), rule.path().apply(fixtures))))));
    }

    /** Refused by the CSRF check, or (endpoints that only take JSON or a file) by content-type matching before it. */
    private static void assertNotReached(Rule rule, Response response) {
        if (response.statusCode() == 415) {
            return;
        }
        if (rule.peopleOnly()) {
            // Refused before the CSRF check: Basic never writes sources or profiles, so the script hint would mislead.
            assertEquals(403, response.statusCode(), rule + ": " + response.asString());
            assertTrue(response.asString().contains("only by a person signed in"), rule + ": " + response.asString());
            return;
        }
        assertScriptHint(rule, response);
    }

    @Test
    void aForgedPurgeOrUploadChangesNothing() {
        long events = sql.count("SELECT count(*) FROM audit_event");
        long batches = sql.count("SELECT count(*) FROM batch");
        assertEquals(403, cachedBasic().contentType("application/x-www-form-urlencoded").formParam("before", "9999-12-31")
                .post("/api/audit/purge").statusCode());
        assertEquals(403, cachedBasic().multiPart("file", "forged.csv", EndpointTable.uploadCsv().getBytes(StandardCharsets.UTF_8),
                "text/csv").multiPart("operation", "onboard").post("/api/batches").statusCode());
        assertEquals(403, cachedBasic().multiPart("file", "forged.csv", EndpointTable.uploadCsv().getBytes(StandardCharsets.UTF_8),
                "text/csv").multiPart("operation", "onboard").post("/batches").statusCode());
        assertTrue(sql.count("SELECT count(*) FROM audit_event") >= events, "nothing purged");
        assertEquals(batches, sql.count("SELECT count(*) FROM batch"), "nothing uploaded");
    }

    @Test
    void scriptsWithBasicSendTheClientHeaderOrJson() {
        // The header a cross-site page cannot send (it would need a CORS preflight Roster never grants) ...
        cachedBasic().header("X-Roster-Client", "curl").multiPart("file", "script.csv",
                EndpointTable.uploadCsv().getBytes(StandardCharsets.UTF_8), "text/csv").multiPart("operation", "onboard")
                .post("/api/batches").then().statusCode(202);
        cachedBasic().header("X-Roster-Client", "curl").post("/api/batches/" + UUID.randomUUID() + "/discard")
                .then().statusCode(404);
        // ... or a JSON body, which needs the same preflight.
        cachedBasic().contentType("application/json").body("{}").post("/api/users/" + UUID.randomUUID() + "/restore")
                .then().statusCode(404);
        // An empty header value does not count.
        assertScriptHint(null, cachedBasic().header("X-Roster-Client", "").post("/api/users/" + UUID.randomUUID() + "/restore"));
    }

    @Test
    void theTokenIsBoundToTheSession() {
        Browser first = Browser.admin();
        Browser second = Browser.signedIn(admins.create(AdminRole.ADMIN), TestAdmins.PASSWORD);
        String session = second.cookies().get(SessionCookieMechanism.COOKIE);
        Map<String, String> fields = Map.of("email", EndpointTable.fresh("bound"), "name", "Bound", "password",
                "a long enough password", "role", "viewer");
        // Another session's token, sent with that session's own CSRF cookie too.
        assertRefused(null, postAdmin(session, first.cookies().get(CsrfProtection.COOKIE), first.csrfToken(), fields));
        // A CSRF cookie planted (say by a sibling sub-domain) together with its token: matches itself, not the session.
        assertRefused(null, postAdmin(session, FORGED, FORGED, fields));
        assertEquals(0, sql.count("SELECT count(*) FROM admin_account WHERE email = ?", fields.get("email")));
        // The session's own page token works.
        assertEquals(200, postAdmin(session, FORGED, second.csrfToken(), fields).statusCode());
    }

    /** Security review L6: a bearer header exempts a request from CSRF only when no session cookie came with it. */
    @Test
    void aBearerHeaderBesideASessionCookieExemptsNothing() {
        String token = cachedBasic().contentType("application/json").body(Map.of("name", "csrf bearer", "scope", "read-write"))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        String session = Browser.admin().cookies().get(SessionCookieMechanism.COOKIE);
        String discard = "/api/batches/" + UUID.randomUUID() + "/discard";
        // the bearer alone: a script, exempt (and the unknown batch answers 404)
        io.restassured.RestAssured.given().auth().oauth2(token).post(discard).then().statusCode(404);
        // the same with the browser's session cookie: the cookie is ambient, so the CSRF token is required
        assertRefusedForScript(io.restassured.RestAssured.given().auth().oauth2(token)
                .cookie(SessionCookieMechanism.COOKIE, session).post(discard));
    }

    private static void assertRefusedForScript(Response response) {
        assertEquals(403, response.statusCode(), response.asString());
        assertTrue(response.asString().contains("did not come from Roster"), "the CSRF refusal: " + response.asString());
    }

    private static Response postAdmin(String session, String csrfCookie, String token, Map<String, String> fields) {
        RequestSpecification spec = io.restassured.RestAssured.given().redirects().follow(false)
                .cookie(SessionCookieMechanism.COOKIE, session).contentType("application/x-www-form-urlencoded")
                .formParam("csrf-token", token);
        if (csrfCookie != null) {
            spec.cookie(CsrfProtection.COOKIE, csrfCookie);
        }
        fields.forEach(spec::formParam);
        return spec.post("/admins");
    }

    private static RequestSpecification cachedBasic() {
        return io.restassured.RestAssured.given().redirects().follow(false).auth().preemptive()
                .basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD);
    }

    private static void assertScriptHint(Rule rule, Response response) {
        assertEquals(403, response.statusCode(), rule + ": " + response.asString());
        assertTrue(response.asString().contains("X-Roster-Client"), rule + ": tells a script what to add: " + response.asString());
    }

    private enum Sent {
        NOWHERE, AS_THE_PAGE_DOES, HEADER
    }

    private static Response send(Rule rule, Fixtures fixtures, Browser browser, String token, Sent sent) {
        RequestSpecification spec = browser.request();
        boolean field = sent == Sent.AS_THE_PAGE_DOES
                && (rule.body() == EndpointTable.Body.FORM || rule.body() == EndpointTable.Body.MULTIPART_CSV);
        if (token != null && !field) {
            spec.header("X-CSRF-TOKEN", token);
        }
        switch (rule.body()) {
            case FORM -> {
                spec.contentType("application/x-www-form-urlencoded");
                rule.fields().get().forEach(spec::formParam);
                spec.formParam("unused", "");
                if (field) {
                    spec.formParam("csrf-token", token);
                }
            }
            case MULTIPART_CSV -> {
                spec.multiPart("file", "csrf.csv", EndpointTable.uploadCsv().getBytes(StandardCharsets.UTF_8), "text/csv")
                        .multiPart("operation", "onboard");
                if (field) {
                    spec.multiPart("csrf-token", token);
                }
            }
            case JSON -> spec.contentType("application/json").body("{\"confirm\": 1}");
            case NONE -> {
            }
        }
        return spec.request(rule.method(), rule.path().apply(fixtures));
    }

    private static void assertRefused(Rule rule, Response response) {
        assertEquals(403, response.statusCode(), rule + ": " + response.asString());
        assertTrue(response.asString().contains("did not come from Roster"), rule + ": the CSRF refusal, not another 403");
    }
}
