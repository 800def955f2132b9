package dev.roster.scim;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.roster.access.HashingSlots;
import dev.roster.access.SignInConfig;
import dev.roster.support.ScimLimits;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;

/**
 * SCIM resource exhaustion (security review M5, and the unfiltered user count): each test performs the attack a
 * token holder could run and checks that Roster bounds it.
 */
@QuarkusTest
class ScimExhaustionTest {

    @Inject
    Sql sql;
    @Inject
    HashingSlots hashing;
    @Inject
    SignInConfig signIn;
    @Inject
    ScimLimits limits;

    /** Sends raw request headers (and a little of the body) and returns the status line, or fails after 5 s of waiting. */
    private String statusLineOf(String headers, String bodyStart) throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((headers + "\r\n" + bodyStart).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void aBulkBodyOverTheLimitIsRefusedOnItsHeadersBeforeItIsRead() throws Exception {
        String token = Scim.token("read-write");
        // Announces 100 MB (under the app's 110 MB upload limit) and sends 16 bytes: Roster must answer at once,
        // not wait for (and buffer) the rest.
        String request = "POST /scim/v2/Bulk HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/scim+json\r\nContent-Length: 100000000\r\n";
        String status = statusLineOf(request, "{\"Operations\": [");
        assertTrue(status != null && status.contains(" 413"), "413 before the body was read, got: " + status);
        String chunked = "POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n";
        String chunkedStatus = statusLineOf(chunked, "10\r\n{\"userName\": \"x\r\n");
        assertTrue(chunkedStatus != null && chunkedStatus.contains(" 411"), "a body without a length: 411, got: " + chunkedStatus);
        // Within the limit, a request is served as before.
        Scim.as("read").get("/scim/v2/Users?count=1").then().statusCode(200);
    }

    @Test
    void scimPasswordsWaitForTheSignInHashingSlots() throws Exception {
        Scim.token("read-write"); // minted first: HTTP Basic sign-in needs a hashing slot too
        int slots = signIn.maxConcurrentHashes();
        CountDownLatch held = new CountDownLatch(slots);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(slots);
        String email = Scim.unique("hashed");
        String body = """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "%s",
                 "name": {"givenName": "Hash", "familyName": "Slots"}, "emails": [{"value": "%s", "primary": true}], "password": "a long Pass phrase 4 the slots"}"""
                .formatted(email, email);
        try {
            for (int i = 0; i < slots; i++) {
                pool.submit(() -> hashing.inSlot(() -> {
                    held.countDown();
                    try {
                        return release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }));
            }
            assertTrue(held.await(10, TimeUnit.SECONDS), "the test holds every hashing slot");
            // Every slot is busy (sign-ins hashing, say): a SCIM create with a password must not hash beside them.
            Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(503).header("Retry-After", equalTo("5"))
                    .body("status", equalTo("503"));
            assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email = ?", email), "nothing written");
        } finally {
            release.countDown();
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(201);
    }

    @Test
    void groupListsLeaveMembersOutUnlessAskedAndCapThem() {
        String prefix = "Capped " + UUID.randomUUID().toString().substring(0, 6);
        String alice = Scim.createId(Scim.unique("alice"));
        String bob = Scim.createId(Scim.unique("bob"));
        for (String name : List.of(prefix + " A", prefix + " B")) {
            Scim.rw().body("{\"displayName\": \"" + name + "\", \"members\": [{\"value\": \"" + alice + "\"}, {\"value\": \""
                    + bob + "\"}]}").post("/scim/v2/Groups").then().statusCode(201);
        }
        String filter = "displayName sw \"" + prefix + "\"";
        Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "displayName").get("/scim/v2/Groups").then()
                .statusCode(200).body("totalResults", equalTo(2)).body("itemsPerPage", equalTo(2))
                .body("Resources[0].members", nullValue()).body("Resources[1].members", nullValue());
        Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "displayName").queryParam("attributes", "displayName,members")
                .get("/scim/v2/Groups").then().statusCode(200).body("itemsPerPage", equalTo(2))
                .body("Resources[0].members.size()", equalTo(2)).body("Resources[1].members.size()", equalTo(2));
        limits.maxListedMembers(3);
        try {
            // Four members on the page would pass the cap of three: the page ends after the first group.
            Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "displayName").queryParam("attributes", "displayName,members")
                    .get("/scim/v2/Groups").then().statusCode(200).body("totalResults", equalTo(2))
                    .body("itemsPerPage", equalTo(1)).body("Resources[0].displayName", equalTo(prefix + " A"));
            Scim.as("read").queryParam("filter", filter).queryParam("sortBy", "displayName").queryParam("attributes", "displayName,members")
                    .queryParam("startIndex", 2).get("/scim/v2/Groups").then().statusCode(200).body("itemsPerPage", equalTo(1))
                    .body("Resources[0].displayName", equalTo(prefix + " B")).body("Resources[0].members.size()", equalTo(2));
        } finally {
            limits.maxListedMembers(null);
        }
    }

    @Test
    void memberPatchesOfTensOfThousandsAreDeDuplicatedAsSets() {
        int n = 40_000;
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String group = Scim.rw().body("{\"displayName\": \"Big " + tag + "\"}").post("/scim/v2/Groups").then().statusCode(201)
                .extract().path("id");
        try {
            sql.update("INSERT INTO directory_user (id, email, status, attributes) SELECT gen_random_uuid(), 'big-' || ? || '-' || i "
                    + "|| '@example.org', 'ACTIVE', '{}'::jsonb FROM generate_series(1, ?) i", tag, n);
            sql.update("INSERT INTO group_membership (group_id, user_id) SELECT ?::uuid, id FROM directory_user WHERE email LIKE ?",
                    group, "big-" + tag + "-%");
            List<String> ids = new ArrayList<>();
            sql.rows("SELECT id::text AS id FROM directory_user WHERE email LIKE ?", "big-" + tag + "-%")
                    .forEach(r -> ids.add((String) r.get("id")));
            StringBuilder same = new StringBuilder();
            StringBuilder unknown = new StringBuilder();
            for (String id : ids) {
                same.append(same.length() == 0 ? "" : ",").append("{\"value\": \"").append(id).append("\"}");
                unknown.append(unknown.length() == 0 ? "" : ",").append("{\"value\": \"").append(UUID.randomUUID()).append("\"}");
            }
            // add: every value is already a member (40k x 40k comparisons if compared pairwise)
            long started = System.nanoTime();
            Scim.rw().body(Scim.patch("{\"op\": \"add\", \"path\": \"members\", \"value\": [" + same + "]}"))
                    .patch("/scim/v2/Groups/" + group).then().statusCode(200);
            long addMillis = (System.nanoTime() - started) / 1_000_000;
            // remove: none of the values is a member
            started = System.nanoTime();
            Scim.rw().body(Scim.patch("{\"op\": \"remove\", \"path\": \"members\", \"value\": [" + unknown + "]}"))
                    .patch("/scim/v2/Groups/" + group).then().statusCode(200);
            long removeMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(n, sql.count("SELECT count(*) FROM group_membership WHERE group_id = ?::uuid", group));
            assertTrue(addMillis < 8000 && removeMillis < 8000,
                    "member patches are linear: add took " + addMillis + " ms, remove " + removeMillis + " ms");
        } finally {
            sql.update("DELETE FROM group_membership WHERE group_id = ?::uuid", group);
            sql.update("DELETE FROM directory_user WHERE email LIKE ?", "big-" + tag + "-%");
        }
    }

    @Test
    void anUnfilteredUserListDoesNotCountTheDirectoryOnEveryCall() {
        Scim.createId(Scim.unique("counted")); // a SCIM create: the next list counts afresh
        int first = Scim.as("read").get("/scim/v2/Users?count=1").then().statusCode(200).extract().path("totalResults");
        assertEquals(sql.count("SELECT count(*) FROM directory_user WHERE status <> 'DELETED'"), first);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try {
            // Written beside SCIM (as a batch would): a list right after it is answered without counting again.
            sql.update("INSERT INTO directory_user (id, email, status, attributes) VALUES (gen_random_uuid(), ?, 'ACTIVE', '{}'::jsonb)",
                    "uncounted-" + tag + "@example.org");
            Scim.as("read").get("/scim/v2/Users?count=1").then().statusCode(200).body("totalResults", equalTo(first));
            // A SCIM create is counted at once.
            Scim.createId(Scim.unique("counted"));
            Scim.as("read").get("/scim/v2/Users?count=1").then().statusCode(200).body("totalResults", equalTo(first + 2));
            // A page that ends the list is its own total.
            Scim.as("read").get("/scim/v2/Users?count=1000&startIndex=" + first).then().statusCode(200)
                    .body("totalResults", equalTo(first + 2)).body("itemsPerPage", equalTo(3));
        } finally {
            sql.update("DELETE FROM directory_user WHERE email = ?", "uncounted-" + tag + "@example.org");
        }
    }
}
