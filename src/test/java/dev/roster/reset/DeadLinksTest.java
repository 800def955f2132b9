package dev.roster.reset;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.mail.MailFixtures;
import dev.roster.mail.MailSender;
import dev.roster.plan.UserStatus;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.GreenMailResource;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue #12: a reset or invitation link dies when its user's email changes or the user is
 * suspended or deleted, and a restore does not revive it. Each test holds a link issued before,
 * makes the change through the API a script would use, and tries the link on the public pages.
 */
@QuarkusTest
class DeadLinksTest {

    @Inject
    PasswordLinks links;
    @Inject
    MailFixtures fixtures;
    @Inject
    MailSender sender;
    @Inject
    TestAdmins admins;
    @Inject
    ResettableTokenGuessThrottle throttle;
    @Inject
    Sql sql;
    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void forgetBadLinks() {
        throttle.clear();
    }

    private static String email(String what) {
        return what + "-" + System.nanoTime() + "@example.com";
    }

    /** An active user with a reset link, read from the delivered mail. */
    private String resetLinkOf(DirectoryUser u) {
        QuarkusTransaction.requiringNew().run(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.RESET, null));
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 1));
        given().get("/reset/" + token).then().statusCode(200);
        return token;
    }

    private static void assertDead(String token) {
        Browser visitor = Browser.anonymous();
        visitor.get("/reset/" + token).then().statusCode(ResetPasswordResource.INVALID_STATUS);
        visitor.postForm("/reset/" + token, Map.of("password", SetPasswordTest.GOOD_PASSWORD, "confirm",
                SetPasswordTest.GOOD_PASSWORD)).then().statusCode(ResetPasswordResource.INVALID_STATUS);
    }

    private String operator() {
        return admins.create(AdminRole.OPERATOR);
    }

    private static void apply(String op, String csv, String operation) {
        String status = Batches.uploadAndApply(op, TestAdmins.PASSWORD, csv, operation).getString("status");
        assertEquals("APPLIED", status, csv);
    }

    @Test
    void anEmailChangeThroughACsvUpdateKillsTheLinkAndChangingItBackDoesNotReviveIt() {
        DirectoryUser u = fixtures.user(email("moved"), UserStatus.ACTIVE, "Mo", "Ved", null);
        String token = resetLinkOf(u);
        String op = operator();
        String moved = email("moved-new");
        apply(op, "email,new_email\n" + u.email + "," + moved + "\n", "update");
        assertDead(token);
        apply(op, "email,new_email\n" + moved + "," + u.email + "\n", "update");
        assertDead(token);
        assertNull(fixtures.reload(u.id).passwordHash, "no password was set");
    }

    @Test
    void aSuspensionKillsTheLinkAndReactivationDoesNotReviveIt() {
        DirectoryUser u = fixtures.user(email("suspended"), UserStatus.ACTIVE, "Sus", "Pended", null);
        String token = resetLinkOf(u);
        String op = operator();
        apply(op, "email,status\n" + u.email + ",SUSPENDED\n", "update");
        assertDead(token);
        apply(op, "email,status\n" + u.email + ",ACTIVE\n", "update");
        assertEquals(UserStatus.ACTIVE, fixtures.reload(u.id).status);
        assertDead(token);
    }

    @Test
    void aDeletionKillsTheLinkAndARestoreDoesNotReviveIt() {
        DirectoryUser u = fixtures.user(email("deleted"), UserStatus.ACTIVE, "De", "Leted", null);
        // Bystanders keep one deletion under the delete cap (20% of the users) even in an empty directory.
        for (int i = 0; i < 4; i++) {
            fixtures.user(email("bystander"), UserStatus.ACTIVE, "By", "Stander", null);
        }
        String token = resetLinkOf(u);
        String op = operator();
        apply(op, "email\n" + u.email + "\n", "delete");
        assertDead(token);
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).header("X-Roster-Client", "test").post("/api/users/" + u.id + "/restore")
                .then().statusCode(200);
        assertEquals(UserStatus.ACTIVE, fixtures.reload(u.id).status);
        assertDead(token);
    }

    @Test
    void aQueuedMailWhoseLinkDiedIsCancelledNotSent() {
        DirectoryUser u = fixtures.user(email("queued"), UserStatus.ACTIVE, "Que", "Ued", null);
        UUID message;
        GreenMailResource.stopServer();
        try {
            message = QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.RESET,
                    null));
            // Let the sender try once and fail (connection refused): the mail waits PENDING for its retry, not claimed.
            long deadline = System.currentTimeMillis() + 30_000;
            while (sql.count("SELECT count(*) FROM mail_outbox WHERE id = ? AND status = 'PENDING' AND attempts >= 1", message) == 0
                    && System.currentTimeMillis() < deadline) {
                sender.sendDue();
            }
            // Directly in SQL, as any path that changes users would: the database itself voids the link.
            sql.update("UPDATE directory_user SET status = 'SUSPENDED', version = version + 1 WHERE id = ?", u.id);
            Map<String, Object> row = sql.rows("SELECT status, token_secret, last_error FROM mail_outbox WHERE id = ?", message)
                    .get(0);
            assertEquals("CANCELLED", row.get("status"), row.toString());
            assertNull(row.get("token_secret"), "the encrypted link is dropped");
            assertEquals("cancelled: the user was suspended", row.get("last_error"));
        } finally {
            GreenMailResource.startAgain();
        }
        sender.sendDue();
        assertEquals(0, MailFixtures.mailsTo(u.email).size(), "a cancelled mail is never sent");
        assertEquals(1, sql.count("SELECT count(*) FROM password_token WHERE user_id = ? AND voided_at IS NOT NULL", u.id));
    }

    /**
     * The links trigger plans its join for each statement (V20). Planned once per connection, as PL/pgSQL does
     * for a static query, the plan made for a one-row update became a nested loop that a 40,000-row update on
     * the same connection ran over 1.6 billion pairs (a membership apply of 100k users sat for minutes). The
     * timeout is two orders of magnitude above the hash join's time, so only the quadratic plan can reach it.
     */
    @Test
    void aLargeUpdateAfterASmallOneOnTheSameConnectionIsNotQuadraticInTheLinksTrigger() throws Exception {
        String domain = "@plan-" + System.nanoTime() + ".example.com";
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("DISCARD PLANS"); // whatever the pooled connection planned before, the next call plans anew
            c.setAutoCommit(false);
            try {
                st.execute("SET LOCAL statement_timeout = '20s'");
                st.executeUpdate("INSERT INTO directory_user (id, email, status) SELECT gen_random_uuid(), 'u' || g || '" + domain
                        + "', 'ACTIVE' FROM generate_series(1, 40000) g");
                assertEquals(1, st.executeUpdate("UPDATE directory_user SET version = version + 1 WHERE email = 'u1" + domain + "'"));
                assertEquals(40000, st.executeUpdate("UPDATE directory_user SET version = version + 1 WHERE email LIKE '%"
                        + domain + "'"));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }
}
