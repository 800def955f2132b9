package dev.roster.batch;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.roster.plan.CorpusTest;
import dev.roster.plan.CorpusTest.Case;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Every file of the malformed-input corpus (src/test/resources/corpus) through the real upload
 * path, POST /api/batches: the batch ends REJECTED with a message naming the file and the
 * problem, or PLANNED with the manifest's counts; never a 500, and planning writes no user.
 * The directory holds the same users as CorpusTest's fake one while these run.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadCorpusTest {

    private static final List<String> SEEDED = List.of("existing@example.org", "existing2@example.org",
            "deleted@example.org", "suspended@example.org");

    @Inject
    Sql sql;

    static Stream<Case> cases() throws Exception {
        return CorpusTest.cases();
    }

    @BeforeAll
    void seedTheCorpusDirectory() {
        sql.update("""
                INSERT INTO directory_user (id, email, external_id, given_name, family_name, department, title, status, attributes, version)
                VALUES (md5('existing')::uuid, 'existing@example.org', 'E-100', 'Existing', 'User', 'Sales', 'Engineer', 'ACTIVE',
                        '{"costCenter": "CC-1"}'::jsonb, 3)
                ON CONFLICT DO NOTHING""");
        String[][] others = { { "existing2@example.org", "E-101", "ACTIVE" }, { "deleted@example.org", "E-102", "DELETED" },
                { "suspended@example.org", "E-103", "SUSPENDED" } };
        for (String[] u : others) {
            sql.update("""
                    INSERT INTO directory_user (id, email, external_id, given_name, family_name, status, version)
                    VALUES (md5(?)::uuid, ?, ?, 'Given', 'Family', ?, 7) ON CONFLICT DO NOTHING""", u[0], u[0], u[1], u[2]);
        }
    }

    @AfterAll
    void removeTheCorpusDirectory() {
        for (String email : SEEDED) {
            sql.update("DELETE FROM directory_user WHERE email = ?", email);
        }
    }

    /** What the directory holds, so a test can prove that planning changed none of it. */
    static String directoryFingerprint(Sql sql) {
        return String.valueOf(sql.rows("""
                SELECT count(*) AS n, coalesce(md5(string_agg(id::text || ':' || version || ':' || status || ':' || email, ','
                       ORDER BY id)), '-') AS h FROM directory_user""").get(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void uploadedCorpusFile(Case c) {
        String before = directoryFingerprint(sql);
        String fileName = c.file().substring(c.file().lastIndexOf('/') + 1);
        Response response = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", fileName, CorpusTest.bytes(c.file()), "text/csv")
                .multiPart("operation", c.operation().name().toLowerCase())
                .multiPart("matchBy", c.matchBy().name().toLowerCase())
                .post("/api/batches");
        int status = response.statusCode();
        assertTrue(status == 202 || status == 400, fileName + ": HTTP " + status + " " + response.asString());
        if (status == 400) {
            // Refused before a batch exists (an empty file): the answer names the file and the problem.
            assertEquals("refused", c.outcome(), response.asString());
            String error = response.jsonPath().getString("error");
            assertTrue(error.startsWith(fileName + ": ") && error.contains(c.expect()), error);
            assertEquals(before, directoryFingerprint(sql));
            return;
        }
        String id = response.jsonPath().getString("id");
        JsonPath batch = Batches.awaitPlanned(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD, id);
        if (c.outcome().equals("refused")) {
            assertEquals("REJECTED", batch.getString("status"), batch.prettify());
            String error = batch.getString("error");
            assertNotNull(error, batch.prettify());
            assertTrue(error.startsWith(fileName + (c.line() == null ? ": " : ", line " + c.line())), error);
            assertTrue(error.contains(c.expect()), error);
            assertEquals(0, sql.count("SELECT count(*) FROM plan_item WHERE batch_id = ?::uuid", id));
        } else {
            assertEquals("PLANNED", batch.getString("status"), batch.prettify());
            checkCounts(c, id, batch);
        }
        assertEquals(before, directoryFingerprint(sql), "planning " + fileName + " changed the directory");
    }

    private static void checkCounts(Case c, String id, JsonPath batch) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String kind : List.of("create", "update", "delete", "reset", "unchanged", "error")) {
            expected.put(kind, 0L);
        }
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String kind : expected.keySet()) {
            actual.put(kind, batch.getLong("summary." + kind));
        }
        for (String part : c.expect().split(" ")) {
            String[] kv = part.split("=");
            switch (kv[0]) {
                case "WARNING" -> assertEquals(Long.parseLong(kv[1]), batch.getLong("summary.warning"), batch.prettify());
                case "fileWarnings" -> assertEquals(Integer.parseInt(kv[1]), batch.getList("warnings").size(), batch.prettify());
                case "lines" -> {
                    List<Long> lines = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                            .queryParam("size", 500).get("/api/batches/" + id + "/changes")
                            .then().statusCode(200).extract().jsonPath().getList("items.line", Long.class);
                    assertEquals(Arrays.stream(kv[1].split(";")).map(Long::valueOf).toList(), lines);
                }
                default -> expected.put(kv[0].toLowerCase(), Long.parseLong(kv[1]));
            }
        }
        assertEquals(expected, actual, batch.prettify());
        assertEquals(actual.values().stream().mapToLong(Long::longValue).sum(), batch.getLong("rows"), batch.prettify());
    }

    @Test
    void theCorpusHasAtLeastFortyDistinctCases() throws Exception {
        List<Case> all = cases().toList();
        assertTrue(all.size() >= 40, "corpus size " + all.size());
        assertFalse(all.stream().map(Case::file).distinct().count() < all.size(), "a file is listed twice");
    }
}
