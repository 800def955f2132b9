package dev.roster.batch;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.opencsv.CSVReader;

import dev.roster.access.AdminRole;
import dev.roster.directory.DirectoryUser;
import dev.roster.plan.UserStatus;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

@QuarkusTest
class BatchPlanTest {

    @Inject
    TestAdmins admins;
    @Inject
    Users users;

    @jakarta.enterprise.context.ApplicationScoped
    static class Users {
        @Transactional
        DirectoryUser create(String email, String given, String family, String department) {
            DirectoryUser u = new DirectoryUser();
            u.id = UUID.randomUUID();
            u.email = email;
            u.givenName = given;
            u.familyName = family;
            u.department = department;
            u.status = UserStatus.ACTIVE;
            u.createdAt = Instant.now();
            u.updatedAt = u.createdAt;
            u.persist();
            return u;
        }

        @Transactional
        String department(UUID id) {
            return DirectoryUser.<DirectoryUser>findById(id).department;
        }

        @Transactional
        long count(String emailPrefix) {
            return DirectoryUser.count("lower(email) like ?1", emailPrefix.toLowerCase() + "%");
        }
    }

    @Test
    void everyTabPagesThroughItsRowsInFileOrderWhateverThePage() throws Exception {
        String operator = admins.create(AdminRole.OPERATOR);
        String m = "pg" + System.nanoTime();
        StringBuilder csv = new StringBuilder("email,given_name,family_name\r\n");
        List<Integer> all = new java.util.ArrayList<>();
        List<Integer> errors = new java.util.ArrayList<>();
        List<Integer> warnings = new java.util.ArrayList<>();
        List<Integer> creates = new java.util.ArrayList<>();
        List<Integer> matching = new java.util.ArrayList<>();
        for (int i = 0; i < 23; i++) {
            int line = i + 2;
            all.add(line);
            String local = (i % 4 == 0 ? "zed" : "amy") + i;
            if (i % 4 == 0 && i % 5 != 1) {
                matching.add(line); // a row whose email is invalid has no key to search
            }
            if (i % 5 == 1) {
                csv.append(m).append('-').append(local).append("-at-example.com,Ann,Lee\r\n");
                errors.add(line);
            } else {
                csv.append(m).append('-').append(local).append("@example.com,").append(i % 3 == 0 ? "=Ann" : "Ann")
                        .append(",Lee\r\n");
                creates.add(line);
                if (i % 3 == 0) {
                    warnings.add(line);
                }
            }
        }
        String id = Batches.upload(operator, TestAdmins.PASSWORD, csv.toString(), "onboard", "pages.csv");
        assertEquals("PLANNED", Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id).getString("status"));
        assertEquals(all, pagedLines(operator, id, "all", null));
        assertEquals(creates, pagedLines(operator, id, "create", null));
        assertEquals(errors, pagedLines(operator, id, "error", null));
        assertEquals(warnings, pagedLines(operator, id, "warning", null));
        assertEquals(matching, pagedLines(operator, id, "all", "zed"));
        assertEquals(matching, pagedLines(operator, id, "all", "zed"), "a second time (the count is remembered)");
        assertEquals(List.of(), pagedLines(operator, id, "update", null));
    }

    @Test
    void theBatchPageCountsAKeySearchOnlyUpToAThousandWhileTheApiCountsAll() throws Exception {
        String operator = admins.create(AdminRole.OPERATOR);
        String m = "cap" + System.nanoTime();
        StringBuilder csv = new StringBuilder("email,given_name,family_name\r\n");
        for (int i = 0; i < 1100; i++) {
            csv.append(m).append(i).append("@example.com,Ann,Lee\r\n");
        }
        String id = Batches.upload(operator, TestAdmins.PASSWORD, csv.toString(), "onboard", "many.csv");
        assertEquals("PLANNED", Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id).getString("status"));
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/batches/" + id + "/changes?q=" + m)
                .then().statusCode(200).body("total", equalTo(1100));
        Browser browser = Browser.signedIn(operator, TestAdmins.PASSWORD);
        String first = browser.htmxGet("/batches/" + id + "?kind=all&q=" + m).then().statusCode(200).extract().asString();
        assertTrue(first.contains("1–50 of 1000+"), first);
        assertTrue(first.contains("page=2"), "a next page");
        // Past the first thousand the page counts exactly again.
        String late = browser.htmxGet("/batches/" + id + "?kind=all&q=" + m + "&page=21").then().statusCode(200).extract()
                .asString();
        assertTrue(late.contains("1001–1050 of 1100"), late);
        assertTrue(late.contains(m + "1000@example.com"), "the rows of that page");
    }

    /** Every line of a tab, read five rows per page until the total is reached. */
    private static List<Integer> pagedLines(String operator, String id, String kind, String q) {
        List<Integer> lines = new java.util.ArrayList<>();
        for (int page = 1; page < 100; page++) {
            JsonPath json = given().auth().preemptive().basic(operator, TestAdmins.PASSWORD)
                    .get("/api/batches/" + id + "/changes?size=5&kind=" + kind + "&page=" + page + (q == null ? "" : "&q=" + q))
                    .then().statusCode(200).extract().jsonPath();
            List<Integer> items = json.getList("items.line", Integer.class);
            lines.addAll(items);
            if (items.size() < 5) {
                assertEquals(json.getLong("total"), lines.size(), kind + " total");
                return lines;
            }
        }
        throw new AssertionError("no last page");
    }

    @Test
    void onboardingFromTheTemplatePlansTwoCreatesAndOneErrorAndChangesNothing() throws Exception {
        String operator = admins.create(AdminRole.OPERATOR);
        String template = given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/templates/onboard")
                .then().statusCode(200).extract().asString();
        String header = template.lines().findFirst().orElseThrow();
        assertTrue(header.startsWith("email,given_name,family_name"), header);
        String m = "onb" + System.nanoTime();
        int columns = header.split(",").length;
        String pad = ",".repeat(columns - 3);
        String csv = header + "\r\n"
                + m + "-ann@example.com,Ann,Lee" + pad + "\r\n"
                + m + "-bad-at-example.com,Bob,Stone" + pad + "\r\n"
                + m + "-chloe@example.com,Chloé,Dubois" + pad + "\r\n";
        String id = Batches.upload(operator, TestAdmins.PASSWORD, csv, "onboard", "people.csv");
        JsonPath batch = Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", batch.getString("status"), batch.prettify());
        assertEquals(3, batch.getInt("rows"));
        assertEquals(2, batch.getInt("summary.create"));
        assertEquals(1, batch.getInt("summary.error"));
        assertEquals("people.csv", batch.getString("fileName"));
        assertEquals(64, batch.getString("sha256").length());
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/batches/" + id + "/changes?kind=error")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].line", equalTo(3))
                .body("items[0].kind", equalTo("ERROR"))
                .body("items[0].messages[0].column", equalTo("email"))
                .body("items[0].messages[0].text", containsString("email"));
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/batches/" + id + "/changes?kind=create")
                .then().statusCode(200).body("total", equalTo(2)).body("items", hasSize(2))
                .body("items[1].fields.find { it.name == 'given_name' }.after", equalTo("Chloé"));
        String report = given().auth().preemptive().basic(operator, TestAdmins.PASSWORD)
                .get("/api/batches/" + id + "/errors.csv").then().statusCode(200).extract().asString();
        List<String[]> rows = new CSVReader(new StringReader(report.substring(1))).readAll();
        assertEquals(2, rows.size(), report);
        List<String> reportHeader = List.of(rows.get(0));
        assertEquals("line", reportHeader.get(columns));
        assertEquals("error", reportHeader.get(columns + 1));
        assertEquals(m + "-bad-at-example.com", rows.get(1)[0]);
        assertEquals("3", rows.get(1)[columns]);
        assertFalse(rows.get(1)[columns + 1].isBlank());
        assertEquals(0, users.count(m), "planning never changes the directory");
    }

    @Test
    void anUpdateShowsExactlyTheFieldThatChanges() {
        String operator = admins.create(AdminRole.OPERATOR);
        String m = "upd" + System.nanoTime();
        DirectoryUser user = users.create(m + "@example.com", "Ann", "Lee", "Sales");
        String csv = "email,given_name,family_name,department\n" + m.toUpperCase() + "@example.com,Ann,Lee,Marketing\n";
        String id = Batches.upload(operator, TestAdmins.PASSWORD, csv, "update", "update.csv");
        JsonPath batch = Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        assertEquals(1, batch.getInt("summary.update"), batch.prettify());
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/batches/" + id + "/changes")
                .then().statusCode(200).body("items", hasSize(1))
                .body("items[0].kind", equalTo("UPDATE"))
                .body("items[0].userId", equalTo(user.id.toString()))
                .body("items[0].fields", hasSize(1))
                .body("items[0].fields[0].name", equalTo("department"))
                .body("items[0].fields[0].before", equalTo("Sales"))
                .body("items[0].fields[0].after", equalTo("Marketing"));
        assertEquals("Sales", users.department(user.id));
    }

    @Test
    void aFileWithAnUnknownColumnIsRejectedWithASuggestion() {
        String operator = admins.create(AdminRole.OPERATOR);
        String id = Batches.upload(operator, TestAdmins.PASSWORD, "emial,given_name,family_name\na@b.c,A,B\n",
                "onboard", "typo.csv");
        JsonPath batch = Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        assertEquals("REJECTED", batch.getString("status"));
        assertTrue(batch.getString("error").contains("unknown column \"emial\" (did you mean \"email\"?)"),
                batch.getString("error"));
        assertTrue(batch.getString("error").contains("typo.csv"), batch.getString("error"));
    }

    @Test
    void badUploadRequestsGetClearMessages() {
        String operator = admins.create(AdminRole.OPERATOR);
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", "a.csv", "email\nx@y.z\n".getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "explode").post("/api/batches")
                .then().statusCode(400).body("error", containsString("onboard, update, delete, reset or mixed"));
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", "a.csv", new byte[0], "text/csv")
                .multiPart("operation", "delete").post("/api/batches")
                .then().statusCode(400).body("error", containsString("empty"));
        String viewer = admins.create(AdminRole.VIEWER);
        given().auth().preemptive().basic(viewer, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", "a.csv", "email\nx@y.z\n".getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "delete").post("/api/batches").then().statusCode(403);
    }

    @Test
    void thePageUploadNeedsItsCsrfTokenAndShowsTheDiffWithHtmxFragments() {
        Browser browser = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
        browser.get("/batches").then().statusCode(200).body(containsString("Upload a CSV"));
        String m = "page" + System.nanoTime();
        byte[] csv = ("email,given_name,family_name\n" + m + "@example.com,<b>Bold</b>,Ok\n").getBytes(StandardCharsets.UTF_8);
        browser.request().multiPart("file", "page.csv", csv, "text/csv").multiPart("operation", "onboard")
                .post("/batches").then().statusCode(403);
        Response uploaded = browser.request().multiPart("file", "page.csv", csv, "text/csv")
                .multiPart("operation", "onboard").multiPart("csrf-token", browser.csrfToken()).post("/batches");
        assertEquals(303, uploaded.statusCode(), uploaded.asString());
        String location = uploaded.header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        String page = browser.get("/batches/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<html") && page.contains("What would change") && page.contains("page.csv"));
        assertTrue(page.contains("&lt;b&gt;Bold&lt;/b&gt;") && !page.contains("<b>Bold</b>"), "cell values are escaped");
        String fragment = browser.htmxGet("/batches/" + id + "?kind=create").then().statusCode(200).extract().asString();
        assertTrue(fragment.trim().startsWith("<section id=\"changes\""), fragment);
        assertFalse(fragment.contains("<html"));
        assertTrue(fragment.contains(m + "@example.com"));
        browser.htmxGet("/batches/" + id + "?kind=error").then().statusCode(200).body(containsString("No rows in this view"));
    }

    @Test
    void aDiscardedBatchCannotBeDiscardedTwice() {
        String operator = admins.create(AdminRole.OPERATOR);
        String id = Batches.upload(operator, TestAdmins.PASSWORD, "email\nnobody-" + System.nanoTime() + "@example.com\n",
                "delete", "gone.csv");
        Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + id + "/discard")
                .then().statusCode(200).body("status", equalTo("DISCARDED"));
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/batches/" + id + "/discard")
                .then().statusCode(409).body("error", containsString("DISCARDED"));
        given().auth().preemptive().basic(operator, TestAdmins.PASSWORD).get("/api/batches")
                .then().statusCode(200).body("items[0].id", startsWith(""));
    }

    @Test
    void thePlanDownloadListsEveryRowFormulaSafe() {
        String operator = admins.create(AdminRole.OPERATOR);
        String m = "dl" + System.nanoTime();
        String csv = "email,given_name,family_name,department\n" + m + "@example.com,Eve,Hacker,=HYPERLINK(\"x\")\n";
        String id = Batches.upload(operator, TestAdmins.PASSWORD, csv, "onboard", "formula.csv");
        JsonPath batch = Batches.awaitPlanned(operator, TestAdmins.PASSWORD, id);
        assertEquals(1, batch.getInt("summary.warning"), batch.prettify());
        String plan = given().auth().preemptive().basic(operator, TestAdmins.PASSWORD)
                .get("/api/batches/" + id + "/plan.csv").then().statusCode(200).extract().asString();
        assertTrue(plan.contains("department: (none) -> =HYPERLINK"), plan);
        assertFalse(plan.lines().anyMatch(l -> l.startsWith("=") || l.contains(",=") || l.contains(",\"=")), plan);
    }
}
