package dev.roster.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.support.Browser;
import dev.roster.support.TestAdmins;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

@QuarkusTest
class SignInTest {

    @Inject
    TestAdmins admins;
    @Inject
    BootstrapAdmin bootstrap;

    @Test
    void signInWithTheRightPasswordOpensASessionAndTheUsersPage() {
        Browser browser = Browser.anonymous();
        Response response = browser.postForm("/login", Map.of("email", Browser.BOOTSTRAP_EMAIL,
                "password", Browser.BOOTSTRAP_PASSWORD, "next", "/users"));
        assertEquals(303, response.statusCode());
        assertTrue(response.header("Location").endsWith("/users"));
        String setCookie = String.join("\n", response.headers().getValues("Set-Cookie"));
        assertTrue(setCookie.contains("roster_session="), setCookie);
        assertTrue(setCookie.toLowerCase().contains("httponly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Lax"), setCookie);
        browser.get("/users").then().statusCode(200).body(containsString("<h1>Users</h1>"))
                .body(containsString(Browser.BOOTSTRAP_EMAIL.equals("x") ? "" : "Administrator"));
    }

    @Test
    void aWrongPasswordIsRefusedWithAMessage() {
        Browser browser = Browser.anonymous();
        browser.postForm("/login", Map.of("email", admins.create(AdminRole.VIEWER), "password", "not the password"))
                .then().statusCode(401).body(containsString("Wrong email or password"));
        assertTrue(!browser.cookies().containsKey("roster_session"));
    }

    @Test
    void repeatedFailuresSlowDownEvenTheRightPassword() {
        String email = admins.create(AdminRole.VIEWER);
        Browser browser = Browser.anonymous();
        for (int i = 0; i < 3; i++) {
            browser.postForm("/login", Map.of("email", email, "password", "guess " + i)).then().statusCode(401);
        }
        browser.postForm("/login", Map.of("email", email, "password", TestAdmins.PASSWORD))
                .then().statusCode(429).body(containsString("Too many failed attempts"));
        // The API's HTTP Basic meets the same slow-down.
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).get("/api/me").then().statusCode(401);
    }

    @Test
    void signOutEndsTheSession() {
        Browser browser = Browser.admin();
        String session = browser.cookies().get("roster_session");
        browser.postForm("/logout", Map.of()).then().statusCode(303).header("Location", containsString("/login"));
        given().redirects().follow(false).cookie("roster_session", session).get("/users")
                .then().statusCode(303).header("Location", containsString("/login"));
    }

    @Test
    @Transactional
    void theBootstrapAdminIsCreatedOnceAndARestartNeitherDuplicatesNorResetsIt() {
        AdminAccount before = AdminAccount.findByEmail(Browser.BOOTSTRAP_EMAIL).orElseThrow();
        String hash = before.passwordHash;
        bootstrap.onStart(null);
        assertEquals(1, AdminAccount.count("lower(email) = ?1", Browser.BOOTSTRAP_EMAIL));
        AdminAccount after = AdminAccount.findByEmail(Browser.BOOTSTRAP_EMAIL).orElseThrow();
        assertEquals(hash, after.passwordHash);
        assertEquals(AdminRole.ADMIN, after.role);
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
    }

    @Test
    void apiMeShowsTheAdminAndRolesOverBasic() {
        String email = admins.create(AdminRole.OPERATOR);
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).get("/api/me")
                .then().statusCode(200).body("email", equalTo(email)).body("role", equalTo("operator"))
                .body("roles", hasItems("viewer", "operator")).body("authenticatedBy", equalTo("basic"));
    }

    @Test
    void anAnonymousPageRequestGoesToSignInAndAnAnonymousApiCallGets401() {
        given().redirects().follow(false).get("/users").then().statusCode(303)
                .header("Location", containsString("/login?next=%2Fusers"));
        // A challenge a browser does not answer with a password prompt: no Basic credentials get cached (issue #12).
        given().get("/api/users").then().statusCode(401).header("WWW-Authenticate", equalTo("Roster-Basic realm=\"Roster\""))
                .body("error", containsString("Sign in"));
        given().auth().preemptive().basic("nobody@test.roster", "wrong password!").get("/api/users")
                .then().statusCode(401);
    }

    @Test
    void aViewerIsRefusedOperatorAndAdminActions() {
        Browser viewer = Browser.signedIn(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD);
        viewer.get("/users").then().statusCode(200);
        viewer.get("/admins").then().statusCode(403).body(containsString("Not allowed"));
        viewer.postForm("/admins", Map.of("email", "x@test.roster", "password", "long enough password", "role", "admin"))
                .then().statusCode(403);
    }

    @Test
    void aFormPostWithoutCsrfTokenIsRefused() {
        Browser admin = Browser.admin();
        String email = "csrf-" + System.nanoTime() + "@test.roster";
        admin.postFormWithoutToken("/admins", Map.of("email", email, "password", "long enough password", "role", "admin"))
                .then().statusCode(403).body(containsString("Form expired"));
        assertTrue(AdminAccount.findByEmail(email).isEmpty());
        // With the token the same form works.
        admin.postForm("/admins", Map.of("email", email, "password", "long enough password", "role", "viewer"))
                .then().statusCode(200).body(containsString("Added " + email));
        assertNotNull(AdminAccount.findByEmail(email).orElse(null));
    }

    @Test
    void anAdminChangesRolesAndDisablesAdmins() {
        Browser admin = Browser.admin();
        String email = admins.create(AdminRole.VIEWER);
        AdminAccount target = AdminAccount.findByEmail(email).orElseThrow();
        admin.postForm("/admins/" + target.id + "/role", Map.of("role", "operator")).then().statusCode(303);
        assertEquals(AdminRole.OPERATOR, QuarkusTransaction.requiringNew()
                .call(() -> AdminAccount.findByEmail(email).orElseThrow().role));
        admin.postForm("/admins/" + target.id + "/enabled", Map.of("enabled", "false")).then().statusCode(303);
        given().auth().preemptive().basic(email, TestAdmins.PASSWORD).get("/api/me").then().statusCode(401);
    }
}
