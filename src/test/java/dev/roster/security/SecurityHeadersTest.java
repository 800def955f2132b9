package dev.roster.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.reset.PublicPageHeaders;
import dev.roster.reset.ResettableTokenGuessThrottle;
import dev.roster.security.EndpointTable.Fixtures;
import dev.roster.security.EndpointTable.Rule;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Every page (each GET of the endpoint table, as an admin) carries the security headers: a CSP
 * that allows no inline or eval'd script and no framing, nosniff, a Referrer-Policy; the session
 * and CSRF cookies are HttpOnly, SameSite and scoped to the site.
 */
@QuarkusTest
class SecurityHeadersTest {

    @Inject
    Sql sql;
    @Inject
    ResettableTokenGuessThrottle throttle;

    @AfterEach
    void forgetBadTokens() {
        throttle.clear();
    }

    @Test
    void everyPageAndApiAnswerCarriesTheSecurityHeaders() {
        Fixtures fixtures = EndpointTable.fixtures(sql);
        Browser admin = Browser.admin();
        List<String> checked = new ArrayList<>();
        for (Rule rule : EndpointTable.RULES) {
            if (!rule.method().equals("GET") || rule.access() == EndpointTable.Access.OIDC_CODE_FLOW) {
                continue;
            }
            String path = rule.path().apply(fixtures);
            Response response = rule.api()
                    ? given().redirects().follow(false).auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL,
                            Browser.BOOTSTRAP_PASSWORD).get(path)
                    : admin.request().get(path);
            String what = rule + " (" + response.statusCode() + ")";
            assertEquals("nosniff", response.header("X-Content-Type-Options"), what);
            assertNotNull(response.header("Referrer-Policy"), what);
            String csp = response.header("Content-Security-Policy");
            assertNotNull(csp, what);
            assertEquals(1, response.headers().getList("Content-Security-Policy").size(), what + ": one CSP");
            String scripts = directive(csp, "script-src", directive(csp, "default-src", ""));
            assertFalse(scripts.contains("'unsafe-inline'") || scripts.contains("'unsafe-eval'") || scripts.contains("*"),
                    what + ": " + csp);
            if (rule.template().equals("/mail/{id}/body")) {
                // A mail body is framed by Roster's own mail page, sandboxed, and may run nothing at all.
                assertEquals(PublicPageHeaders.MAIL_BODY_CSP, csp, what);
                assertEquals("no-referrer", response.header("Referrer-Policy"), what);
            } else {
                assertEquals("'none'", directive(csp, "frame-ancestors", ""), what + ": " + csp);
                assertEquals("DENY", response.header("X-Frame-Options"), what);
                assertTrue(csp.contains("object-src 'none'") && csp.contains("base-uri 'self'"), what + ": " + csp);
                String expectedReferrer = rule.template().startsWith("/reset/") || rule.template().startsWith("/invite/")
                        || PublicPageHeaders.SELF_SERVICE_PATHS.contains(rule.template()) ? "no-referrer" : "same-origin";
                assertEquals(expectedReferrer, response.header("Referrer-Policy"), what);
            }
            if (response.contentType().startsWith("text/html")) {
                assertFalse(response.asString().toLowerCase(Locale.ROOT).matches("(?s).*<script(?![^>]*\\ssrc=)[^>]*>.*"),
                        what + ": no inline script element");
            }
            checked.add(rule.key());
        }
        assertTrue(checked.size() > 30, "checked " + checked);
    }

    @Test
    void theSessionAndCsrfCookiesAreHttpOnlySameSiteAndSiteWide() {
        Response loginPage = given().redirects().follow(false).get("/login");
        String csrf = setCookie(loginPage, "roster-csrf");
        assertCookie(csrf, "SameSite=Strict");
        String token = loginPage.getCookie("roster-csrf");

        Response signIn = given().redirects().follow(false).cookie("roster-csrf", token)
                .contentType("application/x-www-form-urlencoded").formParams(Map.of("email", Browser.BOOTSTRAP_EMAIL,
                        "password", Browser.BOOTSTRAP_PASSWORD, "csrf-token", token, "next", "/users"))
                .post("/login");
        assertEquals(303, signIn.statusCode());
        String session = setCookie(signIn, "roster_session");
        assertCookie(session, "SameSite=Lax");
        assertTrue(session.matches("(?i).*;\\s*Max-Age=\\d+.*"), session);
        // Secure is set whenever roster.local-mode=false (production); the tests run in local mode over plain HTTP.
        assertFalse(session.toLowerCase(Locale.ROOT).contains("secure"), "local mode: " + session);

        // Signed in, the token is bound to the session (issue #12): the page's, not the pre-sign-in cookie's.
        String page = given().cookie("roster_session", signIn.getCookie("roster_session")).get("/users").asString();
        java.util.regex.Matcher meta = java.util.regex.Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\">")
                .matcher(page);
        assertTrue(meta.find(), "the page carries the token");
        Response signOut = given().redirects().follow(false).cookie("roster-csrf", token)
                .cookie("roster_session", signIn.getCookie("roster_session"))
                .contentType("application/x-www-form-urlencoded").formParam("csrf-token", meta.group(1)).post("/logout");
        assertEquals(303, signOut.statusCode());
        String cleared = setCookie(signOut, "roster_session");
        assertTrue(cleared.matches("(?i).*Max-Age=0.*"), "sign-out removes the cookie: " + cleared);
        assertEquals(303, given().redirects().follow(false).cookie("roster_session", signIn.getCookie("roster_session"))
                .get("/users").statusCode(), "the old session no longer signs in");
    }

    private static void assertCookie(String header, String sameSite) {
        assertTrue(header.matches("(?i).*;\\s*HttpOnly.*"), header);
        assertTrue(header.matches("(?i).*;\\s*Path=/(;.*|$)"), header);
        assertTrue(header.toLowerCase(Locale.ROOT).contains(sameSite.toLowerCase(Locale.ROOT)), header);
        assertFalse(header.matches("(?i).*;\\s*Domain=.*"), "host-only: " + header);
    }

    private static String setCookie(Response response, String name) {
        return response.headers().getList("Set-Cookie").stream().map(h -> h.getValue())
                .filter(v -> v.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no Set-Cookie " + name + " in " + response.headers()));
    }

    private static String directive(String csp, String name, String otherwise) {
        for (String part : csp.split(";")) {
            String p = part.trim();
            if (p.startsWith(name + " ")) {
                return p.substring(name.length()).trim();
            }
        }
        return otherwise;
    }
}
