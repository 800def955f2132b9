package dev.roster.batch;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.csv.ColumnNames;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The CSV columns of the SCIM attributes (issue #24 item 3): planned with field diffs, applied set-based, reverted,
 * shown on the user page, exported and re-uploaded as all unchanged in every export format, bad cells named.
 */
@QuarkusTest
class ProfileColumnsTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    private static Map<String, String> values(String suffix) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(ColumnNames.MIDDLE_NAME, "Marie" + suffix);
        v.put(ColumnNames.HONORIFIC_PREFIX, "Dr." + suffix);
        v.put(ColumnNames.HONORIFIC_SUFFIX, "PhD" + suffix);
        v.put(ColumnNames.NICK_NAME, "Jenny" + suffix);
        v.put(ColumnNames.PROFILE_URL, "https://intranet.example.org/people/" + suffix);
        v.put(ColumnNames.USER_TYPE, "Employee" + suffix);
        v.put(ColumnNames.PREFERRED_LANGUAGE, suffix.isEmpty() ? "de-CH" : "fr");
        v.put(ColumnNames.TIMEZONE, suffix.isEmpty() ? "Europe/Zurich" : "America/New_York");
        v.put(ColumnNames.EMPLOYEE_NUMBER, "1001" + suffix);
        v.put(ColumnNames.COST_CENTER, "CC-42" + suffix);
        v.put(ColumnNames.ORGANIZATION, "Example GmbH" + suffix);
        v.put(ColumnNames.DIVISION, "EMEA" + suffix);
        return v;
    }

    private Map<String, Object> row(String email) {
        return sql.rows("SELECT * FROM directory_user WHERE email = ?", email).get(0);
    }

    @Test
    void everyColumnPlansAppliesRevertsExportsAndReuploadsUnchanged() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "cols" + System.nanoTime();
        String a = m + "-a@x.example";
        String b = m + "-b@x.example";
        Map<String, String> first = values("");
        String header = "email,given_name,family_name,display_name,external_id,phone,department,title,locale,"
                + String.join(",", ColumnNames.EXTENDED);
        String onboard = header + "\n"
                + a + ",Ann,Lee,\"Lee, Ann\",X-" + m + ",+49 30 1234567,Sales,Boss,de-CH," + String.join(",", first.values()) + "\n"
                + b + ",Bo,Ng,,,,,,," + String.join(",", first.values()) + "\n";
        String created = Batches.upload(op, TestAdmins.PASSWORD, onboard, "onboard", "people.csv");
        JsonPath plan = Batches.awaitPlanned(op, TestAdmins.PASSWORD, created);
        assertEquals(2, plan.getLong("summary.create"), plan.prettify());
        JsonPath items = given().auth().preemptive().basic(op, TestAdmins.PASSWORD)
                .get("/api/batches/" + created + "/changes?kind=create").then().statusCode(200).extract().jsonPath();
        for (Map.Entry<String, String> e : first.entrySet()) {
            assertEquals(e.getValue(), items.getString("items[0].fields.find { it.name == '" + e.getKey() + "' }.after"), e.getKey());
        }
        apply(op, created);
        for (Map.Entry<String, String> e : first.entrySet()) {
            assertEquals(e.getValue(), row(a).get(e.getKey()), e.getKey());
        }

        // an update changes every column of a and clears every column of b: field diffs before -> after
        Map<String, String> second = values("2");
        String update = "email," + String.join(",", ColumnNames.EXTENDED) + "\n"
                + a + "," + String.join(",", second.values()) + "\n"
                + b + "," + String.join(",", ColumnNames.EXTENDED.stream().map(c -> "#clear").toList()) + "\n";
        String updated = Batches.upload(op, TestAdmins.PASSWORD, update, "update", "update.csv");
        assertEquals(2, Batches.awaitPlanned(op, TestAdmins.PASSWORD, updated).getLong("summary.update"));
        JsonPath diff = given().auth().preemptive().basic(op, TestAdmins.PASSWORD)
                .get("/api/batches/" + updated + "/changes?kind=update&q=" + m + "-a").then().statusCode(200).extract().jsonPath();
        for (String column : ColumnNames.EXTENDED) {
            assertEquals(first.get(column), diff.getString("items[0].fields.find { it.name == '" + column + "' }.before"), column);
            assertEquals(second.get(column), diff.getString("items[0].fields.find { it.name == '" + column + "' }.after"), column);
        }
        String page = Browser.signedIn(op, TestAdmins.PASSWORD).get("/batches/" + updated).asString();
        assertTrue(page.contains("cost_center") && page.contains("CC-422"), "the diff page shows the change");
        apply(op, updated);
        for (String column : ColumnNames.EXTENDED) {
            assertEquals(second.get(column), row(a).get(column), column);
            assertNull(row(b).get(column), column + " cleared");
        }
        String id = row(a).get("id").toString();
        String userPage = Browser.signedIn(op, TestAdmins.PASSWORD).get("/users/" + id).asString();
        assertTrue(userPage.contains("Cost center") && userPage.contains("CC-422") && userPage.contains("America/New_York"),
                "the user page shows the attributes that are set");

        // revert brings the first values back
        String revert = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + updated + "/revert").then().statusCode(201).extract().path("id");
        apply(op, revert);
        for (Map.Entry<String, String> e : first.entrySet()) {
            assertEquals(e.getValue(), row(a).get(e.getKey()), "reverted " + e.getKey());
            assertEquals(e.getValue(), row(b).get(e.getKey()), "reverted " + e.getKey());
        }

        // export -> re-upload, every format: all unchanged
        for (String format : List.of("roster", "entra", "google", "okta")) {
            byte[] export = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/users/export.csv?format=" + format)
                    .then().statusCode(200).extract().asByteArray();
            String text = new String(export, StandardCharsets.UTF_8);
            if (format.equals("roster")) {
                String exportedHeader = text.substring(1, text.indexOf('\r'));
                ColumnNames.EXTENDED.forEach(c -> assertTrue(exportedHeader.contains(c), c + " in " + exportedHeader));
                assertTrue(text.contains("Europe/Zurich") && text.contains("CC-42"), "values exported");
            }
            String again = upload(op, export, "export-" + format + ".csv");
            JsonPath reupload = Batches.awaitPlanned(op, TestAdmins.PASSWORD, again);
            assertEquals("PLANNED", reupload.getString("status"), format + " " + reupload.prettify());
            assertEquals(0, reupload.getLong("summary.update") + reupload.getLong("summary.create")
                    + reupload.getLong("summary.error"), format + " re-uploads as all unchanged: " + reupload.prettify());
        }
    }

    @Test
    void badCellsAreRowErrorsThatSayHowToFixThem() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "bad" + System.nanoTime();
        String id = Batches.upload(op, TestAdmins.PASSWORD, "email,given_name,family_name,Time Zone,profile_url,preferred_language\n"
                + m + "@x.example,A,B,europe/berlin,ftp://files.example.org/a,english\n", "onboard", "bad.csv");
        assertEquals(1, Batches.awaitPlanned(op, TestAdmins.PASSWORD, id).getLong("summary.error"));
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/batches/" + id + "/changes?kind=error").then()
                .statusCode(200)
                .body("items[0].messages.find { it.column == 'Time Zone' }.text", containsString("write it as Europe/Berlin"))
                .body("items[0].messages.find { it.column == 'profile_url' }.text", containsString("https://"))
                .body("items[0].messages.find { it.column == 'preferred_language' }.text", containsString("BCP 47"))
                .body("items[0].line", equalTo(2));
    }

    private static String upload(String who, byte[] bytes, String fileName) {
        return given().auth().preemptive().basic(who, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", fileName, bytes, "text/csv").multiPart("operation", "update")
                .post("/api/batches").then().statusCode(202).extract().path("id");
    }

    private static void apply(String who, String id) {
        JsonPath batch = Batches.awaitPlanned(who, TestAdmins.PASSWORD, id);
        long changes = batch.getLong("summary.create") + batch.getLong("summary.update") + batch.getLong("summary.delete");
        given().auth().preemptive().basic(who, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": " + changes + ", \"deleteCount\": " + batch.getLong("summary.delete")
                        + ", \"skipErrors\": true}")
                .post("/api/batches/" + id + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(who, TestAdmins.PASSWORD, id).getString("status"));
    }
}
