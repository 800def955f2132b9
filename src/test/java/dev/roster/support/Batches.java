package dev.roster.support;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import io.restassured.path.json.JsonPath;

/** Uploads CSV text through the API and waits for its plan, as a script would. */
public final class Batches {

    private Batches() {
    }

    /** Uploads and returns the new batch's id. */
    public static String upload(String email, String password, String csv, String operation, String fileName) {
        return upload(email, password, csv, operation, fileName, "email");
    }

    /** Uploads with users matched by {@code matchBy} (email, external_id, username). */
    public static String upload(String email, String password, String csv, String operation, String fileName, String matchBy) {
        return given().auth().preemptive().basic(email, password).header("X-Roster-Client", "test")
                .multiPart("file", fileName, csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", operation)
                .multiPart("matchBy", matchBy)
                .post("/api/batches")
                .then().statusCode(202).extract().path("id");
    }

    /** Polls GET /api/batches/{id} until the batch leaves PLANNING (planning runs in the background). */
    public static JsonPath awaitPlanned(String email, String password, String id) {
        return awaitLeaving(email, password, id, "PLANNING");
    }

    /** Polls until the batch leaves APPLYING. */
    public static JsonPath awaitApplied(String email, String password, String id) {
        return awaitLeaving(email, password, id, "APPLYING");
    }

    /** Uploads, waits for the plan and applies it with the right confirmation; returns the batch when done. */
    public static JsonPath uploadAndApply(String email, String password, String csv, String operation) {
        return uploadAndApply(email, password, csv, operation, "email");
    }

    /** {@link #uploadAndApply(String, String, String, String)} with users matched by {@code matchBy}. */
    public static JsonPath uploadAndApply(String email, String password, String csv, String operation, String matchBy) {
        String id = upload(email, password, csv, operation, operation + ".csv", matchBy);
        JsonPath planned = awaitPlanned(email, password, id);
        long changes = planned.getLong("summary.create") + planned.getLong("summary.update")
                + planned.getLong("summary.delete") + planned.getLong("summary.reset");
        given().auth().preemptive().basic(email, password).contentType("application/json")
                .body("{\"confirm\": " + changes + ", \"deleteCount\": " + planned.getLong("summary.delete") + "}")
                .post("/api/batches/" + id + "/apply")
                .then().statusCode(202);
        return awaitApplied(email, password, id);
    }

    private static JsonPath awaitLeaving(String email, String password, String id, String state) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            JsonPath batch = given().auth().preemptive().basic(email, password).get("/api/batches/" + id)
                    .then().statusCode(200).extract().jsonPath();
            if (!state.equals(batch.getString("status"))) {
                return batch;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("batch " + id + " still " + state + " after 60 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
