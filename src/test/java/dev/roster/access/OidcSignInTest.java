package dev.roster.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.roster.support.Browser;
import dev.roster.support.KeycloakResource;
import dev.roster.support.OidcBrowser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * Sign-in through a real OIDC provider: the Keycloak that support/KeycloakResource starts for the
 * test run, with the realm in src/test/resources/keycloak (olivia.operator and otto.operator in roster-operators,
 * ada.admin in roster-admins, victor.viewer in roster-viewers, nora.nobody in no group).
 */
@QuarkusTest
class OidcSignInTest {

    private static String roster() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    @Test
    void anOperatorSignsInThroughKeycloakAndOutOfBoth() {
        OidcBrowser browser = new OidcBrowser();
        OidcBrowser.Page login = browser.open(roster() + "/users");
        assertEquals("/login", login.uri().getPath(), "an anonymous page visit still goes to Roster's sign-in page");
        assertTrue(login.body().contains("href=\"/login/oidc?next=%2Fusers\""), "the single sign-on link keeps next");

        OidcBrowser.Page keycloak = browser.open(roster() + "/login/oidc?next=%2Fusers");
        assertTrue(OidcBrowser.isKeycloakSignInForm(keycloak), "Roster sends the browser to Keycloak's form");
        assertTrue(keycloak.uri().toString().startsWith(KeycloakResource.realmUrl()), keycloak.uri().toString());

        OidcBrowser.Page users = browser.signInAtKeycloak(keycloak, "olivia.operator", "olivia-password-1");
        assertEquals(200, users.status(), users.hops() + "\n" + users.body());
        assertEquals(URI.create(roster() + "/users"), users.uri(), "back in Roster, on the page asked for: " + users.hops());
        assertTrue(users.body().contains("<h1>Users</h1>"));
        assertTrue(users.body().contains("Olivia Operator"), "the page names the admin");

        JsonPath me = json(browser.send(HttpRequest.newBuilder(URI.create(roster() + "/api/me")), URI.create(roster() + "/api/me")));
        assertEquals("olivia.operator@example.com", me.getString("email"));
        assertEquals("operator", me.getString("role"));
        assertEquals("oidc", me.getString("authenticatedBy"));
        assertEquals(java.util.List.of("operator", "viewer"), me.getList("roles"), "Keycloak's own roles do not leak in");

        JsonPath signedIn = awaitAudit("/api/audit?email=olivia.operator@example.com&action=admin.signed-in", 1);
        AdminAccount account = account("olivia.operator@example.com");
        assertEquals(AdminAccount.Source.OIDC, account.source);
        assertEquals(AdminRole.OPERATOR, account.role);
        assertNotNull(account.lastSignInAt);
        assertEquals("oidc", signedIn.getString("items[0].details.channel"));
        assertEquals(account.id.toString(), signedIn.getString("items[0].actorId"));

        // An operator action: the role passes (a batch that does not exist is simply not found).
        HttpResponse<String> discard = postWithToken(browser, "/batches/" + UUID.randomUUID() + "/discard");
        assertEquals(404, discard.statusCode(), discard.body());

        // Any page can link to /logout/oidc: followed without POST /logout's ticket it signs nobody out.
        assertEquals("/users", browser.open(roster() + "/logout/oidc").uri().getPath(), "sent home, still signed in");
        assertEquals(200, browser.send(HttpRequest.newBuilder(URI.create(roster() + "/api/me")),
                URI.create(roster() + "/api/me")).statusCode(), "still signed in after a GET of /logout/oidc");

        OidcBrowser.Page signedOut = browser.submit(roster() + "/logout", Map.of("csrf-token", browser.csrfToken()));
        assertEquals("/login", signedOut.uri().getPath(), "signed out via Keycloak: " + signedOut.hops());
        assertTrue(signedOut.uri().getQuery().startsWith("signedOut"), signedOut.uri().toString());
        assertEquals(200, signedOut.status());
        assertTrue(signedOut.hops().stream().anyMatch(u -> u.toString().startsWith(KeycloakResource.realmUrl())),
                "the provider's session ended too: " + signedOut.hops());
        assertEquals(401, browser.send(HttpRequest.newBuilder(URI.create(roster() + "/api/me")),
                URI.create(roster() + "/api/me")).statusCode());
        assertEquals("/login", browser.open(roster() + "/users").uri().getPath());
        assertTrue(OidcBrowser.isKeycloakSignInForm(browser.open(roster() + "/login/oidc")),
                "a new single sign-on asks Keycloak for the password again");
        // Without an OIDC session the logout path just lands on the sign-in page.
        assertEquals("/login", new OidcBrowser().open(roster() + "/logout/oidc").uri().getPath());
    }

    @Test
    void aViewerSignsInAsViewerAndIsRefusedOperatorActions() {
        OidcBrowser browser = signedIn("victor.viewer", "victor-password-1");
        JsonPath me = json(browser.send(HttpRequest.newBuilder(URI.create(roster() + "/api/me")), URI.create(roster() + "/api/me")));
        assertEquals("viewer", me.getString("role"));
        assertEquals("victor.viewer@example.com", me.getString("email"));

        HttpResponse<String> discard = postWithToken(browser, "/batches/" + UUID.randomUUID() + "/discard");
        assertEquals(403, discard.statusCode(), discard.body());
        assertEquals(AdminRole.VIEWER, account("victor.viewer@example.com").role);
    }

    @Test
    void aProviderUserWithoutARosterGroupIsSignedInButAllowedNothing() {
        OidcBrowser browser = new OidcBrowser();
        OidcBrowser.Page keycloak = browser.open(roster() + "/login/oidc?next=%2Fusers");
        OidcBrowser.Page page = browser.signInAtKeycloak(keycloak, "nora.nobody", "nora-password-1");
        assertEquals(403, page.status(), page.hops().toString());
        assertTrue(page.body().contains("Not allowed"));
        JsonPath refused = awaitAudit("/api/audit?actor=nora.nobody@example.com&action=admin.sign-in-failed", 1);
        assertEquals("oidc", refused.getString("items[0].details.channel"));
        assertTrue(refused.getString("items[0].details.reason").startsWith("no Roster role"));
        assertTrue(AdminAccount.findByEmail("nora.nobody@example.com").isEmpty(), "no admin row for a refused user");
    }

    @Test
    void aKeycloakAccessTokenWorksAsABearerTokenOnTheApi() {
        String operatorToken = accessToken("olivia.operator", "olivia-password-1");
        given().auth().oauth2(operatorToken).get("/api/me").then().statusCode(200)
                .body("email", equalTo("olivia.operator@example.com"))
                .body("role", equalTo("operator"))
                .body("authenticatedBy", equalTo("oidc"));
        // No CSRF token needed with an Authorization header; the role decides.
        given().auth().oauth2(operatorToken).post("/api/users/" + UUID.randomUUID() + "/restore").then().statusCode(404);
        given().auth().oauth2(accessToken("victor.viewer", "victor-password-1"))
                .post("/api/users/" + UUID.randomUUID() + "/restore").then().statusCode(403);
        given().auth().oauth2(operatorToken + "x").get("/api/me").then().statusCode(401);
        // Decision 0026 (review 2): an operator's bearer token reads sources but cannot create one or a profile.
        given().auth().oauth2(operatorToken).get("/api/sources").then().statusCode(200);
        given().auth().oauth2(operatorToken).contentType("application/json").body(java.util.Map.of("name", "Bearer source"))
                .post("/api/sources").then().statusCode(403)
                .body("error", org.hamcrest.Matchers.containsString("only by a person signed in"));
        given().auth().oauth2(operatorToken).contentType("application/json").body(java.util.Map.of("name", "Bearer profile"))
                .post("/api/mapping-profiles").then().statusCode(403);
        // Local sign-in keeps working next to OIDC.
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).get("/api/me")
                .then().statusCode(200).body("authenticatedBy", equalTo("basic"));
        java.util.List<String> challenges = given().get("/api/me").then().statusCode(401)
                .extract().headers().getValues("WWW-Authenticate");
        assertTrue(challenges.stream().noneMatch(c -> c.startsWith("Basic")), "no browser prompt: " + challenges);
        assertTrue(challenges.stream().anyMatch(c -> c.startsWith("Bearer")), "OIDC on: bearer tokens are offered too");
        // Roster's API tokens (rst_...) live beside the provider's JWTs: each goes to its own mechanism.
        String rosterToken = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .contentType("application/json").body(Map.of("name", "beside oidc", "scope", "read"))
                .post("/api/tokens").then().statusCode(201).extract().path("token");
        given().auth().oauth2(rosterToken).get("/api/me").then().statusCode(200).body("authenticatedBy", equalTo("token"));
        given().auth().oauth2(rosterToken).get("/scim/v2/Users").then().statusCode(200);
        given().auth().oauth2(operatorToken).get("/scim/v2/Users").then().statusCode(200);
        given().auth().oauth2(rosterToken + "x").get("/api/me").then().statusCode(401);
    }

    /**
     * Issue #23 (High): a provider's bearer token is a machine identity (client credentials, a script's grant) and
     * never approves a batch; the same person signed in through the code flow does.
     */
    @Test
    void aProviderBearerTokenNeverApprovesButTheCodeFlowSignInDoes() {
        String id = dev.roster.support.Batches.upload(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD,
                "email,given_name,family_name\noidc-approve-" + UUID.randomUUID() + "@example.com,A,B\n", "onboard", "o.csv");
        dev.roster.support.Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        given().auth().oauth2(accessToken("otto.operator", "otto-password-1")).post("/api/batches/" + id + "/approve")
                .then().statusCode(403).body("error", org.hamcrest.Matchers.containsString("OIDC bearer token"));
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).get("/api/batches/" + id)
                .then().statusCode(200).body("approvedBy", org.hamcrest.Matchers.nullValue());

        OidcBrowser browser = signedIn("otto.operator", "otto-password-1");
        HttpResponse<String> approved = postWithToken(browser, "/batches/" + id + "/approve");
        assertEquals(303, approved.statusCode(), approved.body());
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).get("/api/batches/" + id)
                .then().statusCode(200).body("approvedByName", equalTo("Otto Operator"));
    }

    /**
     * Issue #23 (Low): the provider demotes an admin (ada leaves roster-admins for roster-viewers); at her next
     * request Roster re-roles her account and revokes the write tokens she minted, audited with the reason.
     */
    @Test
    void anAdminTheProviderDemotesLosesTheWriteTokensTheyMinted() {
        String adminToken = accessToken("ada.admin", "ada-password-1");
        JsonPath minted = given().auth().oauth2(adminToken).contentType("application/json")
                .body(Map.of("name", "ada's script " + UUID.randomUUID(), "scope", "read-write")).post("/api/tokens")
                .then().statusCode(201).extract().jsonPath();
        given().auth().oauth2(minted.getString("token")).get("/api/users").then().statusCode(200);

        String keycloak = KeycloakResource.realmUrl().replace("/realms/" + KeycloakResource.REALM, "");
        String master = given().baseUri(keycloak).port(-1).formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", "admin").formParam("password", "admin")
                .post("/realms/master/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
        String realmAdmin = keycloak + "/admin/realms/" + KeycloakResource.REALM;
        String ada = given().baseUri(realmAdmin).port(-1).auth().oauth2(master).queryParam("username", "ada.admin")
                .queryParam("exact", true).get("/users").then().statusCode(200).extract().path("[0].id");
        JsonPath groups = given().baseUri(realmAdmin).port(-1).auth().oauth2(master).get("/groups").then().statusCode(200)
                .extract().jsonPath();
        given().baseUri(realmAdmin).port(-1).auth().oauth2(master)
                .delete("/users/" + ada + "/groups/" + groups.getString("find { it.name == 'roster-admins' }.id"))
                .then().statusCode(204);
        given().baseUri(realmAdmin).port(-1).auth().oauth2(master)
                .put("/users/" + ada + "/groups/" + groups.getString("find { it.name == 'roster-viewers' }.id"))
                .then().statusCode(204);

        given().auth().oauth2(accessToken("ada.admin", "ada-password-1")).get("/api/me").then().statusCode(200)
                .body("role", equalTo("viewer"));
        given().auth().oauth2(minted.getString("token")).get("/api/users").then().statusCode(401);
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).get("/api/tokens")
                .then().statusCode(200)
                .body("find { it.id == '" + minted.getString("id") + "' }.revokedReason", equalTo("its creator is now viewer"));
    }

    /** Slow (a token lifetime, 60 s for the test client): -Droster.oidc.refresh-test=true. */
    @Test
    @EnabledIfSystemProperty(named = "roster.oidc.refresh-test", matches = "true")
    void anExpiredSessionIsRefreshedWithTheRefreshToken() throws InterruptedException {
        OidcBrowser browser = signedIn("olivia.operator", "olivia-password-1");
        String before = browser.cookies("localhost").get("q_session");
        Thread.sleep(65_000);
        OidcBrowser.Page users = browser.open(roster() + "/users");
        assertEquals(URI.create(roster() + "/users"), users.uri(), "still signed in: " + users.hops());
        assertEquals(200, users.status());
        assertFalse(before.equals(browser.cookies("localhost").get("q_session")), "new tokens in the session cookie");
    }

    private static OidcBrowser signedIn(String username, String password) {
        OidcBrowser browser = new OidcBrowser();
        OidcBrowser.Page keycloak = browser.open(roster() + "/login/oidc?next=%2Fusers");
        OidcBrowser.Page users = browser.signInAtKeycloak(keycloak, username, password);
        assertEquals(200, users.status(), users.hops() + "\n" + users.body());
        assertEquals("/users", users.uri().getPath());
        return browser;
    }

    private static HttpResponse<String> postWithToken(OidcBrowser browser, String path) {
        URI uri = URI.create(roster() + path);
        return browser.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf-token=" + browser.csrfToken())), uri);
    }

    /** Keycloak's direct grant (enabled for the test client only), as a script would get a token. */
    private static String accessToken(String username, String password) {
        return given().baseUri(KeycloakResource.realmUrl()).port(-1).formParam("grant_type", "password")
                .formParam("client_id", KeycloakResource.CLIENT_ID)
                .formParam("client_secret", KeycloakResource.CLIENT_SECRET)
                .formParam("username", username).formParam("password", password).formParam("scope", "openid")
                .post("/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
    }

    private static JsonPath json(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return JsonPath.from(response.body());
    }

    private static AdminAccount account(String email) {
        return AdminAccount.findByEmail(email).orElseThrow();
    }

    /** The sign-in event is written asynchronously, right after the redirect back. */
    private static JsonPath awaitAudit(String path, int total) {
        Browser admin = Browser.admin();
        JsonPath page = admin.get(path).then().statusCode(200).extract().jsonPath();
        for (int i = 0; i < 100 && page.getInt("total") < total; i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            page = admin.get(path).then().statusCode(200).extract().jsonPath();
        }
        assertEquals(total, page.getInt("total"), page.prettify());
        assertFalse(page.prettify().contains("password"), "no password in the trail");
        return page;
    }
}
