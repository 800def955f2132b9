package dev.roster.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Batches through a forked Roster's API, as a script would drive them. */
public final class RemoteBatches {

    private RemoteBatches() {
    }

    /** An onboarding file of {@code rows} new users {@code marker-<n>@example.org}, n from {@code first}. */
    public static String onboarding(String marker, int first, int rows) {
        StringBuilder csv = new StringBuilder("email,given_name,family_name,department\n");
        for (int i = first; i < first + rows; i++) {
            csv.append(marker).append('-').append(i).append("@example.org,Given").append(i).append(",Family,Sales\n");
        }
        return csv.toString();
    }

    public static String upload(RosterProcess roster, String csv, String operation) {
        return roster.api().multiPart("file", operation + ".csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", operation).post("/api/batches")
                .then().statusCode(202).extract().path("id");
    }

    public static JsonPath batch(RosterProcess roster, String id) {
        return roster.api().get("/api/batches/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the batch satisfies the condition. */
    public static JsonPath await(RosterProcess roster, String id, Predicate<JsonPath> condition, String what, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonPath batch = batch(roster, id);
            if (condition.test(batch)) {
                return batch;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("batch " + id + " not " + what + " after " + timeout + ": " + batch.prettify());
            }
            RosterProcess.sleep(50);
        }
    }

    public static JsonPath awaitStatus(RosterProcess roster, String id, String status, Duration timeout) {
        return await(roster, id, b -> status.equals(b.getString("status")), status, timeout);
    }

    public static JsonPath awaitPlanned(RosterProcess roster, String id) {
        JsonPath batch = await(roster, id, b -> !"PLANNING".equals(b.getString("status")), "planned", Duration.ofSeconds(120));
        if (!"PLANNED".equals(batch.getString("status"))) {
            throw new AssertionError("batch " + id + " was not planned: " + batch.prettify());
        }
        return batch;
    }

    public static long changes(JsonPath batch) {
        return batch.getLong("summary.create") + batch.getLong("summary.update") + batch.getLong("summary.delete")
                + batch.getLong("summary.reset");
    }

    /** POST /api/batches/{id}/apply with the right confirmation; the caller checks the answer. */
    public static Response apply(RosterProcess roster, String id, long confirm) {
        return roster.api().contentType("application/json").body("{\"confirm\": " + confirm + "}")
                .post("/api/batches/" + id + "/apply");
    }

    public static void assertAuditChainVerifies(RosterProcess roster) {
        JsonPath verify = roster.api().get("/api/audit/verify").then().statusCode(200).extract().jsonPath();
        if (!verify.getBoolean("ok")) {
            throw new AssertionError("the audit chain does not verify: " + verify.prettify());
        }
    }
}
