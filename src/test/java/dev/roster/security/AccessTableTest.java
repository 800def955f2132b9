package dev.roster.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.roster.access.AdminRole;
import dev.roster.reset.ResettableTokenGuessThrottle;
import dev.roster.security.EndpointTable.Caller;
import dev.roster.security.EndpointTable.Fixtures;
import dev.roster.security.EndpointTable.Rule;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Every page and API endpoint, called by every kind of caller (anonymous, viewer, operator,
 * admin), answers what {@link EndpointTable} says: the handler's status when the role is enough,
 * 303 to the sign-in page (pages) or 401 (API) for anonymous callers, 403 otherwise. Pages are
 * called with a session cookie and its CSRF token, the API with HTTP Basic.
 */
@QuarkusTest
class AccessTableTest {

    @Inject
    TestAdmins admins;
    @Inject
    ResettableTokenGuessThrottle throttle;
    @Inject
    Sql sql;

    @AfterEach
    void forgetBadTokens() {
        throttle.clear();
    }

    @Test
    void everyEndpointOfTheAppHasARule() {
        TreeSet<String> found = EndpointTable.endpointsOfTheApp();
        List<String> keys = EndpointTable.RULES.stream().map(Rule::key).toList();
        Set<String> ruled = new TreeSet<>(keys);
        assertEquals(keys.size(), ruled.size(), "one rule per endpoint: " + keys);
        Set<String> missing = new TreeSet<>(found);
        missing.removeAll(ruled);
        Set<String> stale = new TreeSet<>(ruled);
        stale.removeAll(found);
        assertTrue(missing.isEmpty(), "endpoints without a rule in EndpointTable: " + missing);
        assertTrue(stale.isEmpty(), "rules for endpoints the app no longer has: " + stale);
        assertTrue(found.size() > 50, "the scan found the resources: " + found);
    }

    @Test
    void probesMetricsAndStaticFilesArePublic() {
        for (String path : EndpointTable.PUBLIC_NON_RESOURCE_PATHS) {
            assertEquals(200, given().redirects().follow(false).get(path).statusCode(), path);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCallerGetsWhatTheTableSays() {
        Fixtures fixtures = EndpointTable.fixtures(sql);
        Map<Caller, String> emails = new EnumMap<>(Caller.class);
        emails.put(Caller.VIEWER, admins.create(AdminRole.VIEWER));
        emails.put(Caller.OPERATOR, admins.create(AdminRole.OPERATOR));
        emails.put(Caller.ADMIN, admins.create(AdminRole.ADMIN));
        Map<Caller, Browser> sessions = new HashMap<>();
        return EndpointTable.RULES.stream().flatMap(rule -> Stream.of(Caller.values()).map(caller -> dynamicTest(
                rule + " as " + caller, () -> {
                    Browser browser = sessions.computeIfAbsent(caller, c -> c == Caller.ANONYMOUS ? Browser.anonymous()
                            : Browser.signedIn(emails.get(c), TestAdmins.PASSWORD));
                    Response response = call(rule, fixtures, rule.api() && (!rule.peopleOnly() || caller == Caller.ANONYMOUS) ? null : browser,
                            caller == Caller.ANONYMOUS ? null : emails.get(caller));
                    if (rule.key().equals("POST /logout")) {
                        sessions.remove(caller); // signed out: the next rule signs in again
                    }
                    check(rule, caller, response);
                })));
    }

    static void check(Rule rule, Caller caller, Response response) {
        String what = rule + " as " + caller + " answered " + response.statusCode() + " " + response.header("Location");
        if (rule.access() == EndpointTable.Access.OIDC_CODE_FLOW) {
            assertEquals(rule.allowed(), response.statusCode(), what);
        } else if (caller.reaches(rule.access())) {
            assertEquals(rule.allowed(), response.statusCode(), what + ": " + abbreviated(response));
            if (rule.key().equals("GET /")) {
                assertEquals("/users", path(response.header("Location")), what);
            }
        } else if (caller == Caller.ANONYMOUS && rule.api()) {
            assertEquals(401, response.statusCode(), what);
            assertTrue(response.header("WWW-Authenticate") != null, what + ": a challenge");
        } else if (caller == Caller.ANONYMOUS) {
            assertEquals(303, response.statusCode(), what);
            assertTrue(path(response.header("Location")).startsWith("/login"), what);
        } else {
            assertEquals(403, response.statusCode(), what + ": " + abbreviated(response));
        }
    }

    /** Calls a rule's endpoint: pages through a signed-in (or anonymous) browser, the API with HTTP Basic. */
    static Response call(Rule rule, Fixtures fixtures, Browser browser, String basicEmail) {
        RequestSpecification spec;
        if (browser != null) {
            spec = browser.request();
            if (!rule.method().equals("GET")) {
                spec.header("X-CSRF-TOKEN", browser.csrfToken());
            }
        } else {
            spec = given().redirects().follow(false);
            if (basicEmail != null) {
                spec.auth().preemptive().basic(basicEmail, TestAdmins.PASSWORD).header("X-Roster-Client", "test");
            }
        }
        body(rule, spec);
        return spec.request(rule.method(), rule.path().apply(fixtures));
    }

    static void body(Rule rule, RequestSpecification spec) {
        switch (rule.body()) {
            case FORM -> {
                spec.contentType("application/x-www-form-urlencoded");
                Map<String, String> fields = rule.fields().get();
                fields.forEach(spec::formParam);
                if (fields.isEmpty()) {
                    spec.formParam("unused", "");
                }
            }
            case MULTIPART_CSV -> spec.multiPart("file", "access-table.csv",
                    EndpointTable.uploadCsv().getBytes(StandardCharsets.UTF_8), "text/csv").multiPart("operation", "onboard");
            case JSON -> spec.contentType("application/json").body("{\"confirm\": 1}");
            case NONE -> {
            }
        }
    }

    private static String path(String location) {
        return location == null ? "" : location.replaceFirst("^https?://[^/]+", "");
    }

    private static String abbreviated(Response response) {
        String body = response.asString();
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
