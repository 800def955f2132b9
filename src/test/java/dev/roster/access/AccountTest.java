package dev.roster.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** The Account page and POST /api/me/password: an admin changes their own password; the generated one must go. */
@QuarkusTest
class AccountTest {

    private static final String NEW_PASSWORD = "a quiet meadow under seven moons";

    @Inject
    TestAdmins admins;
    @Inject
    BootstrapAdmin bootstrap;
    @Inject
    AdminSessionStore sessions;
    @Inject
    Sql sql;

    @Test
    void aWrongCurrentPasswordIsRefusedAndCountsForTheSignInThrottle() {
        String email = admins.create(AdminRole.VIEWER);
        Browser browser = Browser.signedIn(email, TestAdmins.PASSWORD);
        for (int i = 0; i < 3; i++) {
            browser.postForm("/account", Map.of("current", "not my password " + i, "password", NEW_PASSWORD,
                    "confirm", NEW_PASSWORD)).then().statusCode(403).body(containsString("current password is not right"));
        }
        // The throttle now holds the account: even the right current password waits, and nothing changed.
        browser.postForm("/account", Map.of("current", TestAdmins.PASSWORD, "password", NEW_PASSWORD,
                "confirm", NEW_PASSWORD)).then().statusCode(429).body(containsString("Wait"));
        given().auth().preemptive().basic(email, NEW_PASSWORD).get("/api/me").then().statusCode(401);
    }

    @Test
    void aWeakPasswordIsRefusedWithThePolicysMessage() {
        String email = admins.create(AdminRole.OPERATOR);
        Browser browser = Browser.signedIn(email, TestAdmins.PASSWORD);
        browser.postForm("/account", Map.of("current", TestAdmins.PASSWORD, "password", "short", "confirm", "short"))
                .then().statusCode(400).body(containsString("Use at least 12 characters (this one has 5)."));
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("currentPassword", TestAdmins.PASSWORD, "newPassword", "1qaz2wsx3edc"))
                .post("/api/me/password").then().statusCode(400)
                .body("problems", hasItem(containsString("too common")));
        browser.postForm("/account", Map.of("current", TestAdmins.PASSWORD, "password", NEW_PASSWORD,
                "confirm", NEW_PASSWORD + "x")).then().statusCode(400).body(containsString("not the same"));
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).get("/api/me").then().statusCode(200);
    }

    @Test
    void aChangeEndsTheOtherSessionsKeepsThisOneAndIsAudited() {
        String email = admins.create(AdminRole.ADMIN);
        Browser here = Browser.signedIn(email, TestAdmins.PASSWORD);
        Browser elsewhere = Browser.signedIn(email, TestAdmins.PASSWORD);
        here.get("/account").then().statusCode(200).body(containsString("Change your password"))
                .body(containsString("href=\"/account\""));
        here.postForm("/account", Map.of("current", TestAdmins.PASSWORD, "password", NEW_PASSWORD,
                "confirm", NEW_PASSWORD)).then().statusCode(303).header("Location", containsString("/account?changed=1"));
        here.get("/account?changed=1").then().statusCode(200).body(containsString("Your password is changed"));
        here.get("/users").then().statusCode(200);
        elsewhere.get("/users").then().statusCode(303).header("Location", containsString("/login"));
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).get("/api/me").then().statusCode(401);
        given().auth().preemptive().basic(email, NEW_PASSWORD).get("/api/me").then().statusCode(200);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'admin.password-changed' "
                + "AND target_email = ? AND details::jsonb->>'channel' = 'page'", email));
        assertTrue(sql.rows("SELECT password_hash FROM admin_account WHERE email = ?", email).get(0)
                .get("password_hash").toString().startsWith("$argon2id$"));
    }

    @Test
    void theApiChangesTheCallersOwnPasswordAndEndsTheirSessions() {
        String email = admins.create(AdminRole.VIEWER);
        Browser session = Browser.signedIn(email, TestAdmins.PASSWORD);
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("currentPassword", "wrong password here", "newPassword", NEW_PASSWORD))
                .post("/api/me/password").then().statusCode(403).body("error", containsString("not right"));
        session.get("/users").then().statusCode(200);
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("currentPassword", TestAdmins.PASSWORD, "newPassword", NEW_PASSWORD))
                .post("/api/me/password").then().statusCode(200);
        session.get("/users").then().statusCode(303);
        given().auth().preemptive().basic(email, NEW_PASSWORD).get("/api/me").then().statusCode(200);
    }

    @Test
    void theBootstrapAdminWithAGeneratedPasswordMustChangeItFirst() {
        String email = "generated-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        String generated = bootstrap.create(email, Optional.empty()).orElseThrow();
        assertTrue(bootstrap.create(email, Optional.empty()).isEmpty(), "created once");
        Browser browser = heldOnTheAccountPage(email, generated, "Roster generated your password");
        browser.postForm("/account", Map.of("current", generated, "password", NEW_PASSWORD, "confirm", NEW_PASSWORD))
                .then().statusCode(303);
        browser.get("/users").then().statusCode(200);
        browser.get("/account").then().statusCode(200).body(not(containsString("Roster generated your password")));
        given().auth().preemptive().basic(email, NEW_PASSWORD).get("/api/users").then().statusCode(200);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'admin.password-changed' "
                + "AND target_email = ? AND details::jsonb->>'required' = 'true'", email));
    }

    @Test
    void anAdminAddedWithAWeakPasswordIsRefusedWithThePolicysMessage() {
        String email = "weak-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        Browser admin = Browser.admin();
        admin.postForm("/admins", Map.of("email", email, "name", "Weak One", "password", "short", "role", "viewer"))
                .then().statusCode(400).body(containsString("Use at least 12 characters (this one has 5)."));
        admin.postForm("/admins", Map.of("email", email, "name", "Weak One", "password", "1qaz2wsx3edc", "role", "admin"))
                .then().statusCode(400).body(containsString("This password is too common"));
        String local = email.substring(0, email.indexOf('@'));
        admin.postForm("/admins", Map.of("email", email, "name", "Weak One", "password", local + " and more", "role", "admin"))
                .then().statusCode(400).body(containsString("Do not use your email address"));
        admin.postForm("/admins", Map.of("email", email, "name", "Weak Person Here", "password", "Weak Person Here",
                "role", "admin")).then().statusCode(400).body(containsString("Do not use your name."));
        assertEquals(0, sql.count("SELECT count(*) FROM admin_account WHERE email = ?", email));
        admin.get("/admins").then().statusCode(200).body(containsString("not one of the passwords most often found in leaks"));
    }

    @Test
    void anAdminAddedByAnotherMustChooseTheirOwnPasswordAtFirstSignIn() {
        String email = "added-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        String chosenByAdmin = "violet harbour lanterns nine";
        Browser.admin().postForm("/admins", Map.of("email", email, "name", "Added One", "password", chosenByAdmin,
                "role", "admin")).then().statusCode(200).body(containsString("Added " + email));
        assertEquals(1, sql.count("SELECT count(*) FROM admin_account WHERE email = ? AND must_change_password", email));

        Browser browser = heldOnTheAccountPage(email, chosenByAdmin, "the admin who added your account chose it");
        // Keeping the admin's choice is not a change.
        browser.postForm("/account", Map.of("current", chosenByAdmin, "password", chosenByAdmin, "confirm", chosenByAdmin))
                .then().statusCode(400).body(containsString("different from the current one"));
        browser.get("/users").then().statusCode(303);

        browser.postForm("/account", Map.of("current", chosenByAdmin, "password", NEW_PASSWORD, "confirm", NEW_PASSWORD))
                .then().statusCode(303);
        browser.get("/users").then().statusCode(200);
        given().auth().preemptive().basic(email, NEW_PASSWORD).get("/api/users").then().statusCode(200);
        given().auth().preemptive().basic(email, chosenByAdmin).get("/api/me").then().statusCode(401);
        assertEquals(0, sql.count("SELECT count(*) FROM admin_account WHERE email = ? AND must_change_password", email));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'admin.password-changed' "
                + "AND target_email = ? AND details::jsonb->>'required' = 'true'", email));
    }

    /** Signs in and checks the admin is held: pages redirect to /account (which says why), the API answers 403. */
    private static Browser heldOnTheAccountPage(String email, String password, String why) {
        Browser browser = Browser.signedIn(email, password);
        for (String page : new String[] { "/users", "/batches", "/audit", "/admins", "/" }) {
            browser.get(page).then().statusCode(303).header("Location", containsString("/account"));
        }
        browser.get("/account").then().statusCode(200).body(containsString(why));
        Response api = given().auth().preemptive().basic(email, password).get("/api/users");
        assertEquals(403, api.statusCode());
        assertTrue(api.jsonPath().getString("error").contains("Change your password first"), api.asString());
        return browser;
    }

    @Test
    void anOidcAdminIsToldTheirPasswordIsTheProviders() {
        String email = "oidc-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        UUID id = UUID.randomUUID();
        sql.update("INSERT INTO admin_account (id, email, display_name, role, source) VALUES (?, ?, 'Oidc Admin', 'VIEWER', 'OIDC')",
                id, email);
        String token = sessions.open(id, "127.0.0.1", "test");
        given().redirects().follow(false).cookie(SessionCookieMechanism.COOKIE, token).get("/account")
                .then().statusCode(200).body(containsString("managed by your single sign-on provider"))
                .body(not(containsString("name=\"current\"")));
    }
}
