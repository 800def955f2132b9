package dev.roster.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.roster.access.AdminRole;
import dev.roster.csv.PasswordColumns;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Plaintext passwords never pass the mapping step (issue #23, Medium 2): a password-like column, in any spelling, is
 * refused unless it is mapped to ignore with empty cells or to password_hash (whose cells must be hashes), on the
 * upload API (422), on the mapping page and in Roster's own format (the file is refused by name, line and column).
 */
@QuarkusTest
class PasswordColumnsTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    private long storedPlaintext(String secret) {
        return sql.count("SELECT count(*) FROM directory_user WHERE attributes::text LIKE ? OR department LIKE ?",
                "%" + secret + "%", "%" + secret + "%");
    }

    @Test
    void aPasswordColumnMappedToAFieldOrAnAttributeIsRefusedWith422() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pwc" + System.nanoTime();
        String secret = "S3cret-" + m;
        for (String[] column : new String[][] { { "Initial Password", "attr.start" }, { "User_Passwd", "attr.x" },
                { "Kennwort", "department" }, { "Pwd (temp)", "attr.temp" } }) {
            byte[] csv = ("Mail,Vorname,Nachname," + column[0] + "\n" + m + "@x.example,A,B," + secret + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Response r = VendorUploadTest.upload(op, csv, "onboard", "hr.csv", Map.of("mapping", "{\"Mail\":\"email\","
                    + "\"Vorname\":\"given_name\",\"Nachname\":\"family_name\",\"" + column[0] + "\":\"" + column[1] + "\"}"));
            assertEquals(422, r.statusCode(), column[0] + ": " + r.asString());
            String error = r.jsonPath().getString("error");
            assertTrue(error.startsWith("hr.csv, line 1, column \"" + column[0] + "\""), error);
            assertTrue(error.contains("\"ignore\"") && error.contains("password_hash"), "says how to fix it: " + error);
            assertTrue(!r.asString().contains(secret), "the value is never echoed");
        }
        assertEquals(0, storedPlaintext(secret));
    }

    @Test
    void aChosenMappingOrProfileKeepsTheMustBeEmptyRuleOfAnIgnoredPasswordColumn() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pwi" + System.nanoTime();
        String secret = "S3cret-" + m;
        byte[] csv = ("Email,FirstName,LastName,Password\n" + m + "-1@x.example,A,B,\n" + m + "-2@x.example,C,D," + secret
                + "\n").getBytes(StandardCharsets.UTF_8);
        Response r = VendorUploadTest.upload(op, csv, "onboard", "jc.csv", Map.of("mapping", "{\"Email\":\"email\","
                + "\"FirstName\":\"given_name\",\"LastName\":\"family_name\",\"Password\":\"ignore\"}"));
        assertEquals(422, r.statusCode(), r.asString());
        String error = r.jsonPath().getString("error");
        assertTrue(error.startsWith("jc.csv, line 3, column \"Password\""), error);
        assertTrue(!r.asString().contains(secret));
        // A saved profile that ignores the column keeps the rule too.
        String profile = "JC " + m;
        Browser.signedIn(op, TestAdmins.PASSWORD).api().contentType("application/json")
                .body("{\"name\": \"" + profile + "\", \"columns\": [{\"column\": \"Email\", \"target\": \"email\"}, "
                        + "{\"column\": \"FirstName\", \"target\": \"given_name\"}, {\"column\": \"LastName\", "
                        + "\"target\": \"family_name\"}, {\"column\": \"Password\", \"target\": \"ignore\"}]}")
                .post("/api/mapping-profiles").then().statusCode(201);
        Response byProfile = VendorUploadTest.upload(op, csv, "onboard", "jc.csv", Map.of("profile", profile));
        assertEquals(422, byProfile.statusCode(), byProfile.asString());
        assertTrue(byProfile.jsonPath().getString("error").startsWith("jc.csv, line 3, column \"Password\""), byProfile.asString());
        // Empty cells: the ignored column is accepted.
        byte[] empty = ("Email,FirstName,LastName,Password\n" + m + "-3@x.example,A,B,\n").getBytes(StandardCharsets.UTF_8);
        String id = VendorUploadTest.upload(op, empty, "onboard", "jc.csv", Map.of("mapping", "{\"Email\":\"email\","
                + "\"FirstName\":\"given_name\",\"LastName\":\"family_name\",\"Password\":\"ignore\"}"))
                .then().statusCode(202).extract().path("id");
        assertEquals("PLANNED", Batches.awaitPlanned(op, TestAdmins.PASSWORD, id).getString("status"));
    }

    @Test
    void theMappingPageProposesIgnoreAndRefusesAPasswordColumnSentToAnAttribute() {
        String m = "pwp" + System.nanoTime();
        String secret = "S3cret-" + m;
        Browser browser = Browser.admin();
        String csv = "Mail " + m + ",Vorname,Nachname,Initial Pwd\n" + m + "@x.example,A,B," + secret + "\n";
        Response up = browser.request().multiPart("file", "hr.csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", "onboard").multiPart("csrf-token", browser.csrfToken()).post("/batches");
        assertEquals(303, up.statusCode(), up.asString());
        String id = up.getHeader("Location").substring(up.getHeader("Location").lastIndexOf('/') + 1);
        JsonPath waiting = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        assertEquals("NEEDS_MAPPING", waiting.getString("status"), waiting.prettify());
        assertEquals("ignore", waiting.getString("proposal.find { it.column == 'Initial Pwd' }.target"), waiting.prettify());

        Response refused = browser.postForm("/batches/" + id + "/mapping", Map.of("target.0", "email", "target.1", "given_name",
                "target.2", "family_name", "target.3", "attr", "custom.3", "initialPwd"));
        assertEquals(422, refused.statusCode());
        assertTrue(refused.asString().contains("column &quot;Initial Pwd&quot;") || refused.asString().contains("column \"Initial Pwd\""),
                refused.asString());
        Response filled = browser.postForm("/batches/" + id + "/mapping", Map.of("target.0", "email", "target.1", "given_name",
                "target.2", "family_name", "target.3", "ignore"));
        assertEquals(422, filled.statusCode());
        assertTrue(filled.asString().contains("line 2"), filled.asString());
        assertEquals(0, storedPlaintext(secret));
    }

    @Test
    void aRosterFileWithAPasswordAttributeIsRefusedByNameLineAndColumn() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pwr" + System.nanoTime();
        String secret = "S3cret-" + m;
        byte[] csv = ("email,given_name,family_name,attr.initialPwd\n" + m + "@x.example,A,B," + secret + "\n")
                .getBytes(StandardCharsets.UTF_8);
        JsonPath batch = VendorUploadTest.planned(op, csv, "onboard", "people.csv");
        assertEquals("REJECTED", batch.getString("status"), batch.prettify());
        assertTrue(batch.getString("error").startsWith("people.csv, line 1, column \"attr.initialPwd\""), batch.getString("error"));
        assertEquals(0, storedPlaintext(secret));
    }

    @Test
    void aSyncFileWithAPasswordColumnIsRefusedWithTheReason() throws Exception {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pws" + System.nanoTime();
        String secret = "S3cret-" + m;
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "sync-");
        java.nio.file.Files.writeString(dir.resolve("hr.csv"), "email,given_name,family_name,attr.tempPasswd\n" + m
                + "@x.example,A,B," + secret + "\n");
        java.nio.file.Files.setLastModifiedTime(dir.resolve("hr.csv"),
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(600)));
        Browser person = Browser.signedIn(op, TestAdmins.PASSWORD);
        String id = person.api()
                .contentType("application/json").body(Map.of("name", "Pw " + m, "kind", "directory", "location",
                        dir.toAbsolutePath().toString(), "scope", "created", "absent", "leave", "autoApply", true, "limits",
                        Map.of("create", 10, "update", 10, "suspend", 10, "delete", 10)))
                .post("/api/sources").then().statusCode(201).extract().path("id");
        JsonPath run = person.api().post("/api/sources/" + id + "/run?wait=true").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("REFUSED", run.getString("status"), run.prettify());
        assertTrue(run.getString("reason").contains("hr.csv, line 1, column \"attr.tempPasswd\""), run.getString("reason"));
        assertEquals(0, storedPlaintext(secret));
    }

    /** Security review (bounds-fix) M1: the spellings that got through, and the about-password columns that hold none. */
    @Test
    void passwordWordsAreFoundInEverySpellingAndAboutPasswordNamesStayExempt() {
        for (String name : new String[] { "Initial Pass", "Temp Pass", "Default Pass", "New PW", "Initial PIN", "tempPass",
                "attr.initialPass", "InitialPW", "temppass", "Temp password - expires", "Password (expires)", "Kennwort",
                "Mot de passe", "MotDePasse", "Contraseña", "contrasena", "Passwort", "user_pwd", "PWD", "passwd2",
                "Pass\u200Bword", "P\u00ADassword", "\uFF30\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44",
                "P\u0430ssword", "\u0420assw\u043Erd", "Passw\u03BFrd", "P\u0430ss",
                "Te\u200Bmp P\u0430ss", "Ｉｎｉｔｉａｌ ＰＷ", "Password Hash", "Pass Word", "Secret", "Пароль", "Начальный пароль", "初始密码" }) {
            assertTrue(PasswordColumns.passwordLike(name), "a password column: " + name);
        }
        for (String name : new String[] { "Password Hash Function", "Change Password at Next Sign-In", "Must change password",
                "Password expires", "Password Expiry Date", "Password last changed", "Password never expires",
                "Force password change", "Passport Number", "Compass", "Bypass", "Spinner", "Email", "Department",
                "Pinned", "Init", "Shipping" }) {
            assertTrue(!PasswordColumns.passwordLike(name), "not a password column: " + name);
        }
    }

    /** M1: in Roster's own format attr.tempPass and attr.initialPass are refused (they were planned, the value stored). */
    @Test
    void aRosterFileWithATempPassAttributeIsRefused() {
        String op = admins.create(AdminRole.OPERATOR);
        for (String column : new String[] { "attr.tempPass", "attr.initialPass", "attr.newPW" }) {
            String m = "pwt" + System.nanoTime();
            String secret = "S3cret-" + m;
            byte[] csv = ("email,given_name,family_name," + column + "\n" + m + "@x.example,A,B," + secret + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            JsonPath batch = VendorUploadTest.planned(op, csv, "onboard", "people.csv");
            assertEquals("REJECTED", batch.getString("status"), column + ": " + batch.prettify());
            assertTrue(batch.getString("error").startsWith("people.csv, line 1, column \"" + column + "\""), batch.getString("error"));
            assertEquals(0, storedPlaintext(secret));
        }
    }

    /** M1: a chosen mapping is checked by its target too: "Init" mapped to attr.initialPwd is refused. */
    @Test
    void aChosenMappingToAPasswordAttributeIsRefusedWhateverTheColumnsName() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pwm" + System.nanoTime();
        String secret = "S3cret-" + m;
        for (String[] column : new String[][] { { "Init", "attr.initialPwd" }, { "Start", "attr.tempPass" },
                { "Initial Pass", "attr.start" }, { "Temp password - expires", "attr.expires" } }) {
            byte[] csv = ("Mail,Vorname,Nachname," + column[0] + "\n" + m + "@x.example,A,B," + secret + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Response r = VendorUploadTest.upload(op, csv, "onboard", "hr.csv", Map.of("mapping", "{\"Mail\":\"email\","
                    + "\"Vorname\":\"given_name\",\"Nachname\":\"family_name\",\"" + column[0] + "\":\"" + column[1] + "\"}"));
            assertEquals(422, r.statusCode(), column[0] + ": " + r.asString());
            assertTrue(r.jsonPath().getString("error").startsWith("hr.csv, line 1, column \"" + column[0] + "\""), r.asString());
            assertTrue(!r.asString().contains(secret), "the value is never echoed");
        }
        assertEquals(0, storedPlaintext(secret));
        // A profile with such a mapping is refused when it is saved, not only when it is used.
        Browser.signedIn(op, TestAdmins.PASSWORD).api().contentType("application/json")
                .body("{\"name\": \"Init " + m + "\", \"columns\": [{\"column\": \"Mail\", \"target\": \"email\"}, "
                        + "{\"column\": \"Init\", \"target\": \"attr.initialPwd\"}]}")
                .post("/api/mapping-profiles").then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
                .body(org.hamcrest.Matchers.containsString("holds passwords"));
    }
}
