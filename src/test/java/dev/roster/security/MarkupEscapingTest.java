package dev.roster.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Markup, script and Qute-looking text in every free-text user field, uploaded through the API
 * like any CSV, shows as text on every page that shows it: the users list, the user page, the
 * batch diff, the confirm page, the audit page, the Sent mail pages and the mail body.
 */
@QuarkusTest
class MarkupEscapingTest {

    static final String SCRIPT = "<script>alert(1)</script>";
    static final String BREAKOUT = "\"><img src=x onerror=alert(1)>";
    static final String QUTE = "{inject:pageCsrf.token}";
    static final String SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";
    static final String BREAKOUT_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;";
    /** What must never reach a page as markup. */
    static final List<String> LIVE = List.of("<script>alert", "<img src=x", "onerror=alert(1)>");

    @Inject
    Sql sql;

    @Test
    void payloadsInEveryUserFieldRenderAsTextOnEveryPage() {
        String m = "xss" + System.nanoTime();
        String email = m + "@example.org";
        String admin = Browser.BOOTSTRAP_EMAIL;
        String password = Browser.BOOTSTRAP_PASSWORD;
        // Every free-text column gets a payload; an invalid row (its email) carries one into the error messages.
        String onboard = "email,external_id,username,given_name,family_name,display_name,department,title,attr.note,send_invite\n"
                + email + "," + csv(m + BREAKOUT) + "," + csv(m + SCRIPT) + "," + csv(SCRIPT) + "," + csv(BREAKOUT) + ","
                + csv(SCRIPT + " " + QUTE) + "," + csv(BREAKOUT) + "," + csv(QUTE) + "," + csv(SCRIPT + BREAKOUT + QUTE)
                + ",true\n"
                + csv(SCRIPT + "@example.org") + ",,,Bad,Row,,,,,false\n";
        String onboardId = Batches.upload(admin, password, onboard, "onboard", "markup.csv");
        JsonPath planned = Batches.awaitPlanned(admin, password, onboardId);
        assertEquals(1, planned.getInt("summary.create"), "every payload field was accepted: " + planned.prettify());
        assertEquals(1, planned.getInt("summary.error"));

        Browser browser = Browser.admin();
        String diff = page(browser, "/batches/" + onboardId, "kind", "all");
        assertShown(diff, SCRIPT_ESCAPED, BREAKOUT_ESCAPED, QUTE);
        String confirm = page(browser, "/batches/" + onboardId + "/confirm");
        assertShown(confirm, SCRIPT_ESCAPED, BREAKOUT_ESCAPED, QUTE);
        assertShown(page(browser, "/batches/" + onboardId, "kind", "error"), SCRIPT_ESCAPED);

        given().auth().preemptive().basic(admin, password).contentType("application/json")
                .body("{\"confirm\": 1, \"skipErrors\": true}").post("/api/batches/" + onboardId + "/apply")
                .then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(admin, password, onboardId).getString("status"));
        UUID user = (UUID) sql.rows("SELECT id FROM directory_user WHERE email = ?", email).get(0).get("id");

        // An update puts payloads on both sides of a change: before and after in the diff and the audit.
        String updateId = Batches.upload(admin, password, "email,title,department\n" + email + "," + csv(SCRIPT) + ","
                + csv(QUTE + BREAKOUT) + "\n", "update", "markup-update.csv");
        Batches.awaitPlanned(admin, password, updateId);
        assertShown(page(browser, "/batches/" + updateId, "kind", "update"), SCRIPT_ESCAPED, BREAKOUT_ESCAPED, QUTE);
        assertShown(page(browser, "/batches/" + updateId + "/confirm"), SCRIPT_ESCAPED, BREAKOUT_ESCAPED, QUTE);
        Batches.uploadAndApply(admin, password, "email,title\n" + email + "," + csv(SCRIPT) + "\n", "update");

        UUID mail = (UUID) sql.rows("SELECT id FROM mail_outbox WHERE user_id = ? AND kind = 'INVITE'", user).get(0).get("id");
        assertShown(page(browser, "/users", "q", m), SCRIPT_ESCAPED, BREAKOUT_ESCAPED);
        assertShown(page(browser, "/users/" + user), SCRIPT_ESCAPED, BREAKOUT_ESCAPED, QUTE);
        assertShown(page(browser, "/audit", "email", email), SCRIPT_ESCAPED, QUTE);
        assertShown(page(browser, "/audit/fragment", "user", user.toString()), SCRIPT_ESCAPED, QUTE);
        assertShown(page(browser, "/mail", "recipient", m), email);
        assertShown(page(browser, "/mail/" + mail), SCRIPT_ESCAPED);
        assertShown(page(browser, "/mail/" + mail + "/body"), SCRIPT_ESCAPED);
        assertShown(page(browser, "/mail/fragment", "user", user.toString()), email);
        // Reflected input: the filter boxes echo what was typed.
        String typed = BREAKOUT + SCRIPT + QUTE;
        assertShown(page(browser, "/users", "q", typed), BREAKOUT_ESCAPED, SCRIPT_ESCAPED, QUTE);
        assertShown(page(browser, "/batches/" + onboardId, "q", typed), BREAKOUT_ESCAPED, SCRIPT_ESCAPED, QUTE);
        assertShown(page(browser, "/audit", "actor", typed), BREAKOUT_ESCAPED, SCRIPT_ESCAPED, QUTE);
        assertShown(page(browser, "/mail", "recipient", typed), BREAKOUT_ESCAPED, SCRIPT_ESCAPED, QUTE);
        // The same through htmx: fragments escape too.
        assertShown(browser.request().header("HX-Request", "true").queryParam("q", m).get("/users").then().statusCode(200)
                .extract().asString(), SCRIPT_ESCAPED);
        assertShown(browser.htmxGet("/batches/" + onboardId + "?kind=all").then().statusCode(200).extract().asString(),
                SCRIPT_ESCAPED, BREAKOUT_ESCAPED, QUTE);
    }

    /** GETs a page with query parameters given as name, value pairs (sent URL-encoded, once). */
    private static String page(Browser browser, String path, String... query) {
        RequestSpecification spec = browser.request();
        for (int i = 0; i < query.length; i += 2) {
            spec.queryParam(query[i], query[i + 1]);
        }
        String html = spec.get(path).then().statusCode(200).extract().asString();
        for (String live : LIVE) {
            assertFalse(html.contains(live), path + " has live markup " + live);
        }
        return html;
    }

    private static void assertShown(String html, String... escaped) {
        for (String live : LIVE) {
            assertFalse(html.contains(live), "live markup " + live);
        }
        for (String e : escaped) {
            assertTrue(html.contains(e), "shows " + e + " as text in:\n" + html);
        }
    }

    private static String csv(String cell) {
        return "\"" + cell.replace("\"", "\"\"") + "\"";
    }

}
