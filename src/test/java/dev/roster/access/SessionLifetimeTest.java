package dev.roster.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** A session ends at its absolute lifetime (roster.session.max-lifetime, 12 h) however busy it is. */
@QuarkusTest
class SessionLifetimeTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    @Test
    void aBusySessionEndsTwelveHoursAfterSignIn() {
        String email = admins.create(AdminRole.VIEWER);
        Browser browser = Browser.signedIn(email, TestAdmins.PASSWORD);
        assertEquals(200, browser.get("/users").statusCode());
        // Used a minute ago, but opened 12 h and a minute ago.
        sql.update("""
                UPDATE admin_session SET created_at = now() - interval '12 hours 1 minute', last_seen_at = now() - interval '1 minute'
                 WHERE admin_id = (SELECT id FROM admin_account WHERE email = ?)""", email);
        Response page = browser.get("/users");
        assertEquals(303, page.statusCode());
        assertTrue(page.header("Location").contains("/login"), page.header("Location"));
        assertEquals(0, sql.count("""
                SELECT count(*) FROM admin_session WHERE admin_id = (SELECT id FROM admin_account WHERE email = ?)""", email));
    }

    @Test
    void theSessionCookieLivesNoLongerThanTheSession() {
        Browser browser = Browser.anonymous();
        Response response = browser.request().contentType("application/x-www-form-urlencoded")
                .formParam("csrf-token", browser.csrfToken()).formParam("email", admins.create(AdminRole.VIEWER))
                .formParam("password", TestAdmins.PASSWORD).post("/login");
        assertEquals(303, response.statusCode());
        assertEquals(12 * 3600, response.getDetailedCookie(SessionCookieMechanism.COOKIE).getMaxAge());
    }
}
