package dev.roster.mail;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.plan.UserStatus;
import dev.roster.reset.LinkRequest;
import dev.roster.reset.PasswordLinks;
import dev.roster.support.Browser;
import dev.roster.support.GreenMailResource;
import dev.roster.support.MutableClock;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.ext.mail.SMTPException;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

@QuarkusTest
class MailOutboxTest {

    @Inject
    PasswordLinks links;
    @Inject
    MailOutbox outbox;
    @Inject
    MailSender sender;
    @Inject
    MailFixtures fixtures;
    @Inject
    MutableClock clock;
    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    @AfterEach
    void restore() {
        clock.reset();
    }

    private List<DirectoryUser> users(String domain, int n) {
        List<DirectoryUser> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add(fixtures.user("u" + i + "@" + domain, UserStatus.INVITED, "U", "" + i, null));
        }
        return users;
    }

    private long issueAll(List<DirectoryUser> users, UUID batch) {
        return QuarkusTransaction.requiringNew().call(() -> links.issueAll(users.stream()
                .map(u -> new LinkRequest(u.id, u.email, u.name(), TokenPurpose.INVITE, batch)).iterator()));
    }

    private long count(UUID batch, OutboxStatus status) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count("batchId = ?1 and status = ?2", batch, status));
    }

    @Test
    void whileSmtpIsDownMessagesAreRetriedAndAllDeliveredOnceItIsBack() {
        String domain = "down" + System.nanoTime() + ".example.com";
        UUID batch = UUID.randomUUID();
        List<DirectoryUser> users = users(domain, 5);
        GreenMailResource.stopServer();
        try {
            issueAll(users, batch);
            // Drive a few passes while the server is down: every attempt fails and is rescheduled.
            for (int i = 0; i < 3; i++) {
                sender.sendDue();
                clock.advance(Duration.ofHours(2));
            }
            sender.sendDue();
            assertEquals(0, count(batch, OutboxStatus.SENT));
            List<OutboxMessage> waiting = QuarkusTransaction.requiringNew().call(() -> OutboxMessage.list("batchId", batch));
            for (OutboxMessage m : waiting) {
                assertTrue(m.attempts >= 2, "retried: " + m.attempts);
                assertTrue(m.status == OutboxStatus.PENDING || m.status == OutboxStatus.SENDING, m.status.name());
                assertNotNull(m.lastError);
                assertNotNull(m.tokenSecret, "the link survives the failures");
            }
        } finally {
            GreenMailResource.startAgain();
        }
        // Generous: a connection opened while the server restarts can hang until its 30 s timeout.
        long deadline = System.currentTimeMillis() + 120_000;
        while (count(batch, OutboxStatus.SENT) < users.size() && System.currentTimeMillis() < deadline) {
            // Moving the clock past the lease of a send in flight (the background sender's) would make
            // it claimable twice: move it only when nothing is being sent.
            awaitNothingSending(batch, deadline);
            clock.advance(Duration.ofHours(2));
            sender.sendDue();
        }
        assertEquals(users.size(), count(batch, OutboxStatus.SENT));
        for (DirectoryUser u : users) {
            List<MimeMessage> received = MailFixtures.mailsTo(u.email);
            assertEquals(1, received.size(), "exactly one mail to " + u.email);
            assertTrue(MailFixtures.LINK.matcher(MailFixtures.part(received.get(0), "text/plain")).find());
        }
    }

    private void awaitNothingSending(UUID batch, long deadline) {
        while (count(batch, OutboxStatus.SENDING) > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void twoSenderLoopsNeverSendOneMessageTwice() throws Exception {
        String domain = "race" + System.nanoTime() + ".example.com";
        UUID batch = UUID.randomUUID();
        List<DirectoryUser> users = users(domain, 60);
        // Queue them for later, so the app's own sender leaves them alone until the clock moves.
        QuarkusTransaction.requiringNew().run(() -> {
            issueAllNoWake(users, batch);
        });
        clock.advance(Duration.ofHours(2));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            loops.add(threads.submit(() -> {
                go.await();
                int claimed = 0;
                int n;
                while ((n = sender.sendDue()) > 0) {
                    claimed += n;
                }
                return claimed;
            }));
        }
        go.countDown();
        for (Future<Integer> f : loops) {
            f.get();
        }
        threads.shutdown();
        long deadline = System.currentTimeMillis() + 90_000;
        while (count(batch, OutboxStatus.SENT) < users.size() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(users.size(), count(batch, OutboxStatus.SENT));
        for (DirectoryUser u : users) {
            assertEquals(1, MailFixtures.mailsTo(u.email).size(), "exactly one mail to " + u.email);
        }
        List<OutboxMessage> sent = QuarkusTransaction.requiringNew().call(() -> OutboxMessage.list("batchId", batch));
        sent.forEach(m -> assertEquals(1, m.attempts, "claimed once"));
    }

    /** Issues links, then pushes the messages an hour into the future (the app's sender cannot see them yet). */
    private void issueAllNoWake(List<DirectoryUser> users, UUID batch) {
        links.issueAll(users.stream().map(u -> new LinkRequest(u.id, u.email, u.name(), TokenPurpose.INVITE, batch)).iterator());
        OutboxMessage.update("nextAttemptAt = ?1 where batchId = ?2", Instant.now().plus(Duration.ofHours(1)), batch);
    }

    @Test
    void aPermanentSmtpReplyFailsTheMessageAtOnceAndKeepsTheReply() {
        DirectoryUser u = fixtures.user("perm" + System.nanoTime() + "@example.com", UserStatus.ACTIVE, "P", "Q", null);
        UUID batch = UUID.randomUUID();
        UUID id = QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.RESET, batch));
        awaitSent(id);
        MailSender.Claimed claimed = claimedByThisTest(id, 1);
        SMTPException rejected = new SMTPException("550 5.1.1 <x>: Recipient address rejected", 550,
                List.of("550 5.1.1 <x>: Recipient address rejected: User unknown"), true);
        assertEquals("550 5.1.1 <x>: Recipient address rejected: User unknown",
                MailSender.smtpReply(MailSender.smtpCause(new RuntimeException(new java.util.concurrent.CompletionException(rejected)))));
        sender.recordFailure(claimed, MailSender.smtpReply(rejected), rejected.isPermanent());
        OutboxMessage m = fixtures.message(id);
        assertEquals(OutboxStatus.FAILED, m.status);
        assertEquals(1, m.attempts);
        assertTrue(m.lastError.contains("User unknown"));
        assertNull(m.tokenSecret, "a failed link is not kept");
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'mail.failed' AND batch_id = ?"
                + " AND details::jsonb->>'messageId' = ? AND details::jsonb->>'smtpReply' LIKE '%550%'", batch, id.toString()));

        // Resend failed: a fresh link, attempts from zero, delivered.
        assertEquals(1, outbox.resendFailed(batch));
        OutboxMessage again = fixtures.message(id);
        assertNotNull(again.tokenSecret);
        MimeMessage mail = MailFixtures.awaitMail(u.email, "Reset your password", 2);
        Browser.anonymous().get("/reset/" + MailFixtures.tokenIn(mail)).then().statusCode(200);
        Browser.anonymous().get("/reset/" + MailFixtures.tokenIn(MailFixtures.mailsTo(u.email).get(0))).then().statusCode(404);
        assertEquals(0, outbox.resendFailed(batch));
    }

    private void awaitSent(UUID id) {
        long deadline = System.currentTimeMillis() + 90_000;
        while (fixtures.message(id).status != OutboxStatus.SENT) {
            assertTrue(System.currentTimeMillis() < deadline, "message " + id + " not sent");
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Plays the claim of one message (status SENDING under a long lease) so the test, not the app's
     * own sender, decides what happens to it (the app's sender has sent it already: this plays a
     * second delivery).
     */
    private MailSender.Claimed claimedByThisTest(UUID id, int attempts) {
        return QuarkusTransaction.requiringNew().call(() -> {
            OutboxMessage m = OutboxMessage.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            m.status = OutboxStatus.SENDING;
            m.attempts = attempts;
            m.leaseUntil = Instant.now().plus(Duration.ofHours(1));
            m.nextAttemptAt = m.leaseUntil;
            return new MailSender.Claimed(m.id, m.kind, m.userId, m.recipient, m.displayName, m.subject, m.batchId,
                    m.tokenSecret, m.linkExpiresAt, m.createdAt, m.attempts);
        });
    }

    @Test
    void theLastAllowedAttemptFailsForGood() {
        DirectoryUser u = fixtures.user("last" + System.nanoTime() + "@example.com", UserStatus.ACTIVE, "L", "A", null);
        UUID id = QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.RESET, null));
        awaitSent(id);
        MailSender.Claimed claimed = claimedByThisTest(id, 8);
        assertEquals(MailSender.Outcome.FAILED, sender.recordFailure(claimed, "421 4.3.2 try later", false));
        assertEquals(OutboxStatus.FAILED, fixtures.message(id).status);
        assertEquals("421 4.3.2 try later", fixtures.message(id).lastError);
    }

    @Test
    void backoffGrowsExponentiallyAndIsCapped() {
        assertTrue(sender.backoff(1).compareTo(Duration.ofSeconds(30)) >= 0 && sender.backoff(1).getSeconds() <= 33);
        assertTrue(sender.backoff(3).getSeconds() >= 120 && sender.backoff(3).getSeconds() <= 132);
        assertTrue(sender.backoff(30).compareTo(Duration.ofHours(1)) >= 0 && sender.backoff(30).getSeconds() <= 3960);
    }

    @Test
    void theSentMailPageListsFiltersAndShowsTheRenderedMailAndItsLink() {
        DirectoryUser u = fixtures.user("page" + System.nanoTime() + "@example.com", UserStatus.INVITED, "Pia",
                "Ritter", "<img src=x onerror=alert(1)>");
        UUID batch = UUID.randomUUID();
        UUID id = QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.INVITE, batch));
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "You are invited: set your password", 1));
        String viewer = admins.create(AdminRole.VIEWER);
        Browser browser = Browser.signedIn(viewer, TestAdmins.PASSWORD);

        browser.get("/mail?recipient=" + u.email.substring(0, 12)).then().statusCode(200)
                .body(containsString(u.email)).body(containsString("href=\"/mail\" aria-current=\"page\""));
        String table = browser.htmxGet("/mail?batch=" + batch + "&status=SENT").then().statusCode(200).extract().asString();
        assertTrue(table.trim().startsWith("<div id=\"mail-table\">") && !table.contains("<html"), table);
        assertTrue(table.contains(u.email));
        assertFalse(browser.htmxGet("/mail?batch=" + batch + "&status=FAILED").asString().contains(u.email));
        browser.get("/mail?status=BOGUS").then().statusCode(400);

        String detail = browser.get("/mail/" + id).then().statusCode(200).extract().asString();
        // Issue #12: a viewer is no longer shown the link (aViewerAndAnOperatorCannotObtainALinkAndAnAdminViewIsAudited).
        assertFalse(detail.contains(token), "the link is withheld from a viewer");
        assertTrue(detail.contains("Links are shown to admins only"), detail);
        assertTrue(detail.contains("<iframe class=\"mail-body\" sandbox=\"\" src=\"/mail/" + id + "/body\""), detail);
        assertFalse(detail.contains("<img src=x"), "escaped in the page");
        io.restassured.response.Response body = browser.get("/mail/" + id + "/body");
        assertEquals(1, body.headers().getValues("Content-Security-Policy").size(), "the global CSP is replaced, not added to");
        assertEquals(1, body.headers().getValues("X-Frame-Options").size());
        body.then().statusCode(200)
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .header("Content-Security-Policy", containsString("sandbox"))
                .header("X-Frame-Options", "SAMEORIGIN")
                .body(containsString("&lt;img src=x onerror=alert(1)&gt;")).body(not(containsString("<img src=x")));
        browser.get("/mail/" + UUID.randomUUID()).then().statusCode(404);

        // The fragment the batch and user pages embed.
        String fragment = browser.htmxGet("/mail/fragment?batch=" + batch).then().statusCode(200).extract().asString();
        assertTrue(fragment.trim().startsWith("<section class=\"mail-status\""), fragment);
        assertTrue(fragment.contains("Sent 1") && fragment.contains("Failed 0") && fragment.contains(u.email), fragment);
        assertTrue(browser.htmxGet("/mail/fragment?user=" + u.id).asString().contains(u.email));
        browser.get("/users/" + u.id).then().statusCode(200).body(containsString("hx-get=\"/mail/fragment?user=" + u.id + "\""));
        browser.get("/mail/fragment").then().statusCode(400);

        // Viewers cannot resend; operators can, with the CSRF token.
        browser.postForm("/mail/resend-failed?batch=" + batch, Map.of()).then().statusCode(403);
        Browser operator = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
        operator.postFormWithoutToken("/mail/resend-failed?batch=" + batch, Map.of()).then().statusCode(403);
        operator.postForm("/mail/resend-failed?batch=" + batch, Map.of()).then().statusCode(303)
                .header("Location", containsString("/mail?batch=" + batch + "&resent=0"));
        // Anonymous visitors are sent to sign in.
        given().redirects().follow(false).get("/mail").then().statusCode(303);
    }

    @Test
    void aViewerAndAnOperatorCannotObtainALinkAndAnAdminViewIsAudited() {
        DirectoryUser u = fixtures.user("peek" + System.nanoTime() + "@example.com", UserStatus.INVITED, "Pe", "Ek", null);
        UUID id = QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.INVITE, null));
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "You are invited: set your password", 1));
        for (AdminRole role : List.of(AdminRole.VIEWER, AdminRole.OPERATOR)) {
            Browser peeker = Browser.signedIn(admins.create(role), TestAdmins.PASSWORD);
            for (String path : List.of("/mail/" + id, "/mail/" + id + "/body", "/mail?recipient=" + u.email,
                    "/mail/fragment?user=" + u.id)) {
                String page = peeker.get(path).then().statusCode(200).extract().asString();
                assertFalse(page.contains(token), role + " obtained the link from " + path);
                assertTrue(page.contains(u.email), path);
            }
        }
        assertEquals(0, linkViews(id), "nobody was shown the link yet");

        String adminEmail = admins.create(AdminRole.ADMIN);
        Browser admin = Browser.signedIn(adminEmail, TestAdmins.PASSWORD);
        // A GET never shows it, not even to an admin (a page elsewhere could make their browser open it): it offers a
        // button, and only its CSRF-checked POST shows the link and records the view.
        admin.get("/mail/" + id).then().statusCode(200).body(not(containsString(token)))
                .body(containsString("action=\"/mail/" + id + "/link\""));
        assertEquals(0, linkViews(id), "opening the page is not a view of the link");
        admin.postFormWithoutToken("/mail/" + id + "/link", Map.of()).then().statusCode(403);
        assertEquals(0, linkViews(id), "a forged post shows nothing");
        admin.postForm("/mail/" + id + "/link", Map.of()).then().statusCode(200)
                .body(containsString("http://localhost:8080/invite/" + token));
        // The body frame never carries it: the POST above is the one audited place.
        admin.get("/mail/" + id + "/body").then().statusCode(200).body(not(containsString(token)));
        admin.postForm("/mail/" + id + "/link", Map.of()).then().statusCode(200);
        List<Map<String, Object>> events = sql.rows("""
                SELECT actor_kind, actor_id, actor_name, target_email, target_user_id, details
                  FROM audit_event WHERE action = 'mail.link-viewed' AND details::jsonb->>'messageId' = ? ORDER BY seq""",
                id.toString());
        assertEquals(2, events.size(), "one event per view: " + events);
        Map<String, Object> event = events.get(0);
        assertEquals("admin", event.get("actor_kind"));
        assertEquals(sql.rows("SELECT id FROM admin_account WHERE email = ?", adminEmail).get(0).get("id"), event.get("actor_id"));
        assertEquals(u.email, event.get("target_email"));
        assertEquals(u.id, event.get("target_user_id"));
        assertFalse(event.get("details").toString().contains(token), "the link itself is never recorded");
    }

    private long linkViews(UUID messageId) {
        return sql.count("SELECT count(*) FROM audit_event WHERE action = 'mail.link-viewed' AND details::jsonb->>'messageId' = ?",
                messageId.toString());
    }

    @Test
    void withTheSentMailPageOffOrAfterUseTheLinkIsNotKept() {
        DirectoryUser u = fixtures.user("kept" + System.nanoTime() + "@example.com", UserStatus.ACTIVE, "K", "E", null);
        UUID id = QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.RESET, null));
        MailFixtures.awaitMail(u.email, "Reset your password", 1);
        assertNotNull(fixtures.message(id).tokenSecret, "kept for the Sent mail page while the link can work");
        clock.advance(Duration.ofMinutes(61));
        outbox.forgetDeadLinks();
        assertNull(fixtures.message(id).tokenSecret, "dropped once expired");
        Browser browser = Browser.admin();
        browser.get("/mail/" + id).then().statusCode(200).body(containsString("no longer kept"))
                .body(not(containsString("Show the link")));
    }
}
