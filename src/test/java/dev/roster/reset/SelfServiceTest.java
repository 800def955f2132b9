package dev.roster.reset;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

import dev.roster.access.AdminRole;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.mail.MailFixtures;
import dev.roster.plan.UserStatus;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.TestAdmins;
import dev.roster.support.Sql;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** The public self-service pages of directory users: "Forgot your password?" and "Change my password" (#25). */
@QuarkusTest
class SelfServiceTest {

    static final String OLD_PASSWORD = "copper lantern above the harbour";
    static final String NEW_PASSWORD = "seven quiet herons at dusk 19";

    @Inject
    PasswordLinks links;
    @Inject
    MailFixtures fixtures;
    @Inject
    Sql sql;
    @Inject
    ResettableTokenGuessThrottle throttle;
    @Inject
    TestAdmins admins;
    @Inject
    SetPasswordService passwords;

    @AfterEach
    void forgetRequests() {
        throttle.clear();
    }

    private DirectoryUser user(String what, UserStatus status, String password) {
        String m = what + "-" + System.nanoTime();
        DirectoryUser u = fixtures.user(m + "@example.com", status, "Sam", "Self", null);
        sql.update("UPDATE directory_user SET username = ?, password_hash = ? WHERE id = ?", m,
                password == null ? null : PasswordHasher.hash(password), u.id);
        u.username = m;
        return u;
    }

    @Test
    void forgotAnswersAlikeForEveryAccountAndMailsAWorkingLinkOnce() {
        throttle.clear();
        DirectoryUser known = user("forgot", UserStatus.ACTIVE, OLD_PASSWORD);
        DirectoryUser suspended = user("forgot-suspended", UserStatus.SUSPENDED, OLD_PASSWORD);
        String unknown = "nobody-" + System.nanoTime() + "@example.com";
        Browser browser = Browser.anonymous();
        browser.get("/forgot").then().statusCode(200).header("Cache-Control", "no-store")
                .body(containsString("csrf-token")).body(containsString("Username or e-mail address"));

        // The username, in other case, names the user; the answer is the same for an unknown and a suspended account.
        Response forKnown = browser.postForm("/forgot", Map.of("name", known.username.toUpperCase()));
        Response forUnknown = browser.postForm("/forgot", Map.of("name", unknown));
        Response forSuspended = browser.postForm("/forgot", Map.of("name", suspended.email));
        forKnown.then().statusCode(200).body(containsString("Check your mail"));
        assertEquals(forKnown.statusCode(), forUnknown.statusCode());
        assertEquals(forKnown.statusCode(), forSuspended.statusCode());
        assertEquals(forKnown.asString(), forUnknown.asString(), "the same page, byte for byte");
        assertEquals(forKnown.asString(), forSuspended.asString());
        assertFalse(forKnown.asString().contains(known.username) || forKnown.asString().contains(known.email));

        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(known.email, "Reset your password", 1));
        // Requests are handled in order on one thread: once the suspended one is refused, all three are done.
        await(() -> sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ?", suspended.email.toLowerCase()) == 1);
        assertEquals(1, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", known.id), "one mail");
        assertEquals(0, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", suspended.id));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.reset-issued' AND target_user_id = ?"
                + " AND actor_kind = 'public' AND actor_name = 'self-service' AND actor_ip IS NOT NULL", known.id));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND actor_kind = 'public' AND details::jsonb ->> 'account' = ? AND details::jsonb ->> 'reason' = 'unknown account'"
                + " AND details::jsonb ->> 'page' = 'forgot' AND target_user_id IS NULL", unknown));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ? AND details::jsonb ->> 'reason' = 'account suspended'",
                suspended.email.toLowerCase()));

        // The link is the CSV reset's: it sets the password once.
        browser.get("/reset/" + token).then().statusCode(200).body(containsString(known.email));
        browser.postForm("/reset/" + token, Map.of("password", NEW_PASSWORD, "confirm", NEW_PASSWORD))
                .then().statusCode(200).body(containsString("Your password is saved"));
        assertTrue(PasswordHasher.verify(NEW_PASSWORD, fixtures.reload(known.id).passwordHash));

        // Without the CSRF token nothing is asked for.
        browser.postFormWithoutToken("/forgot", Map.of("name", known.email)).then().statusCode(403);
    }

    @Test
    void forgotIsThrottledPerAccountSilentlyAndPerIpOpenly() {
        throttle.clear();
        DirectoryUser u = user("flood", UserStatus.ACTIVE, null);
        Browser browser = Browser.anonymous();
        for (int i = 0; i < 4; i++) {
            browser.postForm("/forgot", Map.of("name", u.email)).then().statusCode(200).body(containsString("Check your mail"));
        }
        // Three mails an hour for one account; the fourth request is answered alike and dropped (and audited).
        await(() -> sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ? AND details::jsonb ->> 'reason' = 'throttled'", u.email) == 1);
        assertEquals(3, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", u.id));
        // Ten requests an hour from one IP: the eleventh gets the "too many" page, whatever account it names.
        for (int i = 4; i < 10; i++) {
            browser.postForm("/forgot", Map.of("name", "nobody-" + i + "-" + System.nanoTime())).then().statusCode(200);
        }
        browser.postForm("/forgot", Map.of("name", "nobody-" + System.nanoTime())).then().statusCode(429)
                .body(containsString("Too many requests")).body(not(containsString("Check your mail")));
        browser.postForm("/forgot", Map.of("name", u.email)).then().statusCode(429);
        assertEquals(3, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", u.id));
        // A blank name is a field error, before any count.
        browser.postForm("/forgot", Map.of("name", " ")).then().statusCode(422)
                .body(containsString("Enter your username or e-mail address."));
    }

    @Test
    void changeMyPasswordChecksTheCurrentOneAppliesThePolicyAndEndsOpenLinks() {
        DirectoryUser u = user("change", UserStatus.ACTIVE, OLD_PASSWORD);
        DirectoryUser suspended = user("change-suspended", UserStatus.SUSPENDED, OLD_PASSWORD);
        QuarkusTransaction.requiringNew().run(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.RESET, null));
        QuarkusTransaction.requiringNew().run(() -> links.issue(u.id, u.email, u.name(), TokenPurpose.INVITE, null));
        String resetToken = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "Reset your password", 1));
        String inviteToken = MailFixtures.tokenIn(MailFixtures.awaitMail(u.email, "You are invited: set your password", 1));
        DirectoryUser twin = user("change-twin", UserStatus.ACTIVE, OLD_PASSWORD);
        Browser browser = Browser.anonymous();
        browser.get("/password/change").then().statusCode(200).header("Cache-Control", "no-store")
                .body(containsString("Current password")).body(containsString("12 to 128 characters"));

        // A wrong password, an unknown account and a suspended one (with its right password): one answer.
        Response wrong = change(browser, u.username, "not the password at all", NEW_PASSWORD, NEW_PASSWORD);
        Response unknown = change(browser, "nobody-" + System.nanoTime(), OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
        Response refusedSuspended = change(browser, suspended.email, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
        wrong.then().statusCode(401).body(containsString("is not right"));
        assertEquals(401, unknown.statusCode());
        assertEquals(401, refusedSuspended.statusCode());
        assertEquals(withoutValue(wrong), withoutValue(unknown), "the same page but for the name typed");
        assertEquals(withoutValue(wrong), withoutValue(refusedSuspended));
        // A name that fits two users (one's username is the other's e-mail) fits nobody, even with the right password.
        sql.update("UPDATE directory_user SET username = ? WHERE id = ?", twin.email, u.id);
        change(browser, "<b>\"x\"</b>", OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(401)
                .body(containsString("value=\"&lt;b&gt;&quot;x&quot;&lt;/b&gt;\"")).body(not(containsString("<b>\"x")));
        Response ambiguous = change(browser, twin.email, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
        assertEquals(401, ambiguous.statusCode());
        assertEquals(withoutValue(wrong), withoutValue(ambiguous));
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, fixtures.reload(twin.id).passwordHash));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'reason' = 'names more than one user' AND details::jsonb ->> 'account' = ?",
                twin.email.toLowerCase()));
        sql.update("UPDATE directory_user SET username = ? WHERE id = ?", u.username, u.id);
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, fixtures.reload(suspended.id).passwordHash));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'page' = 'password-change' AND details::jsonb ->> 'reason' = 'wrong password'"
                + " AND details::jsonb ->> 'account' = ?", u.username));

        // The right current password: the policy, field by field.
        change(browser, u.email, OLD_PASSWORD, "short", "short").then().statusCode(422)
                .body(containsString("Use at least 12 characters")).body(containsString("id=\"password-error\""));
        change(browser, u.email, OLD_PASSWORD, u.email, u.email).then().statusCode(422)
                .body(containsString("Do not use your email address"));
        change(browser, u.email, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!").then().statusCode(422)
                .body(containsString("id=\"confirm-error\"")).body(containsString("The two passwords differ"))
                .body(not(containsString("id=\"password-error\"")));
        change(browser, u.email, OLD_PASSWORD, OLD_PASSWORD, OLD_PASSWORD).then().statusCode(422)
                .body(containsString("Choose a password different from the current one."));
        change(browser, u.username, "", NEW_PASSWORD, NEW_PASSWORD).then().statusCode(422)
                .body(containsString("Enter your current password."));
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, fixtures.reload(u.id).passwordHash), "nothing changed yet");

        // A right current password with an unusable new one is audited, never a silent answer.
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'reason' = ? AND details::jsonb ->> 'account' = ?",
                PasswordChange.NEW_PASSWORD_REJECTED, u.email));
        long versionBefore = fixtures.reload(u.id).version;
        change(browser, u.username, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(200)
                .body(containsString("Your password is changed"));
        DirectoryUser after = fixtures.reload(u.id);
        assertTrue(PasswordHasher.verify(NEW_PASSWORD, after.passwordHash));
        assertFalse(PasswordHasher.verify(OLD_PASSWORD, after.passwordHash));
        assertEquals(versionBefore, after.version, "a password is not what a batch's plan looked at");
        // The reset link sent before no longer works.
        browser.get("/reset/" + resetToken).then().statusCode(404);
        browser.get("/invite/" + inviteToken).then().statusCode(404);
        assertEquals(0, sql.count("SELECT count(*) FROM password_token WHERE user_id = ? AND used_at IS NULL AND voided_at IS NULL",
                u.id));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.changed' AND target_user_id = ?"
                + " AND actor_kind = 'user' AND actor_id = ? AND actor_ip IS NOT NULL", u.id, u.id));
        MailFixtures.awaitMail(u.email, "Your password was changed", 1);

        browser.postFormWithoutToken("/password/change", Map.of("name", u.email, "current", NEW_PASSWORD,
                "password", OLD_PASSWORD, "confirm", OLD_PASSWORD)).then().statusCode(403);
        assertTrue(PasswordHasher.verify(NEW_PASSWORD, fixtures.reload(u.id).passwordHash));
    }

    @Test
    void wrongCurrentPasswordsAreThrottledLikeSignIns() {
        DirectoryUser u = user("change-throttle", UserStatus.ACTIVE, OLD_PASSWORD);
        Browser browser = Browser.anonymous();
        for (int i = 0; i < 3; i++) {
            change(browser, u.username, "wrong password number " + i, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(401);
        }
        // Past the free attempts, even the right password waits (and is not checked).
        change(browser, u.username, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(429)
                .body(containsString("Too many failed attempts"));
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, fixtures.reload(u.id).passwordHash));
        // Failures are summarised per account, IP and window: the first is an event at once, the rest wait for it to close.
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ?", u.username));
        assertEquals(1, sql.count("SELECT count(*) FROM sign_in_failure_window WHERE account_key = ? AND attempts = 4"
                + " AND channel = 'password-change'", "user:change:" + u.username));
        // The admin sign-in of the same name is not held back by this page.
        assertEquals(0, sql.count("SELECT count(*) FROM sign_in_failure_window WHERE account_key = ?", u.username));
    }

    /** Decision 0036: imported hashes are checked on a public page, so what they may cost is bounded. */
    @Test
    void importedHashesAreCheckedWithinTheCeilingAndReplacedByRostersOwn() {
        // 128 MiB is above the verify ceiling (64 MiB): not computed, the plain refusal, the admin is told to reset.
        DirectoryUser costly = user("change-costly", UserStatus.ACTIVE, null);
        sql.update("UPDATE directory_user SET password_hash = ? WHERE id = ?", argon2(OLD_PASSWORD, 131072, 1), costly.id);
        Browser browser = Browser.anonymous();
        change(browser, costly.username, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(401)
                .body(containsString("is not right"));
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, fixtures.reload(costly.id).passwordHash), "unchanged");
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'reason' = ? AND details::jsonb ->> 'account' = ?", PasswordChange.TOO_COSTLY,
                costly.username));
        Browser admin = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
        admin.get("/users/" + costly.id).then().statusCode(200).body(containsString("needs a reset"));
        admin.get("/users/" + user("change-cheap", UserStatus.ACTIVE, OLD_PASSWORD).id).then().statusCode(200).body(not(containsString("needs a reset")));

        // An imported bcrypt hash that verifies is replaced by Roster's own, even when the new password is refused.
        DirectoryUser imported = user("change-bcrypt", UserStatus.ACTIVE, null);
        String bcrypt = OpenBSDBCrypt.generate(OLD_PASSWORD.toCharArray(), new byte[16], 10);
        sql.update("UPDATE directory_user SET password_hash = ? WHERE id = ?", bcrypt, imported.id);
        long version = fixtures.reload(imported.id).version;
        change(browser, imported.username, OLD_PASSWORD, "short", "short").then().statusCode(422);
        DirectoryUser rehashed = fixtures.reload(imported.id);
        assertTrue(rehashed.passwordHash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), rehashed.passwordHash);
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, rehashed.passwordHash));
        assertEquals(version, rehashed.version);
    }

    /** Every refusal takes at least roster.self-service.min-refusal-time, whatever the account's hash costs. */
    @Test
    void refusalsTakeTheMinimumTime() {
        long started = System.nanoTime();
        change(Browser.anonymous(), "nobody-" + System.nanoTime(), OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
                .then().statusCode(401);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs >= 400, "took " + tookMs + " ms");
    }

    /** A user changing their own password does not make an admin's planned batch stale (decision 0036). */
    @Test
    void aPasswordChangeDoesNotMakeAPlannedBatchStale() {
        DirectoryUser u = user("change-batch", UserStatus.ACTIVE, OLD_PASSWORD);
        String op = admins.create(AdminRole.OPERATOR);
        String id = Batches.upload(op, TestAdmins.PASSWORD, "email,department\n" + u.email + ",Harbour\n", "update",
                "update.csv");
        assertEquals(1L, Batches.awaitPlanned(op, TestAdmins.PASSWORD, id).getLong("summary.update"));
        change(Browser.anonymous(), u.username, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(200);
        given().auth().preemptive().basic(op, TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": 1, \"deleteCount\": 0}").post("/api/batches/" + id + "/apply").then().statusCode(202);
        assertEquals("APPLIED", Batches.awaitApplied(op, TestAdmins.PASSWORD, id).getString("status"));
        DirectoryUser after = fixtures.reload(u.id);
        assertEquals("Harbour", after.department);
        assertTrue(PasswordHasher.verify(NEW_PASSWORD, after.passwordHash));
    }

    /** Two changes with the same current password: the second finds another hash under the row lock, and stops. */
    @Test
    void aChangeIsRefusedWhenThePasswordChangedSinceItWasChecked() {
        DirectoryUser u = user("change-race", UserStatus.ACTIVE, OLD_PASSWORD);
        String checked = fixtures.reload(u.id).passwordHash;
        change(Browser.anonymous(), u.username, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(200);
        String other = "another quiet password 42";
        assertTrue(passwords.change(u.id, checked, PasswordHasher.hash(other), OLD_PASSWORD, other, other, null, null)
                instanceof SetPasswordService.Outcome.InvalidLink);
        assertTrue(PasswordHasher.verify(NEW_PASSWORD, fixtures.reload(u.id).passwordHash));
    }

    /** Counted under the user found too: wrong passwords spread over the user's names still hold the user back. */
    @Test
    void wrongPasswordsUnderEachOfAUsersNamesCountForTheUser() {
        DirectoryUser u = user("change-names", UserStatus.ACTIVE, OLD_PASSWORD);
        Browser browser = Browser.anonymous();
        for (String name : new String[] {u.username, u.email, u.username.toUpperCase(), u.email.toUpperCase()}) {
            change(browser, name, "wrong password for " + name, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(401);
        }
        // The name typed has one failure (case is ignored, two each); the user has four: the plain refusal, no wait shown.
        change(browser, u.username, OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).then().statusCode(401)
                .body(containsString("is not right"));
        assertTrue(PasswordHasher.verify(OLD_PASSWORD, fixtures.reload(u.id).passwordHash));
    }

    /** Review #6, #9: one step per count, IPv6 per /64, bounded keys, an overall hourly limit of mails. */
    @Test
    void forgotCountersAreAtomicBoundedAndPerNetwork() throws Exception {
        throttle.clear();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.atomic.AtomicInteger allowed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 64; i++) {
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (throttle.allow("atomic", 5, java.time.Duration.ofHours(1))) {
                    allowed.incrementAndGet();
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(5, allowed.get());

        assertEquals(TokenGuessThrottle.network("2001:db8:1:2:aaaa::1"), TokenGuessThrottle.network("2001:db8:1:2:bbbb:0:0:2"));
        assertFalse(TokenGuessThrottle.network("2001:db8:1:2::1").equals(TokenGuessThrottle.network("2001:db8:1:3::1")));
        assertEquals("192.0.2.1", TokenGuessThrottle.network("192.0.2.1"));

        for (int i = 0; i < TokenGuessThrottle.MAX_KEYS; i++) {
            throttle.allow("filler " + i, 1, java.time.Duration.ofHours(1));
        }
        assertFalse(throttle.allow("one more", 1, java.time.Duration.ofHours(1)), "full of live keys: refused");
        Browser.anonymous().postForm("/forgot", Map.of("name", "anyone")).then().statusCode(429);
        throttle.clear();

        // The overall limit: the hour's mails are spent, so a known user's request sends nothing, and says so once.
        DirectoryUser u = user("forgot-all", UserStatus.ACTIVE, null);
        for (int i = 0; i < 500; i++) {
            throttle.allow(ForgotPassword.ALL_MAILS, 500, java.time.Duration.ofHours(1));
        }
        Browser browser = Browser.anonymous();
        browser.postForm("/forgot", Map.of("name", u.email)).then().statusCode(200);
        browser.postForm("/forgot", Map.of("name", u.username)).then().statusCode(200);
        await(() -> sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ? AND details::jsonb ->> 'reason' = 'hourly mail limit reached'",
                u.username) == 1);
        assertEquals(0, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", u.id));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ? AND occurred_at > now() - interval '1 hour'",
                ForgotPassword.ALL_ACCOUNTS));
        throttle.clear();
    }

    /** An invited user who was never sent an invitation cannot activate themself through /forgot (by default). */
    @Test
    void forgotSendsNothingToAnInvitedUserNeverInvited() {
        throttle.clear();
        DirectoryUser u = user("forgot-invited", UserStatus.INVITED, null);
        Browser.anonymous().postForm("/forgot", Map.of("name", u.email)).then().statusCode(200)
                .body(containsString("Check your mail"));
        await(() -> sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.self-service-refused'"
                + " AND details::jsonb ->> 'account' = ? AND details::jsonb ->> 'reason' = 'invited without invitation'",
                u.email) == 1);
        assertEquals(0, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?", u.id));
        assertEquals(1, sql.count("SELECT count(*) FROM sign_in_failure_window WHERE account_key = ?", "user:forgot:" + u.email));
    }

    /** Review #10, #11: names are compared as PostgreSQL lower-cases them, after NFC; headers hold on "/forgot/". */
    @Test
    void signInNamesAreNormalisedAndTrailingSlashesKeepTheHeaders() {
        DirectoryUser u = user("forgot-nfc", UserStatus.ACTIVE, null);
        String composed = "jos\u00e9-" + System.nanoTime();
        sql.update("UPDATE directory_user SET username = ? WHERE id = ?", composed, u.id);
        String typed = java.text.Normalizer.normalize(composed.toUpperCase(), java.text.Normalizer.Form.NFD);
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> DirectoryUser.findBySignInName(typed)).size());
        Browser browser = Browser.anonymous();
        for (String path : new String[] {"/forgot/", "/password/change/"}) {
            assertEquals("no-store", browser.get(path).header("Cache-Control"), path);
        }
    }

    private static String argon2(String password, int memoryKib, int passes) {
        byte[] salt = new byte[16];
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib).withIterations(passes).withParallelism(1).withSalt(salt).build());
        byte[] out = new byte[32];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + passes + ",p=1$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(out);
    }

    private static Response change(Browser browser, String name, String current, String password, String confirm) {
        return browser.postForm("/password/change", Map.of("name", name, "current", current, "password", password,
                "confirm", confirm));
    }

    /** The page without the name typed (shown again in its field). */
    private static String withoutValue(Response page) {
        return page.asString().replaceAll("value=\"[^\"]*\" autocapitalize", "value=\"\" autocapitalize");
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not reached in 20 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
