package dev.roster.audit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.roster.access.AdminRole;
import dev.roster.sql.Jdbc;
import dev.roster.support.Browser;
import dev.roster.support.OwnerSql;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The attacks of issue 12 on the audit trail, each performed and failing: a purge of everything (future or
 * too recent cutoff), a purge with replayable Basic credentials, a forged checkpoint, and the table owner
 * truncating the tail or rewriting the chain with recomputed hashes under an auditor's saved checkpoint.
 * The four-eyes purge itself (the one purge of the suite) is AuditTest's last test.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditGovernanceTest {

    @Inject
    AuditTrail trail;
    @Inject
    Jdbc jdbc;
    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    @Test
    void aPurgeWithAFutureCutoffIsRefusedAndRemovesNothing() {
        long before = sql.count("SELECT count(*) FROM audit_event");
        long requests = sql.count("SELECT count(*) FROM audit_purge_request");
        Browser admin = Browser.signedIn(admins.create(AdminRole.ADMIN), TestAdmins.PASSWORD);
        // The attack of the trial: one request, any future date.
        Response api = admin.request().header("X-CSRF-TOKEN", admin.csrfToken()).contentType("application/x-www-form-urlencoded")
                .formParam("before", "9999-12-31").post("/api/audit/purge");
        assertEquals(422, api.statusCode(), api.asString());
        assertTrue(api.jsonPath().getString("error").contains("lies in the future"), api.asString());
        Response page = admin.postForm("/audit/purge", Map.of("before", "9999-12-31"));
        assertEquals(422, page.statusCode());
        assertTrue(page.asString().contains("lies in the future"), page.asString());
        // Inside the retention period (365 days by default): refused too.
        Response recent = admin.postForm("/audit/purge", Map.of("before", Instant.now().minus(java.time.Duration.ofDays(30)).toString()));
        assertEquals(422, recent.statusCode());
        assertTrue(recent.asString().contains("inside the minimum retention of 365 days"), recent.asString());
        assertTrue(sql.count("SELECT count(*) FROM audit_event") >= before, "nothing removed");
        assertEquals(requests, sql.count("SELECT count(*) FROM audit_purge_request"), "nothing requested");
    }

    @Test
    void aPurgeThroughReplayableBasicCredentialsIsRefused() {
        long requests = sql.count("SELECT count(*) FROM audit_purge_request");
        // A cross-site form post that a browser would send with cached Basic credentials (and no session).
        Response forged = given().redirects().follow(false).auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .cookies(Browser.anonymous().cookies()).contentType("application/x-www-form-urlencoded")
                .formParam("before", "2000-01-01").post("/api/audit/purge");
        assertEquals(403, forged.statusCode(), forged.asString());
        assertEquals(requests, sql.count("SELECT count(*) FROM audit_purge_request"));
    }

    /**
     * The hostile admin's second account: A makes B an admin through the Admins page (and B makes E), A requests a
     * purge, and neither B, E nor an admin made after the request may approve it; the request stays pending. An older
     * independent admin C can approve. The cutoff lies before every event, so no purge here removes anything and the
     * clock is not moved (AuditTest's last test is the suite's one real purge, where a puppet is refused too).
     */
    @Test
    void aPurgeCannotBeApprovedByAnAdminTheRequesterMadeOrOneNewerThanTheRequest() {
        String c = admins.create(AdminRole.ADMIN); // independent, and older than the request below
        String a = admins.create(AdminRole.ADMIN);
        Browser requester = Browser.signedIn(a, TestAdmins.PASSWORD);
        String b = addAdmin(requester);
        String e = addAdmin(Browser.signedIn(b, TestAdmins.PASSWORD)); // a puppet's puppet
        long events = sql.count("SELECT count(*) FROM audit_event");
        String id = requestPurge(requester, "2000-01-01");
        for (String puppetEmail : List.of(b, e)) {
            Browser puppet = Browser.signedIn(puppetEmail, TestAdmins.PASSWORD);
            Response api = puppet.request().header("X-CSRF-TOKEN", puppet.csrfToken()).post("/api/audit/purges/" + id + "/approve");
            assertEquals(403, api.statusCode(), api.asString());
            assertTrue(api.jsonPath().getString("error").contains("made your account an admin"), api.asString());
            Response page = puppet.postForm("/audit/purge/" + id + "/approve", Map.of());
            assertEquals(403, page.statusCode());
            assertTrue(page.asString().contains("independent admin"), page.asString());
        }
        // An admin made after the request, by nobody the requester controls, is too new to approve it.
        Browser newer = Browser.signedIn(admins.create(AdminRole.ADMIN), TestAdmins.PASSWORD);
        Response tooNew = newer.request().header("X-CSRF-TOKEN", newer.csrfToken()).post("/api/audit/purges/" + id + "/approve");
        assertEquals(403, tooNew.statusCode(), tooNew.asString());
        assertTrue(tooNew.jsonPath().getString("error").contains("newer than this request"), tooNew.asString());
        assertEquals("REQUESTED", status(id));
        assertTrue(sql.count("SELECT count(*) FROM audit_event") >= events, "nothing removed");
        // The older independent admin approves (nothing is older than the cutoff: nothing to remove).
        Browser independent = Browser.signedIn(c, TestAdmins.PASSWORD);
        JsonPath done = independent.request().header("X-CSRF-TOKEN", independent.csrfToken())
                .post("/api/audit/purges/" + id + "/approve").then().statusCode(200).extract().jsonPath();
        assertEquals(0, done.getLong("count"));
        assertEquals("DONE", status(id));
    }

    /**
     * Two puppets that made each other admins hide who made them (each account keeps its last grant): the line of
     * grants loops instead of ending at the first admin or the identity provider, and such a line proves nothing.
     */
    @Test
    void puppetsThatMadeEachOtherAdminsCannotApproveTheirMakersPurge() {
        Browser requester = Browser.signedIn(admins.create(AdminRole.ADMIN), TestAdmins.PASSWORD);
        String b = addAdmin(requester);
        String c = addAdmin(requester);
        // A re-role ends the re-roled admin's sessions: the requester, who knows both passwords, signs in again.
        regrant(b, c);
        regrant(c, b);
        String id = requestPurge(requester, "2000-01-01");
        for (String puppetEmail : List.of(b, c)) {
            Browser puppet = Browser.signedIn(puppetEmail, TestAdmins.PASSWORD);
            Response api = puppet.request().header("X-CSRF-TOKEN", puppet.csrfToken()).post("/api/audit/purges/" + id + "/approve");
            assertEquals(403, api.statusCode(), api.asString());
            assertTrue(api.jsonPath().getString("error").contains("in a circle"), api.asString());
        }
        assertEquals("REQUESTED", status(id));
        requester.request().header("X-CSRF-TOKEN", requester.csrfToken()).post("/api/audit/purges/" + id + "/reject")
                .then().statusCode(200);
    }

    /** The signed-in admin demotes and promotes the other admin again: the grant is now theirs. */
    private void regrant(String byEmail, String email) {
        Browser by = Browser.signedIn(byEmail, TestAdmins.PASSWORD);
        Object id = sql.rows("SELECT id FROM admin_account WHERE email = ?", email).get(0).get("id");
        for (String role : List.of("operator", "admin")) {
            Response changed = by.postForm("/admins/" + id + "/role", Map.of("role", role));
            assertEquals(303, changed.statusCode());
            assertTrue(changed.header("Location").contains("/admins"), changed.header("Location"));
        }
        assertEquals(sql.rows("SELECT id FROM admin_account WHERE email = ?", byEmail).get(0).get("id"), sql.rows("SELECT admin_granted_by FROM admin_account WHERE email = ?", email).get(0)
                .get("admin_granted_by"));
    }

    private String status(String requestId) {
        return (String) sql.rows("SELECT status FROM audit_purge_request WHERE id = ?", UUID.fromString(requestId)).get(0)
                .get("status");
    }

    /** The admin that the signed-in browser adds through the Admins page (role admin). */
    static String addAdmin(Browser by) {
        String email = "made-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        Response added = by.postForm("/admins", Map.of("email", email, "name", "Made", "password", TestAdmins.PASSWORD,
                "role", "admin"));
        assertEquals(200, added.statusCode(), added.asString());
        // As if the new admin had already replaced the password they were given (AccountTest covers that step).
        OwnerSql.update("UPDATE admin_account SET must_change_password = false WHERE email = ?", email);
        return email;
    }
    private static String requestPurge(Browser requester, String before) {
        Response requested = requester.request().header("X-CSRF-TOKEN", requester.csrfToken())
                .contentType("application/x-www-form-urlencoded").formParam("before", before).post("/api/audit/purge");
        assertEquals(202, requested.statusCode(), requested.asString());
        return requested.jsonPath().getString("id");
    }

    // ---------------------------------------------------------------- the table owner's attacks on a saved checkpoint

    @Test
    void verifyAgainstASavedCheckpointReportsATruncatedTail() throws Exception {
        UUID batch = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            record(AuditActor.system(), new AuditEventDraft(AuditAction.BATCH_PLANNED, null, null, batch, Map.of()));
        }
        String saved = adminApi().post("/api/audit/checkpoints").then().statusCode(200).extract().asString();
        assertTrue(verifyAgainst(saved).getBoolean("ok"));
        long headSeq = JsonPath.from(saved).getLong("headSeq");
        try (Connection c = OwnerSql.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + AuditTrail.CHAIN_LOCK + ")"); // no append while the tail is gone
            s.execute("CREATE TEMP TABLE stolen AS SELECT * FROM audit_event WHERE seq >= " + (headSeq - 1));
            try {
                c.setAutoCommit(false);
                // The owner's attack: off with the trigger, off with the tail (the checkpoint's head included).
                s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
                s.execute("DELETE FROM audit_event WHERE seq >= " + (headSeq - 1));
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only");
                c.commit();
                JsonPath against = verifyAgainst(saved);
                assertFalse(against.getBoolean("ok"), against.prettify());
                assertTrue(against.getString("firstBroken.reason").startsWith("truncated tail"), against.prettify());
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                s.execute("INSERT INTO audit_event SELECT * FROM stolen WHERE seq NOT IN (SELECT seq FROM audit_event)");
                s.execute("SELECT pg_advisory_unlock(" + AuditTrail.CHAIN_LOCK + ")");
            }
        }
        assertTrue(verifyAgainst(saved).getBoolean("ok"), "restored");
    }

    @Test
    void verifyAgainstASavedCheckpointReportsARewrittenChain() throws Exception {
        UUID batch = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            record(AuditActor.system(), new AuditEventDraft(AuditAction.BATCH_PLANNED, null, null, batch, Map.of()));
        }
        String saved = adminApi().post("/api/audit/checkpoints").then().statusCode(200).extract().asString();
        long target = sql.count("SELECT min(seq) FROM audit_event WHERE batch_id = ?", batch);
        try (Connection c = OwnerSql.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + AuditTrail.CHAIN_LOCK + ")");
            List<AuditRecord> originals = new ArrayList<>();
            try {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_event WHERE seq >= ? ORDER BY seq")) {
                    ps.setLong(1, target);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            originals.add(AuditQuery.read(rs));
                        }
                    }
                }
                // The owner's attack: edit an event and recompute every hash after it, so the chain links again.
                s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
                String prev = originals.get(0).prevHash();
                for (AuditRecord r : originals) {
                    AuditRecord forged = new AuditRecord(r.seq(), r.id(), r.occurredAt(), r.actorKind(), r.actorId(),
                            r.seq() == target ? "Mallory" : r.actorName(), r.actorIp(), r.actorUserAgent(), r.action(),
                            r.targetUserId(), r.targetEmail(), r.batchId(), r.details(), prev, null);
                    String hash = AuditHash.compute(forged);
                    update(c, r.seq(), forged.actorName(), prev, hash);
                    prev = hash;
                }
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only");
                c.commit();
                // A walk of the chain alone finds nothing wrong: the rewrite is consistent ...
                Response full = adminApi().get("/api/audit/verify?full=true");
                if (full.statusCode() == 200) {
                    assertTrue(full.jsonPath().getBoolean("ok"), full.asString());
                }
                // ... but the saved checkpoint no longer matches.
                JsonPath against = verifyAgainst(saved);
                assertFalse(against.getBoolean("ok"), against.prettify());
                assertTrue(against.getString("firstBroken.reason").startsWith("rewritten history"), against.prettify());
            } finally {
                c.rollback();
                s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
                // (the restore runs in one transaction, committed below)
                for (AuditRecord r : originals) {
                    update(c, r.seq(), r.actorName(), r.prevHash(), r.hash());
                }
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only");
                c.commit();
                c.setAutoCommit(true);
                s.execute("SELECT pg_advisory_unlock(" + AuditTrail.CHAIN_LOCK + ")");
            }
        }
        assertTrue(verifyAgainst(saved).getBoolean("ok"), "restored");
    }

    @Test
    void aForgedCheckpointIsNotBelieved() {
        String saved = adminApi().post("/api/audit/checkpoints").then().statusCode(200).extract().asString();
        JsonPath cp = JsonPath.from(saved);
        String text = cp.getString("text").replaceFirst("headSeq=\\d+", "headSeq=1");
        JsonPath result = adminApi().contentType("application/json")
                .body(Map.of("text", text, "signature", cp.getString("signature"))).post("/api/audit/verify").then()
                .statusCode(200).extract().jsonPath();
        assertFalse(result.getBoolean("ok"));
        assertTrue(result.getString("firstBroken.reason").contains("not one this Roster signed"), result.prettify());
    }

    private static void update(Connection c, long seq, String actorName, String prev, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE audit_event SET actor_name = ?, prev_hash = ?, hash = ? WHERE seq = ?")) {
            ps.setString(1, actorName);
            ps.setString(2, prev);
            ps.setString(3, hash);
            ps.setLong(4, seq);
            ps.executeUpdate();
        }
    }

    private static io.restassured.specification.RequestSpecification adminApi() {
        return given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                .cookies(Browser.anonymous().cookies()).contentType("application/json");
    }

    private static JsonPath verifyAgainst(String savedCheckpointJson) throws IOException {
        return adminApi().body(savedCheckpointJson).post("/api/audit/verify").then().statusCode(200).extract().jsonPath();
    }

    /** One event in a transaction of its own: the append joins its caller's transaction and never starts one. */
    private void record(AuditActor actor, AuditEventDraft draft) {
        QuarkusTransaction.requiringNew().run(() -> jdbc.inCallersTransaction(c -> trail.record(c, actor, draft)));
    }
}
