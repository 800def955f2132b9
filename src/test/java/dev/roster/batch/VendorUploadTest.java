package dev.roster.batch;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * The vendor fixtures (src/test/resources/vendor) through the real upload, plan and apply; the mapping step on the
 * page, mapping profiles, and the API's inline mappings and refusals.
 */
@QuarkusTest
class VendorUploadTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    /** A fixture with its addresses made unique to this run (the fixtures are ASCII around the addresses). */
    static byte[] fixture(String name, String run) {
        try (InputStream in = VendorUploadTest.class.getResourceAsStream("/vendor/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return text.replace("@vendor.example", "@" + run + ".vendor.example").getBytes(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response upload(String who, byte[] bytes, String operation, String fileName, Map<String, String> extra) {
        var spec = given().auth().preemptive().basic(who, TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", fileName, bytes, "text/csv").multiPart("operation", operation);
        extra.forEach(spec::multiPart);
        return spec.post("/api/batches");
    }

    static JsonPath planned(String who, byte[] bytes, String operation, String fileName) {
        String id = upload(who, bytes, operation, fileName, Map.of()).then().statusCode(202).extract().path("id");
        return Batches.awaitPlanned(who, TestAdmins.PASSWORD, id);
    }

    static JsonPath apply(String who, JsonPath batch) {
        long changes = batch.getLong("summary.create") + batch.getLong("summary.update") + batch.getLong("summary.delete");
        given().auth().preemptive().basic(who, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": " + changes + ", \"deleteCount\": " + batch.getLong("summary.delete") + "}")
                .post("/api/batches/" + batch.getString("id") + "/apply").then().statusCode(202);
        return Batches.awaitApplied(who, TestAdmins.PASSWORD, batch.getString("id"));
    }

    private void assertPlans(JsonPath batch, String format, long create, long update, long delete) {
        assertEquals("PLANNED", batch.getString("status"), batch.prettify());
        assertEquals(format, batch.getString("sourceFormat"));
        assertEquals(create, batch.getLong("summary.create"), batch.prettify());
        assertEquals(update, batch.getLong("summary.update"), batch.prettify());
        assertEquals(delete, batch.getLong("summary.delete"), batch.prettify());
        assertEquals(0, batch.getLong("summary.error"), batch.prettify());
    }

    @Test
    void everyVendorFixtureCreatesUpdatesAndDeletesEndToEnd() {
        String op = admins.create(AdminRole.OPERATOR);
        String run = "v" + System.nanoTime();

        JsonPath entra = planned(op, fixture("entra-create.csv", run), "onboard", "entra.csv");
        assertPlans(entra, "Microsoft Entra ID bulk create", 2, 0, 0);
        List<Map<String, Object>> columns = entra.getList("columns");
        assertTrue(columns.contains(Map.of("index", 8, "column", "Usage location [usageLocation]", "target", "attr.usageLocation",
                "reason", "Microsoft Entra ID bulk create template")), columns.toString());
        assertEquals("APPLIED", apply(op, entra).getString("status"));
        assertEquals("DE", sql.rows("SELECT attributes->>'usageLocation' AS u FROM directory_user WHERE email = ?",
                "ada.entra@" + run + ".vendor.example").get(0).get("u"));

        JsonPath excel = planned(op, fixture("entra-create-excel-1252.csv", run), "onboard", "entra-excel.csv");
        assertPlans(excel, "Microsoft Entra ID bulk create", 1, 0, 0);
        apply(op, excel);
        assertEquals("Réseau", sql.rows("SELECT department FROM directory_user WHERE email = ?",
                "cleo.entra@" + run + ".vendor.example").get(0).get("department"));

        JsonPath google = planned(op, fixture("google-create.csv", run), "onboard", "google.csv");
        assertPlans(google, "Google Workspace bulk upload", 2, 0, 0);
        apply(op, google);
        JsonPath googleUpdate = planned(op, fixture("google-update-excel-bom.csv", run), "update", "google-update.csv");
        assertPlans(googleUpdate, "Google Workspace bulk upload", 0, 2, 0);
        apply(op, googleUpdate);
        assertEquals("SUSPENDED", sql.rows("SELECT status FROM directory_user WHERE email = ?",
                "hal.google@" + run + ".vendor.example").get(0).get("status"));
        assertEquals(1, sql.rows("SELECT 1 FROM directory_user WHERE email = ?", "gia.g@" + run + ".vendor.example").size());

        JsonPath okta = planned(op, fixture("okta-create.csv", run), "onboard", "okta.csv");
        assertPlans(okta, "Okta user import", 2, 0, 0);
        apply(op, okta);
        assertPlans(planned(op, fixture("okta-update.csv", run), "update", "okta-update.csv"), "Okta user import", 0, 1, 0);

        JsonPath cognito = planned(op, fixture("cognito-create.csv", run), "onboard", "cognito.csv");
        assertPlans(cognito, "AWS Cognito user import", 2, 0, 0);
        apply(op, cognito);
        assertEquals("Cognito, Kai", sql.rows("SELECT display_name FROM directory_user WHERE email = ?",
                "kai.cognito@" + run + ".vendor.example").get(0).get("display_name"));

        JsonPath jump = planned(op, fixture("jumpcloud-create.csv", run), "onboard", "jumpcloud.csv");
        assertPlans(jump, "JumpCloud user import", 1, 0, 0);
        apply(op, jump);

        JsonPath delete = planned(op, fixture("entra-delete.csv", run), "delete", "entra-delete.csv");
        assertPlans(delete, "Microsoft Entra ID bulk delete", 0, 0, 1);
        assertEquals("APPLIED", apply(op, delete).getString("status"));
        assertEquals("DELETED", sql.rows("SELECT status FROM directory_user WHERE email = ?",
                "ben.entra@" + run + ".vendor.example").get(0).get("status"));
    }

    @Test
    void anApiUploadOfUnknownColumnsIsRefusedAsBeforeWithProposals() {
        String op = admins.create(AdminRole.OPERATOR);
        byte[] csv = "Mail,Vorname,Nachname\na@x.example,A,B\n".getBytes(StandardCharsets.UTF_8);
        JsonPath batch = planned(op, csv, "onboard", "hr.csv");
        assertEquals("REJECTED", batch.getString("status"));
        assertTrue(batch.getString("error").contains("unknown column \"Vorname\""), batch.getString("error"));
        assertEquals("given_name", batch.getString("proposal.find { it.column == 'Vorname' }.target"));
    }

    @Test
    void anInlineMappingPlansAndABadOneIsRefusedWith422() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "inl" + System.nanoTime();
        byte[] csv = ("Mail,Vorname,Nachname,Kostenstelle\n" + m + "@x.example,A,B,K-1\n").getBytes(StandardCharsets.UTF_8);
        String id = upload(op, csv, "onboard", "hr.csv", Map.of("mapping",
                "{\"Vorname\":\"given_name\",\"Nachname\":\"family_name\",\"Kostenstelle\":\"attr.costCenter\"}"))
                .then().statusCode(202).extract().path("id");
        JsonPath batch = Batches.awaitPlanned(op, TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", batch.getString("status"), batch.prettify());
        assertEquals("Mapping chosen for this file", batch.getString("sourceFormat"));
        assertEquals(1, batch.getLong("summary.create"));

        JsonPath twice = upload(op, csv, "onboard", "hr.csv", Map.of("mapping",
                "{\"Vorname\":\"given_name\",\"Nachname\":\"given_name\",\"Kostenstelle\":\"ignore\"}"))
                .then().statusCode(422).extract().jsonPath();
        assertTrue(twice.getString("error").contains("both map to \"given_name\""), twice.prettify());
        assertNotNull(twice.getList("proposal"));

        JsonPath missing = upload(op, csv, "onboard", "hr.csv", Map.of("mapping",
                "{\"Vorname\":\"given_name\",\"Nachname\":\"ignore\",\"Kostenstelle\":\"ignore\"}"))
                .then().statusCode(422).extract().jsonPath();
        assertTrue(missing.getString("error").contains("needs \"family_name\""), missing.prettify());

        upload(op, csv, "onboard", "hr.csv", Map.of("profile", "no such profile " + m)).then().statusCode(422);
    }

    @Test
    void thePageAsksForAMappingSavesTheProfileAndTheNextFileIsMappedByIt() {
        String m = "map" + System.nanoTime();
        String header = "Mail " + m + ",Vorname,Nachname,Notiz\n";
        Browser browser = Browser.admin();
        String id = pageUpload(browser, header + m + "-1@x.example,A,B,note\n");
        assertEquals("NEEDS_MAPPING", Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id)
                .getString("status"));
        String page = browser.get("/batches/" + id + "/mapping").then().statusCode(200).extract().asString();
        assertTrue(page.contains("Vorname") && page.contains("note"), "columns and sample values are shown");

        Response twice = browser.postForm("/batches/" + id + "/mapping", Map.of("target.0", "email", "target.1", "given_name",
                "target.2", "given_name", "target.3", "ignore"));
        assertEquals(422, twice.statusCode());
        assertTrue(twice.asString().contains("both map to"), twice.asString());

        String profile = "HR export " + m;
        browser.postForm("/batches/" + id + "/mapping", Map.of("target.0", "email", "target.1", "given_name",
                "target.2", "family_name", "target.3", "attr", "custom.3", "note", "profileName", profile))
                .then().statusCode(303);
        JsonPath first = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        assertEquals("PLANNED", first.getString("status"), first.prettify());
        assertEquals(1, first.getLong("summary.create"));
        assertEquals("attr.note", first.getString("columns.find { it.column == 'Notiz' }.target"));

        String second = pageUpload(browser, header + m + "-2@x.example,C,D,\n");
        JsonPath next = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, second);
        assertEquals("PLANNED", next.getString("status"), next.prettify());
        assertEquals(profile, next.getString("mappingProfile"));
        assertTrue(browser.get("/batches/" + second).asString().contains("matched the profile"));
        String uploaded = (String) sql.rows("SELECT details::text AS d FROM audit_event WHERE action = 'batch.uploaded' "
                + "AND batch_id = ?::uuid", second).get(0).get("d");
        assertTrue(uploaded.contains("attr.note") && uploaded.contains(profile), uploaded);

        JsonPath profiles = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .get("/api/mapping-profiles").then().statusCode(200).extract().jsonPath();
        String profileId = profiles.getString("find { it.name == '" + profile + "' }.id");
        browser.api().contentType("application/json")
                .body("{\"name\": \"" + profile + " renamed\"}").patch("/api/mapping-profiles/" + profileId)
                .then().statusCode(200);
        assertTrue(browser.get("/mapping-profiles").asString().contains(profile + " renamed"));
        browser.api().delete("/api/mapping-profiles/" + profileId).then().statusCode(204);
        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .get("/api/mapping-profiles/" + profileId).then().statusCode(404);
    }

    @Test
    void eachExportFormatReuploadsAsAllUnchanged() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "exp" + System.nanoTime();
        byte[] csv = ("email,given_name,family_name,display_name,external_id,phone,department,title,locale,attr.costCenter,"
                + "attr.orgUnitPath,attr.division,attr.usageLocation\n"
                + m + "-a@x.example,=Ann,Lee,\"Lee, Ann\",X-" + m + ",+49 30 1234567,Sales,Boss,de-CH,CC-1,/Sales,North,DE\n"
                + m + "-b@x.example,Bo,Ng,,,,,,,,,,\n").getBytes(StandardCharsets.UTF_8);
        apply(op, planned(op, csv, "onboard", "people.csv"));
        apply(op, planned(op, (m + "-b@x.example,SUSPENDED\n").replace(m, "email,status\n" + m)
                .getBytes(StandardCharsets.UTF_8), "update", "suspend.csv"));
        for (String format : List.of("roster", "entra", "google", "okta")) {
            byte[] export = given().auth().preemptive().basic(op, TestAdmins.PASSWORD).get("/api/users/export.csv?format=" + format)
                    .then().statusCode(200).extract().asByteArray();
            String text = new String(export, StandardCharsets.UTF_8);
            assertTrue(text.contains(m + "-a@x.example"), format);
            assertTrue(text.contains("'=Ann"), format + ": formula-safe");
            JsonPath again = planned(op, export, "update", "export-" + format + ".csv");
            assertEquals("PLANNED", again.getString("status"), format + " " + again.prettify());
            assertEquals(0, again.getLong("summary.update") + again.getLong("summary.create") + again.getLong("summary.error"),
                    format + " re-uploads as all unchanged: " + again.prettify());
            assertTrue(again.getLong("summary.unchanged") >= 2, format);
        }
    }

    @Test
    void aChangedHeaderNamesTheProfileThatNoLongerFitsAndTheApiMapsTheBatch() {
        String m = "chg" + System.nanoTime();
        Browser browser = Browser.admin();
        browser.api().contentType("application/json").body("{\"name\": \"Payroll " + m + "\", \"columns\": [{\"column\": \"Mail "
                + m + "\", \"target\": \"email\"}, {\"column\": \"Vorname\", \"target\": \"given_name\"}, "
                + "{\"column\": \"Nachname\", \"target\": \"family_name\"}]}").post("/api/mapping-profiles").then().statusCode(201);
        String id = pageUpload(browser, "Mail " + m + ",Vorname,Nachname,Neu\n" + m + "@x.example,A,B,n\n");
        JsonPath waiting = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        assertEquals("NEEDS_MAPPING", waiting.getString("status"));
        assertTrue(waiting.getString("mappingProblems").contains("\"Payroll " + m + "\" no longer fits this header; new columns: Neu"),
                waiting.prettify());
        assertEquals("mapping profile \"Payroll " + m + "\"", waiting.getString("proposal.find { it.column == 'Nachname' }.reason"));
        assertTrue(browser.get("/batches/" + id + "/mapping").asString().contains("no longer fits"));

        given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).contentType("application/json")
                .body("{\"mapping\": {\"Mail " + m + "\": \"email\", \"Vorname\": \"given_name\", \"Nachname\": \"family_name\", "
                        + "\"Neu\": \"attr.neu\"}}")
                .post("/api/batches/" + id + "/mapping").then().statusCode(202);
        JsonPath planned = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        assertEquals("PLANNED", planned.getString("status"), planned.prettify());
        assertEquals(1, planned.getLong("summary.create"));
        JsonPath manifest = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .get("/api/batches/" + id + "/manifest").then().statusCode(200).extract().jsonPath();
        assertEquals("attr.neu", manifest.getString("columns.find { it.column == 'Neu' }.target"));
        assertEquals(1, sql.rows("SELECT 1 FROM audit_event WHERE action = 'batch.mapped' AND batch_id = ?::uuid", id).size());
    }

    private static String pageUpload(Browser browser, String csv) {
        Response r = browser.request().multiPart("file", "hr.csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "onboard").multiPart("csrf-token", browser.csrfToken()).post("/batches");
        assertEquals(303, r.statusCode(), r.asString());
        String location = r.getHeader("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
