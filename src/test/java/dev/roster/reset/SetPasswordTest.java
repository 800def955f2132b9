package dev.roster.reset;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.SecureTokens;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.mail.MailFixtures;
import dev.roster.mail.OutboxMessage;
import dev.roster.plan.UserStatus;
import dev.roster.support.Browser;
import dev.roster.support.MutableClock;
import dev.roster.support.Sql;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

@QuarkusTest
class SetPasswordTest {

    static final String GOOD_PASSWORD = "violet kettle under moonlight 42";

    @Inject
    PasswordLinks links;
    @Inject
    MailFixtures fixtures;
    @Inject
    Sql sql;
    @Inject
    MutableClock clock;
    @Inject
    ResettableTokenGuessThrottle throttle;

    @AfterEach
    void restore() {
        clock.reset();
        throttle.clear();
    }

    private static String email(String what) {
        return what + "-" + System.nanoTime() + "@example.com";
    }

    private UUID issue(DirectoryUser u, TokenPurpose purpose, UUID batchId) {
        return QuarkusTransaction.requiringNew().call(() -> links.issue(u.id, u.email, u.name(), purpose, batchId));
    }

    @Test
    void anInvitationArrivesAndItsLinkSetsThePasswordOnce() throws Exception {
        DirectoryUser u = fixtures.user(email("invite"), UserStatus.INVITED, "Ann", "Lee", "<b>Ann</b> & \"Co\"");
        UUID batch = UUID.randomUUID();
        UUID messageId = issue(u, TokenPurpose.INVITE, batch);

        MimeMessage mail = MailFixtures.awaitMail(u.email, "You are invited: set your password", 1);
        assertEquals(u.email, ((InternetAddress) mail.getAllRecipients()[0]).getAddress());
        assertEquals("no-reply@roster.local", ((InternetAddress) mail.getFrom()[0]).getAddress());
        String text = MailFixtures.part(mail, "text/plain");
        String html = MailFixtures.part(mail, "text/html");
        String token = MailFixtures.tokenIn(mail);
        assertTrue(text.contains("http://localhost:8080/invite/" + token), text);
        assertTrue(html.contains("href=\"http://localhost:8080/invite/" + token + "\""), html);
        assertTrue(html.contains("&lt;b&gt;Ann&lt;/b&gt; &amp; &quot;Co&quot;") && !html.contains("<b>Ann"),
                "markup in names is escaped in the HTML mail: " + html);
        // Only the hash is stored; the raw token is nowhere in the database once sent and used.
        assertNotNull(QuarkusTransaction.requiringNew().call(() -> PasswordToken.findByHash(SecureTokens.sha256Hex(token))));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'invite.issued' AND target_user_id = ?"
                + " AND target_email = ? AND batch_id = ? AND details::jsonb = '{\"purpose\": \"INVITE\"}'::jsonb", u.id, u.email, batch));
        awaitSent(messageId);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'mail.sent' AND target_user_id = ?"
                + " AND target_email = ? AND batch_id = ? AND details::jsonb = jsonb_build_object('messageId', ?::text, 'kind', 'INVITE')",
                u.id, u.email, batch, messageId.toString()));

        Browser browser = Browser.anonymous();
        Response form = browser.get("/invite/" + token);
        form.then().statusCode(200).header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store")
                .body(containsString(u.email)).body(containsString("12 to 128 characters")).body(containsString("csrf-token"));
        assertEquals(1, form.headers().getValues("Referrer-Policy").size(), "the global same-origin is replaced");
        assertEquals(1, form.headers().getValues("Cache-Control").size());
        long versionBefore = fixtures.reload(u.id).version;

        Response done = browser.postForm("/invite/" + token, Map.of("password", GOOD_PASSWORD, "confirm", GOOD_PASSWORD));
        done.then().statusCode(200).header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store")
                .body(containsString("Your password is saved"));
        DirectoryUser after = fixtures.reload(u.id);
        assertTrue(PasswordHasher.verify(GOOD_PASSWORD, after.passwordHash));
        assertTrue(after.passwordHash.startsWith("$argon2id$"));
        assertEquals(UserStatus.ACTIVE, after.status);
        assertEquals(versionBefore + 1, after.version);
        assertTrue(after.updatedAt.isAfter(u.updatedAt));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.set' AND target_user_id = ?"
                + " AND target_email = ? AND actor_kind = 'user' AND actor_ip IS NOT NULL", u.id, u.email));
        OutboxMessage invite = fixtures.message(messageId);
        assertNull(invite.tokenSecret, "a used link is no longer kept");

        MimeMessage changed = MailFixtures.awaitMail(u.email, "Your password was changed", 1);
        String changedText = MailFixtures.part(changed, "text/plain");
        assertFalse(changedText.contains(GOOD_PASSWORD), "never a password in a mail");
        assertFalse(MailFixtures.LINK.matcher(changedText).find());

        // Second use: refused, on both the form and the submission.
        browser.get("/invite/" + token).then().statusCode(404).body(containsString("This link cannot be used"));
        browser.postForm("/invite/" + token, Map.of("password", "another fine passphrase", "confirm", "another fine passphrase"))
                .then().statusCode(404).header("Referrer-Policy", "no-referrer");
        assertTrue(PasswordHasher.verify(GOOD_PASSWORD, fixtures.reload(u.id).passwordHash));
    }

    @Test
    void expiredUnknownUsedAndWrongPurposeLinksGetOneNeutralPage() {
        DirectoryUser u = fixtures.user(email("expire"), UserStatus.ACTIVE, "Bo", "Ng", null);
        issue(u, TokenPurpose.RESET, null);
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 1));
        Browser browser = Browser.anonymous();
        browser.get("/reset/" + token).then().statusCode(200);
        // The invitation page does not take a reset token.
        String wrongPurpose = browser.get("/invite/" + token).then().statusCode(404).extract().asString();

        clock.advance(Duration.ofMinutes(61));
        Response expired = browser.get("/reset/" + token);
        expired.then().statusCode(404).header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store");
        String unknown = browser.get("/reset/" + SecureTokens.newToken(32)).then().statusCode(404).extract().asString();
        String garbage = browser.get("/reset/not-a-token").then().statusCode(404).extract().asString();
        assertEquals(unknown, expired.asString(), "an expired link looks exactly like an unknown one");
        assertEquals(unknown, wrongPurpose);
        assertEquals(unknown, garbage);
        assertFalse(unknown.contains(u.email));
        browser.postForm("/reset/" + token, Map.of("password", GOOD_PASSWORD, "confirm", GOOD_PASSWORD))
                .then().statusCode(404);
        assertNull(fixtures.reload(u.id).passwordHash);
    }

    @Test
    void policyViolationsAreExplainedAndTheLinkStillWorksAfterwards() {
        DirectoryUser u = fixtures.user(email("jdoe.policy"), UserStatus.ACTIVE, "Jane", "Doe", "Jane Doe");
        issue(u, TokenPurpose.RESET, null);
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 1));
        Browser browser = Browser.anonymous();
        browser.get("/reset/" + token).then().statusCode(200);
        String local = u.email.substring(0, u.email.indexOf('@'));

        expectProblem(browser, token, "short", "Use at least 12 characters");
        expectProblem(browser, token, "x".repeat(129), "Use at most 128 characters");
        expectProblem(browser, token, u.email.toUpperCase(), "Do not use your email address");
        expectProblem(browser, token, "my " + local + " secret", "Do not use your email address");
        expectProblem(browser, token, "1qaz2wsx3edc", "too common");
        expectProblem(browser, token, "QWERTY123456", "too common");
        browser.postForm("/reset/" + token, Map.of("password", GOOD_PASSWORD, "confirm", GOOD_PASSWORD + "!"))
                .then().statusCode(422).body(containsString("The two passwords differ"));

        browser.postForm("/reset/" + token, Map.of("password", GOOD_PASSWORD, "confirm", GOOD_PASSWORD))
                .then().statusCode(200).body(containsString("Your password is saved"));
        assertEquals(UserStatus.ACTIVE, fixtures.reload(u.id).status);
    }

    @Test
    void theNameIsRefused() {
        DirectoryUser u = fixtures.user(email("named"), UserStatus.INVITED, "Maximilian", "Oberhuber",
                "Maximilian Oberhuber");
        issue(u, TokenPurpose.INVITE, null);
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "You are invited: set your password", 1));
        Browser browser = Browser.anonymous();
        browser.get("/invite/" + token).then().statusCode(200);
        browser.postForm("/invite/" + token, Map.of("password", "maximilian oberhuber", "confirm", "maximilian oberhuber"))
                .then().statusCode(422).body(containsString("Do not use your name"));
    }

    private static void expectProblem(Browser browser, String token, String password, String message) {
        browser.postForm("/reset/" + token, Map.of("password", password, "confirm", password))
                .then().statusCode(422).body(containsString(message)).body(not(containsString("Your password is saved")));
    }

    @Test
    void issuingANewLinkVoidsTheOldOne() {
        DirectoryUser u = fixtures.user(email("void"), UserStatus.ACTIVE, "Cy", "Ro", null);
        issue(u, TokenPurpose.RESET, null);
        String first = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 1));
        issue(u, TokenPurpose.RESET, null);
        String second = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 2));
        assertNotEquals(first, second);
        Browser browser = Browser.anonymous();
        browser.get("/reset/" + first).then().statusCode(404);
        browser.get("/reset/" + second).then().statusCode(200);
        // An invitation is another purpose: it does not void the reset link.
        issue(u, TokenPurpose.INVITE, null);
        MailFixtures.awaitMail(u.email, "You are invited: set your password", 1);
        browser.get("/reset/" + second).then().statusCode(200);
    }

    @Test
    void issueAllIsSetBasedAndKeepsOnlyTheLastLinkPerUserAndPurpose() {
        String domain = "bulk" + System.nanoTime() + ".example.com";
        java.util.List<DirectoryUser> users = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            users.add(fixtures.user("u" + i + "@" + domain, UserStatus.INVITED, "U", "" + i, null));
        }
        java.util.List<LinkRequest> requests = new java.util.ArrayList<>();
        users.forEach(u -> requests.add(new LinkRequest(u.id, u.email, u.name(), TokenPurpose.INVITE, null)));
        // The first user twice: the second link voids the first.
        requests.add(new LinkRequest(users.get(0).id, users.get(0).email, "again", TokenPurpose.INVITE, null));
        long issued = QuarkusTransaction.requiringNew().call(() -> links.issueAll(requests.iterator()));
        assertEquals(31, issued);
        long open = QuarkusTransaction.requiringNew().call(() -> PasswordToken.count(
                "userId in ?1 and usedAt is null and voidedAt is null", users.stream().map(u -> u.id).toList()));
        assertEquals(30, open);
        MailFixtures.awaitMail(users.get(29).email, "You are invited: set your password", 1);
        MailFixtures.awaitMail(users.get(0).email, "You are invited: set your password", 2);
        // Mails go out in parallel: tell the two apart by the name each was issued with.
        String second = null;
        String first = null;
        for (var mail : MailFixtures.mailsTo(users.get(0).email)) {
            if (MailFixtures.part(mail, "text/plain").contains("Hello again,")) {
                second = MailFixtures.tokenIn(mail);
            } else {
                first = MailFixtures.tokenIn(mail);
            }
        }
        Browser browser = Browser.anonymous();
        browser.get("/invite/" + second).then().statusCode(200);
        browser.get("/invite/" + first).then().statusCode(404);
    }

    @Test
    void aRolledBackIssueSendsNothing() {
        DirectoryUser u = fixtures.user(email("rollback"), UserStatus.ACTIVE, "Di", "Vo", null);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                links.issue(u.id, u.email, u.name(), TokenPurpose.RESET, null);
                throw new IllegalStateException("the apply failed");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        assertEquals(0L, (long) QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count("userId", u.id)));
    }

    @Test
    void tokenGuessingIsRateLimitedPerIp() {
        Browser browser = Browser.anonymous();
        for (int i = 0; i < 20; i++) {
            browser.get("/reset/" + SecureTokens.newToken(32)).then().statusCode(404);
        }
        browser.get("/reset/" + SecureTokens.newToken(32)).then().statusCode(429).body(containsString("Too many attempts"))
                .header("Referrer-Policy", "no-referrer");
        // Even a valid link waits until the window has passed.
        DirectoryUser u = fixtures.user(email("throttle"), UserStatus.ACTIVE, "Ed", "Fu", null);
        issue(u, TokenPurpose.RESET, null);
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 1));
        browser.get("/reset/" + token).then().statusCode(429);
        clock.advance(Duration.ofMinutes(11));
        browser.get("/reset/" + token).then().statusCode(200);
    }

    private void awaitSent(UUID messageId) {
        long deadline = System.currentTimeMillis() + 90_000;
        while (fixtures.message(messageId).status != dev.roster.mail.OutboxStatus.SENT) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("message " + messageId + " not marked SENT");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
