package dev.roster.directory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.opencsv.CSVReader;

import dev.roster.access.AdminRole;
import dev.roster.plan.UserStatus;
import dev.roster.support.Browser;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

@QuarkusTest
class DirectoryTest {

    @Inject
    TestAdmins admins;
    @Inject
    Users users;

    /** Writes directory users for a test; each test uses its own marker in emails. */
    @jakarta.enterprise.context.ApplicationScoped
    static class Users {
        @Transactional
        DirectoryUser create(String email, UserStatus status, String department, Map<String, String> attributes) {
            DirectoryUser u = new DirectoryUser();
            u.id = UUID.randomUUID();
            u.email = email;
            u.externalId = "X-" + u.id.toString().substring(0, 8);
            u.username = email.substring(0, email.indexOf('@'));
            u.givenName = "Zoë";
            u.familyName = "Łukasiewicz";
            u.displayName = "Zoë Ł.";
            u.phone = "+442071234567";
            u.department = department;
            u.title = "Engineer";
            u.locale = "pl-PL";
            u.status = status;
            u.attributes = new HashMap<>(attributes);
            u.createdAt = Instant.now();
            u.updatedAt = u.createdAt;
            u.persist();
            return u;
        }
    }

    @Test
    void searchFiltersByTextAndStatusAndPagesOnTheServer() {
        String marker = "srch" + System.nanoTime();
        for (int i = 0; i < 23; i++) {
            users.create(marker + "-" + i + "@example.com", i % 2 == 0 ? UserStatus.ACTIVE : UserStatus.SUSPENDED,
                    "Sales", Map.of());
        }
        String viewer = admins.create(AdminRole.VIEWER);
        given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD)
                .get("/api/users?q=" + marker + "&size=10&page=3")
                .then().statusCode(200).body("total", equalTo(23)).body("page", equalTo(3)).body("size", equalTo(10))
                .body("items", hasSize(3));
        given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD)
                .get("/api/users?q=" + marker.toUpperCase() + "&status=SUSPENDED&size=50")
                .then().statusCode(200).body("total", equalTo(11)).body("items.status", not(org.hamcrest.Matchers.hasItem("ACTIVE")));
        given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD)
                .get("/api/users?q=" + marker + "-7@")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].email", equalTo(marker + "-7@example.com"))
                .body("items[0]", not(org.hamcrest.Matchers.hasKey("passwordHash")));
        given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD).get("/api/users?status=BOGUS")
                .then().statusCode(400).body("error", containsString("INVITED"));
    }

    @Test
    void anHtmxRequestGetsTheTableFragmentAndANormalRequestTheWholePage() {
        String marker = "frag" + System.nanoTime();
        users.create(marker + "@example.com", UserStatus.ACTIVE, "<script>alert(1)</script>", Map.of());
        Browser browser = Browser.admin();
        String fragment = browser.htmxGet("/users?q=" + marker).then().statusCode(200).extract().asString();
        assertTrue(fragment.trim().startsWith("<div id=\"users-table\">"), fragment);
        assertTrue(!fragment.contains("<html"), "a fragment, not a page");
        assertTrue(fragment.contains(marker + "@example.com"));
        assertTrue(fragment.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !fragment.contains("<script>alert"),
                "markup in data is escaped");
        String page = browser.get("/users?q=" + marker).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<html") && page.contains("id=\"users-table\"") && page.contains("htmx.min.js"));
    }

    @Test
    void theUserPageShowsEveryField() {
        DirectoryUser u = users.create("detail" + System.nanoTime() + "@example.com", UserStatus.INVITED, "Legal",
                Map.of("costCenter", "CC-7"));
        Browser.admin().get("/users/" + u.id).then().statusCode(200).body(containsString(u.email))
                .body(containsString("Łukasiewicz")).body(containsString("attr.costCenter"))
                .body(containsString("CC-7")).body(containsString("INVITED"));
        Browser.admin().get("/users/" + UUID.randomUUID()).then().statusCode(404).body(containsString("Not found"))
                .body(not(containsString("Exception")));
    }

    @Test
    void exportStreamsEveryFieldInUploadColumnsAndNeutralisesFormulas() throws Exception {
        String marker = "exp" + System.nanoTime();
        DirectoryUser plain = users.create(marker + "-a@example.com", UserStatus.ACTIVE, "Engineering",
                Map.of("costCenter", "CC-1"));
        DirectoryUser evil = users.create(marker + "-b@example.com", UserStatus.SUSPENDED, "=HYPERLINK(\"http://x\")",
                Map.of("costCenter", "@SUM(A1)", "note", "-2+3"));
        String viewer = admins.create(AdminRole.VIEWER);
        String body = given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD).get("/api/users/export.csv")
                .then().statusCode(200).header("Content-Type", containsString("text/csv"))
                .header("Content-Disposition", containsString("attachment")).extract().asString();
        assertTrue(body.startsWith("\uFEFF"), "UTF-8 BOM for spreadsheets");
        List<String[]> rows = new CSVReader(new StringReader(body.substring(1))).readAll();
        List<String> header = Arrays.asList(rows.get(0));
        assertEquals(UserCsvExport.FIXED_COLUMNS, header.subList(0, UserCsvExport.FIXED_COLUMNS.size()));
        assertTrue(header.contains("attr.costCenter") && header.contains("attr.note"), header.toString());
        Map<String, String> a = row(rows, header, plain.email);
        assertEquals(plain.externalId, a.get("external_id"));
        assertEquals(plain.username, a.get("username"));
        assertEquals("Zoë", a.get("given_name"));
        assertEquals("Łukasiewicz", a.get("family_name"));
        assertEquals("Zoë Ł.", a.get("display_name"));
        assertEquals("'+442071234567", a.get("phone"));
        assertEquals("Engineering", a.get("department"));
        assertEquals("Engineer", a.get("title"));
        assertEquals("pl-PL", a.get("locale"));
        assertEquals("ACTIVE", a.get("status"));
        assertEquals("CC-1", a.get("attr.costCenter"));
        assertEquals("", a.get("attr.note"));
        Map<String, String> b = row(rows, header, evil.email);
        assertEquals("'=HYPERLINK(\"http://x\")", b.get("department"));
        assertEquals("'@SUM(A1)", b.get("attr.costCenter"));
        assertEquals("'-2+3", b.get("attr.note"));
        // The same through the page route with a session.
        Browser.admin().get("/users/export.csv").then().statusCode(200).body(containsString(evil.email));
    }

    private static Map<String, String> row(List<String[]> rows, List<String> header, String email) {
        for (String[] r : rows) {
            if (r[0].equals(email)) {
                Map<String, String> m = new HashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    m.put(header.get(i), r[i]);
                }
                return m;
            }
        }
        throw new AssertionError(email + " not exported");
    }
}
