package dev.roster.directory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.opencsv.CSVReader;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/** Users without email, files matched by username, deleted users that free their identifiers (decisions/0031). */
@QuarkusTest
class UsersWithoutEmailTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;
    @Inject
    AgroalDataSource dataSource;

    /** Four bystanders keep one deletion under the delete cap (20% of the users) even in an empty directory. */
    private static String bystanders(String m) {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            csv.append("by").append(i).append('-').append(m).append(",By,Stander,by").append(i).append('-').append(m)
                    .append("@example.com\n");
        }
        return csv.toString();
    }

    private static JsonPath changes(String op, String batchId) {
        return given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + batchId + "/changes")
                .then().statusCode(200).extract().jsonPath();
    }

    private static void apply(String op, String batchId, JsonPath planned) {
        long changes = planned.getLong("summary.create") + planned.getLong("summary.update")
                + planned.getLong("summary.delete") + planned.getLong("summary.reset");
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": " + changes + ", \"deleteCount\": " + planned.getLong("summary.delete") + "}")
                .post("/api/batches/" + batchId + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, batchId).getString("status"));
    }

    private List<Map<String, Object>> usersNamed(String username) {
        return sql.rows("SELECT id, status, email FROM directory_user WHERE lower(username) = lower(?) ORDER BY created_at",
                username);
    }

    @Test
    void theDatabaseNeverQuotesARefusedRowInItsMessages() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // As V26's directory_user_email_or_username refuses a user without both, on a table of its own.
            s.execute("CREATE TEMP TABLE refused_row (secret text CHECK (secret IS NULL))");
            java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> s.executeUpdate("INSERT INTO refused_row VALUES ('$2a$10$hash')"));
            assertEquals("23514", refused.getSQLState());
            assertFalse(refused.getMessage().contains("hash"), refused.getMessage());
            s.execute("DROP TABLE refused_row");
        }
    }

    /** A user deleted a moment ago (restorable), straight into the table. */
    private UUID deletedUser(String email) {
        UUID id = UUID.randomUUID();
        sql.update("INSERT INTO directory_user (id, email, given_name, family_name, status, status_before_delete, deleted_at) "
                + "VALUES (?, ?, 'Old', 'Timer', 'DELETED', 'ACTIVE', now())", id, email);
        return id;
    }

    @Test
    void aRestoreThatLosesARaceForItsEmailIsA409NamingTheHolder() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String email = "race-" + System.nanoTime() + "@example.com";
        UUID deleted = deletedUser(email);
        UUID holder = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var insert = c.prepareStatement("INSERT INTO directory_user (id, email, given_name, family_name, status) "
                    + "VALUES (?, ?, 'New', 'Comer', 'ACTIVE')")) {
                insert.setObject(1, holder);
                insert.setString(2, email);
                insert.executeUpdate();
            }
            // the restore passes its check (the holder is not committed) and waits on the unique index
            var restore = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().auth().preemptive()
                    .basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                    .post("/api/users/" + deleted + "/restore").then().extract());
            Thread.sleep(1500);
            c.commit();
            var answer = restore.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(409, answer.statusCode(), answer.asString());
            assertTrue(answer.path("error").toString().contains("email " + email + " now belongs to user " + holder),
                    answer.asString());
        }
        assertEquals("DELETED", sql.rows("SELECT status FROM directory_user WHERE id = ?", deleted).get(0).get("status"));
    }

    @Test
    void aRestoreWhoseEmailIsNowAnotherUsersUsernameIsRefusedNamingTheHolder() {
        String op = admins.create(AdminRole.OPERATOR);
        String email = "signin-" + System.nanoTime() + "@example.com";
        UUID deleted = deletedUser(email);
        UUID holder = UUID.randomUUID();
        sql.update("INSERT INTO directory_user (id, username, given_name, family_name, status) VALUES (?, ?, 'New', 'Comer', "
                + "'ACTIVE')", holder, email.toUpperCase());
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/users/" + deleted + "/restore").then().statusCode(409)
                .body("error", containsString("email " + email + " now belongs to user " + holder));
    }

    @Test
    void aUserOnboardedByUsernameIsDeletedAndOnboardedAgainAndRestoreAndRevertNameTheHolder() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "nm" + System.nanoTime();
        String name = "t.angelova-" + m;
        String onboard = "username,given_name,family_name,email\n" + name + ",Tanja,Angelova,\n" + bystanders(m);

        String first = Batches.upload(op, TestAdmins.PASSWORD, onboard, "onboard", "people.csv", "username");
        JsonPath planned = Batches.awaitPlanned(op, TestAdmins.PASSWORD, first);
        assertEquals("PLANNED", planned.getString("status"), planned.prettify());
        assertEquals("username", planned.getString("matchBy"));
        assertEquals(5, planned.getLong("summary.create"), planned.prettify());
        JsonPath diff = changes(op, first);
        assertEquals("CREATE", diff.getString("items.find { it.key == '" + name + "' }.kind"));
        assertTrue(diff.getString("items.find { it.key == '" + name + "' }.messages").contains("no email address, so no "
                + "invitation is sent"), diff.prettify());
        String planCsv = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + first + "/plan.csv")
                .then().statusCode(200).extract().asString();
        assertTrue(planCsv.contains("no email address, so no invitation is sent"), planCsv);
        apply(op, first, planned);
        UUID original = (UUID) usersNamed(name).get(0).get("id");
        assertEquals(null, usersNamed(name).get(0).get("email"));
        assertEquals(0, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", original), "no invitation for a user without email");
        assertEquals(4, sql.count("SELECT count(*) FROM mail_outbox WHERE batch_id = ?::uuid AND kind = 'INVITE'", first));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.created' AND target_user_id = ? "
                + "AND target_email = ?", original, name), "the event names the user by its username");

        // a reset row for the user is an error saying why
        String reset = Batches.upload(op, TestAdmins.PASSWORD, "username\n" + name + "\n", "reset", "reset.csv", "username");
        assertEquals(1, Batches.awaitPlanned(op, TestAdmins.PASSWORD, reset).getLong("summary.error"));
        assertTrue(changes(op, reset).getString("items[0].messages[0].text").contains("has no email address, so no reset "
                + "link can be sent"));

        String delete = Batches.upload(op, TestAdmins.PASSWORD, "username\n" + name.toUpperCase() + "\n", "delete", "delete.csv",
                "username");
        JsonPath deletePlan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, delete);
        assertEquals(1, deletePlan.getLong("summary.delete"), deletePlan.prettify());
        apply(op, delete, deletePlan);
        assertEquals("DELETED", usersNamed(name).get(0).get("status"));

        // the returning person is created anew: the deleted user holds its username no longer
        String again = Batches.upload(op, TestAdmins.PASSWORD, "username,given_name,family_name\n" + name + ",Tanja,Angelova\n",
                "onboard", "again.csv", "username");
        JsonPath againPlan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, again);
        assertEquals(1, againPlan.getLong("summary.create"), againPlan.prettify());
        assertEquals("CREATE", changes(op, again).getString("items[0].kind"));
        apply(op, again, againPlan);
        List<Map<String, Object>> both = usersNamed(name);
        assertEquals(2, both.size());
        UUID returning = (UUID) both.get(1).get("id");
        assertNotEquals(original, returning);
        assertEquals("INVITED", both.get(1).get("status"));

        // restoring the deleted one, or reverting its deletion, would give two users one username: refused, naming the holder
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/users/" + original + "/restore").then().statusCode(409)
                .body("error", containsString("username " + name + " now belongs to user " + returning));
        Browser browser = Browser.signedIn(op, TestAdmins.PASSWORD);
        browser.postForm("/users/" + original + "/restore", Map.of()).then().statusCode(409)
                .body(containsString("now belongs to user " + returning));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + delete + "/revert").then().statusCode(409)
                .body("error", containsString("user " + original + "'s username " + name + " now belongs to user " + returning));
        assertEquals("DELETED", usersNamed(name).get(0).get("status"));
        assertEquals(0, sql.count("SELECT count(*) FROM batch WHERE reverts_batch = ?::uuid", delete), "nothing planned");

        // once the holder is gone, the restore goes through
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "username\n" + name + "\n", "delete", "username");
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/users/" + original + "/restore").then().statusCode(200);
    }

    @Test
    void anEmailFreedByADeleteOnboardsAgainAndTheRevertOfTheDeleteIsRefused() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "em" + System.nanoTime();
        String email = "back-" + m + "@example.com";
        StringBuilder csv = new StringBuilder("email,given_name,family_name\n" + email + ",Ret,Urning\n");
        for (int i = 0; i < 4; i++) {
            csv.append("by").append(i).append('-').append(email).append(",By,Stander\n");
        }
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, csv.toString(), "onboard");
        String delete = Batches.upload(op, TestAdmins.PASSWORD, "email\n" + email + "\n", "delete", "delete.csv");
        apply(op, delete, Batches.awaitPlanned(op, TestAdmins.PASSWORD, delete));
        JsonPath again = Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name\n" + email + ",Ret,Urning\n",
                "onboard");
        assertEquals(1, again.getLong("summary.create"), again.prettify());
        List<Map<String, Object>> rows = sql.rows("SELECT id, status FROM directory_user WHERE email = ? ORDER BY created_at", email);
        assertEquals(List.of("DELETED", "INVITED"), rows.stream().map(r -> r.get("status")).toList());
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + delete + "/revert").then().statusCode(409)
                .body("error", containsString("email " + email + " now belongs to user " + rows.get(1).get("id")));
        // an update row for the address finds the live user, never the deleted one
        JsonPath update = Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,department\n" + email + ",Sales\n", "update");
        assertEquals(1, update.getLong("summary.update"));
        assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE email = ? AND department = 'Sales' AND status <> 'DELETED'",
                email));
    }

    @Test
    void usersWithoutEmailExportAndReuploadUnchangedInEveryFormatThatHoldsThem() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "ex" + System.nanoTime();
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "username,email,given_name,family_name,department\n"
                + "solo-" + m + ",,Solo,Name,Shop floor\n"
                + "both-" + m + ",both-" + m + "@example.com,Both,Keys,\n"
                + ",mail-" + m + "@example.com,Mail,Only,\n", "onboard", "username");
        for (String format : List.of("roster", "okta")) {
            String export = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/users/export.csv?format=" + format)
                    .then().statusCode(200).extract().asString();
            List<String[]> rows = new CSVReader(new StringReader(export.substring(1))).readAll();
            List<String[]> mine = new ArrayList<>();
            StringBuilder file = new StringBuilder(String.join(",", rows.get(0))).append('\n');
            for (String[] row : rows) {
                if (String.join(",", row).contains(m)) {
                    mine.add(row);
                    file.append(String.join(",", row)).append('\n');
                }
            }
            assertEquals(3, mine.size(), format + ": " + export);
            if (format.equals("okta")) {
                int login = List.of(rows.get(0)).indexOf("login");
                assertEquals(List.of("solo-" + m, "both-" + m, "mail-" + m + "@example.com"),
                        mine.stream().map(r -> r[login]).sorted((a, b) -> Integer.compare(order(a), order(b))).toList(),
                        "login: the username, else the email");
            }
            String id = Batches.upload(op, TestAdmins.PASSWORD, file.toString(), "update", "export-" + format + ".csv", "username");
            JsonPath plan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, id);
            assertEquals("PLANNED", plan.getString("status"), format + " " + plan.prettify());
            assertEquals(3, plan.getLong("summary.unchanged"), format + " " + plan.prettify() + changes(op, id).prettify());
        }
        for (String format : List.of("entra", "google")) {
            String export = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/users/export.csv?format=" + format)
                    .then().statusCode(200).extract().asString();
            assertTrue(export.contains("both-" + m + "@example.com") && export.contains("mail-" + m), format);
            assertFalse(export.contains("solo-" + m) || export.contains("Shop floor"), format + " leaves out users without email");
        }
    }

    @Test
    void groupMemberPagesWalkPastUsersWithoutEmail() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "gm" + System.nanoTime();
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "username,email,given_name,family_name\n"
                + "a-" + m + ",,Ann,Alone\n"
                + ",b-" + m + "@example.com,Bea,Mail\n"
                + "c-" + m + ",,Cy,Alone\n", "onboard", "username");
        String group = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body(Map.of("name", "Floor " + m)).post("/api/groups").then().statusCode(201).extract().path("id");
        for (Map<String, Object> u : sql.rows("SELECT id FROM directory_user WHERE coalesce(username, email) LIKE ?", "%" + m + "%")) {
            given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                    .body(Map.of("userId", u.get("id").toString())).post("/api/groups/" + group + "/members").then().statusCode(201);
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            var request = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).queryParam("size", 1);
            if (after != null) {
                request = request.queryParam("after", after);
            }
            JsonPath page = request.get("/api/groups/" + group + "/members").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.name"));
            after = page.getString("next");
        } while (after != null);
        assertEquals(List.of("Ann Alone", "Bea Mail", "Cy Alone"), seen, "in identifier order: a-, b-…@, c-");
        Browser.signedIn(op, TestAdmins.PASSWORD).get("/groups/" + group).then().statusCode(200)
                .body(containsString("Ann Alone")).body(containsString("b-" + m + "@example.com"));
    }

    @Test
    void aSyncSourceMatchesByUsername() {
        String op = admins.create(AdminRole.OPERATOR);
        Browser browser = Browser.signedIn(op, TestAdmins.PASSWORD);
        String id = browser.api().contentType("application/json")
                .body(Map.of("name", "By username " + System.nanoTime(), "kind", "url", "location", "https://hr.example.com/u.csv",
                        "matchBy", "username", "scope", "created", "absent", "leave"))
                .post("/api/sources").then().statusCode(201).extract().path("id");
        browser.api().get("/api/sources/" + id).then().statusCode(200).body(containsString("\"matchBy\":\"username\""));
        browser.api().contentType("application/json")
                .body(Map.of("name", "Bad key " + System.nanoTime(), "kind", "url", "location", "https://hr.example.com/u.csv",
                        "matchBy", "phone", "scope", "created", "absent", "leave"))
                .post("/api/sources").then().statusCode(400).body(containsString("matchBy: use email, external_id or username"));
        browser.api().delete("/api/sources/" + id).then().statusCode(204);
    }

    private static int order(String login) {
        return login.startsWith("solo") ? 0 : login.startsWith("both") ? 1 : 2;
    }

    @Test
    void theUsersPageFindsAndShowsAUserWithoutEmailThroughTheSearchIndex() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pg" + System.nanoTime();
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "username,given_name,family_name\nfloor-" + m + ",Pia,Floor\n",
                "onboard", "username");
        UUID id = (UUID) usersNamed("floor-" + m).get(0).get("id");
        Browser browser = Browser.signedIn(op, TestAdmins.PASSWORD);
        browser.get("/users?q=floor-" + m).then().statusCode(200).body(containsString("floor-" + m))
                .body(containsString("(username, no email)"));
        browser.get("/users/" + id).then().statusCode(200).body(containsString("no email: no invitation or reset mail"));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/users?q=floor-" + m).then().statusCode(200)
                .body(containsString(id.toString()));
        // the page's expression (DirectoryQuery.SEARCH_TEXT) can be served by the trigram index (a small test table
        // would be scanned otherwise, so scans are priced out)
        StringBuilder plan = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            try (ResultSet rs = s.executeQuery("""
                    EXPLAIN SELECT id FROM directory_user
                     WHERE lower(coalesce(email, '')) || ' ' || lower(coalesce(username, '')) || ' '
                           || lower(coalesce(given_name, '')) || ' ' || lower(coalesce(family_name, '')) || ' '
                           || lower(coalesce(display_name, '')) LIKE '%floor-pg%'""")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            s.execute("RESET enable_seqscan");
        }
        assertTrue(plan.toString().contains("directory_user_search_idx"), plan.toString());
    }
}
