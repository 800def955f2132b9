package dev.roster.journey;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import com.opencsv.CSVReader;

import dev.roster.credentials.PasswordHasher;
import dev.roster.mail.MailFixtures;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import dev.roster.access.AdminRole;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * The main journeys as an admin walks them in a real browser (headless Chromium): sign in,
 * onboard from the template, read and filter the diff, confirm, watch the apply, find the users,
 * meet a conflict and re-plan, revert, delete with a typed confirmation, reset a password through
 * the Sent mail page, filter and download the audit trail, and choose one's own password when another set it;
 * and a directory user's self-service: Forgot your password, the mailed link, Change my password. Every page is checked for console
 * errors and CSP violations. Screenshots go to target/screenshots (and docs/screenshots with
 * -Droster.screenshots.update=true).
 */
@QuarkusTest
class BrowserJourneyTest {

    /** ApplyEngine.APPLY_LOCK: every apply takes it first; holding it keeps an apply visibly APPLYING. */
    private static final long APPLY_LOCK = 0x726f73746572L;
    private static final String ADMIN = Browser.BOOTSTRAP_EMAIL;
    private static final String PASSWORD = Browser.BOOTSTRAP_PASSWORD;

    private static HeadlessChromium chromium;

    @TestHTTPResource("/")
    URL base;
    @Inject
    Sql sql;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    TestAdmins admins;

    @BeforeAll
    static void startBrowser() {
        assertTrue(HeadlessChromium.available(), "the journeys need Debian's chromium and chromium-driver (.ci/run installs them)");
        chromium = new HeadlessChromium();
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @AfterEach
    void noConsoleErrorsOrCspViolations() {
        List<LogEntry> problems = chromium.consoleProblems();
        assertTrue(problems.isEmpty(), () -> "browser console: " + problems.stream().map(LogEntry::toString)
                .collect(Collectors.joining("\n")));
    }

    @Test
    void signIn() {
        chromium.driver.manage().deleteAllCookies();
        open("/batches");
        chromium.await(ExpectedConditions.urlContains("/login?next=%2Fbatches"));
        screenshot("sign-in");
        chromium.type("Email", ADMIN);
        chromium.type("Password", "not the password");
        chromium.button("Sign in").click();
        WebElement alert = chromium.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[role=alert]")));
        assertFalse(alert.getText().isBlank());
        chromium.consoleProblems(); // the refused sign-in answers 401: Chromium logs that as a failed resource
        chromium.type("Password", PASSWORD);
        chromium.button("Sign in").click();
        chromium.await(ExpectedConditions.urlToBe(url("/batches")));
        assertTrue(chromium.present(By.xpath("//nav[@aria-label='Main']//a[normalize-space()='Batches'][@aria-current='page']")));
    }

    @Test
    void theBrowserEnforcesTheCspAndTheConsoleCheckSeesViolations() {
        open("/login");
        chromium.consoleProblems();
        // What an injected inline script would do: the CSP blocks it, and the console check must notice.
        chromium.driver.executeScript("var s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                + " document.head.appendChild(s);");
        assertEquals(null, chromium.driver.executeScript("return window.injected;"), "the inline script did not run");
        List<LogEntry> problems = chromium.consoleProblems();
        assertTrue(problems.stream().anyMatch(e -> e.getMessage().contains("Content Security Policy")), problems::toString);
    }

    @Test
    void onboardFromTheTemplateFilterTheDiffApplyAndFindTheUsers() throws Exception {
        signedIn();
        String m = "onb" + System.nanoTime();
        open("/batches");
        chromium.driver.findElement(By.xpath("//summary[normalize-space()='The format, and templates']")).click();
        String template = download(chromium.link("onboard").getAttribute("href")).asString();
        String[] lines = template.split("\r\n");
        assertTrue(lines[0].startsWith("email,given_name,family_name"), template);
        StringBuilder csv = new StringBuilder(lines[0]).append("\r\n");
        for (int i = 1; i <= 30; i++) {
            // The template's example row, with a fresh email and external id; only the first one is invited.
            csv.append(lines[1].replace("jane.doe@example.org", m + "-" + i + "@example.org").replace("E-1001", m + "-E" + i)
                    .replace(",true,", i == 1 ? ",true," : ",false,")).append("\r\n");
        }
        Path file = writeFile(m + "-onboard.csv", csv.toString());

        new Select(chromium.field("Operation")).selectByValue("onboard");
        chromium.field("CSV file (.csv, or Excel's \"Unicode text\" .txt)").sendKeys(file.toAbsolutePath().toString());
        screenshot("upload");
        chromium.button("Upload and plan").click();
        awaitPlanned();
        assertEquals("30", totals("Creates"));

        // The diff: a tab and the search box swap the table in place (htmx), the address follows.
        chromium.markDocument();
        tab("Creates").click();
        chromium.await(d -> "true".equals(tab("Creates").getAttribute("aria-selected")));
        assertTrue(chromium.driver.getCurrentUrl().contains("kind=create"));
        awaitRows("Planned changes", 30);
        chromium.type("Search by key", m + "-7@");
        awaitRows("Planned changes", 1);
        assertTrue(chromium.rows("Planned changes").get(0).getText().contains(m + "-7@example.org"));
        assertTrue(chromium.sameDocument(), "the tab and the search were htmx swaps, not page loads");
        assertTrue(chromium.driver.getCurrentUrl().contains("q=" + m + "-7"), chromium.driver.getCurrentUrl());

        chromium.link("Confirm and apply…").click();
        chromium.heading("Confirm: " + m + "-onboard.csv");
        // Hold every apply back for a moment, so the APPLYING page and its progress bar are seen.
        try (Connection lock = dataSource.getConnection()) {
            advisory(lock, "pg_advisory_lock");
            chromium.button("Apply 30 changes").click();
            WebElement progress = chromium.await(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("progress[aria-label='Apply progress']")));
            assertEquals("0", progress.getAttribute("value"), "nothing is done while the apply waits");
            assertTrue(Long.parseLong(progress.getAttribute("max")) >= 30, progress.getAttribute("max"));
            assertEquals("APPLYING", chromium.driver.findElement(By.id("batch-status")).getText());
            screenshot("applying");
            chromium.markDocument();
            advisory(lock, "pg_advisory_unlock");
        }
        // The polling widget asks for a reload when the apply is over.
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.id("applied-title")));
        assertFalse(chromium.sameDocument(), "the page reloaded when the apply was over");
        assertEquals("APPLIED", chromium.driver.findElement(By.id("batch-status")).getText());
        screenshot("applied");

        navigate("Users");
        chromium.markDocument();
        chromium.type("Search", m);
        // Typing may fire a search per pause: wait for the last one (its URL is pushed when it is swapped in).
        chromium.await(d -> d.getCurrentUrl().endsWith("q=" + m) || d.getCurrentUrl().contains("q=" + m + "&"));
        chromium.await(d -> pagerText("Pages").contains("of 30"));
        assertEquals(25, chromium.rows("Directory users").size());
        assertTrue(chromium.sameDocument());
        screenshot("users");
        chromium.aria("Next page").click();
        awaitRows("Directory users", 5);
        chromium.type("Search", m + "-1@");
        awaitRows("Directory users", 1);
        chromium.link(m + "-1@example.org").click();
        chromium.heading("Jane Doe");
        assertTrue(chromium.aria("User fields").getText().contains("Account Manager"));
    }

    @Test
    void onboardWithGroupsAndAManagerReviewTheDiffAndFindThemOnTheGroupPage() {
        signedIn();
        String m = "grp" + System.nanoTime();
        String sales = m + " Sales";
        String support = m + " Support";
        String boss = m + "-boss@example.org";
        String csv = "email,given_name,family_name,groups,manager\n"
                + boss + ",Bo,Boss,\"" + sales + "\",\n"
                + m + "-a@example.org,Ada,Lovelace,\"" + sales + "|" + support + "\"," + boss + "\n"
                + m + "-b@example.org,Bob,Builder,\"" + support + "\"," + boss + "\n";
        open("/batches");
        new Select(chromium.field("Operation")).selectByValue("onboard");
        chromium.driver.findElement(By.name("createGroups")).click();
        chromium.field("CSV file (.csv, or Excel's \"Unicode text\" .txt)").sendKeys(writeFile(m + "-groups.csv", csv)
                .toAbsolutePath().toString());
        chromium.button("Upload and plan").click();
        awaitPlanned();
        assertEquals("3", totals("Creates"));
        assertEquals("2", chromium.aria("Groups and memberships").findElement(By.xpath(
                ".//tr[th[normalize-space()='Groups created']]/td[1]")).getText());

        // The diff: Ada joins both groups and gets the boss, who is created by the same file.
        chromium.type("Search by key", m + "-a@");
        awaitRows("Planned changes", 1);
        WebElement ada = chromium.rows("Planned changes").get(0);
        assertEquals(List.of("+ " + sales, "+ " + support), ada.findElements(By.cssSelector("[aria-label=joins]")).stream()
                .map(WebElement::getText).map(String::strip).toList());
        assertTrue(ada.getText().contains(boss), ada.getText());
        screenshot("diff-groups");

        chromium.link("Confirm and apply…").click();
        chromium.driver.findElement(By.id("apply-button")).click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.id("applied-title")));

        navigate("Groups");
        chromium.type("Search", sales);
        awaitRows("Groups", 1);
        assertTrue(chromium.rows("Groups").get(0).getText().contains(sales));
        chromium.link(sales).click();
        chromium.heading(sales);
        awaitRows("Members", 2);
        String members = chromium.aria("Members").getText();
        assertTrue(members.contains(boss) && members.contains(m + "-a@example.org"), members);
        screenshot("group");
        chromium.link(m + "-a@example.org").click();
        chromium.heading("Ada Lovelace");
        String fields = chromium.aria("User fields").getText();
        assertTrue(fields.contains(boss) && fields.contains(sales) && fields.contains(support), fields);

        // Remove: the row's button submits the fragment's one (hidden) form, CSRF field included.
        chromium.driver.navigate().back();
        chromium.heading(sales);
        awaitRows("Members", 2);
        chromium.driver.findElement(By.cssSelector("button[aria-label='Remove " + boss + " from the group']")).click();
        chromium.heading(sales);
        awaitRows("Members", 1);
        assertFalse(chromium.aria("Members").getText().contains(boss), chromium.aria("Members").getText());
    }

    @Test
    void anUpdateThatMeetsAConflictIsShownOnTheConfirmPageAndReplanned() {
        signedIn();
        String m = "cfl" + System.nanoTime();
        Batches.uploadAndApply(ADMIN, PASSWORD, "email,given_name,family_name,department,title\n"
                + m + "-a@example.org,Ada,Lovelace,Research,Analyst\n"
                + m + "-b@example.org,Bob,Builder,Facilities,Foreman\n"
                + m + "-c@example.org,Cy,Young,Sports,Pitcher\n", "onboard");
        upload("update", m + "-update.csv", "email,department,title\n" + m + "-a@example.org,Legal,Counsel\n"
                + m + "-b@example.org,Legal,Counsel\n" + m + "-c@example.org,Legal,Counsel\n");
        awaitPlanned();
        tab("Updates").click();
        chromium.await(d -> "true".equals(tab("Updates").getAttribute("aria-selected")));
        List<WebElement> rows = chromium.rows("Planned changes");
        assertEquals(3, rows.size());
        assertEquals("Facilities", rows.get(1).findElements(By.cssSelector("[aria-label=before]")).get(0).getText());
        assertEquals("Legal", rows.get(1).findElements(By.cssSelector("[aria-label=after]")).get(0).getText());
        chromium.scrollTo(By.id("changes-title"));
        screenshot("diff-updates");

        chromium.link("Confirm and apply…").click();
        // Someone changes Bob between the plan and the apply.
        sql.update("UPDATE directory_user SET title = 'Boss', version = version + 1 WHERE email = ?", m + "-b@example.org");
        chromium.button("Apply 3 changes").click();
        chromium.heading("The directory changed since this plan");
        List<WebElement> conflicts = chromium.rows("Conflicts");
        assertEquals(1, conflicts.size());
        assertTrue(conflicts.get(0).getText().contains(m + "-b@example.org"));
        assertEquals(0, sql.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND department = 'Legal'", m + "%"));
        screenshot("conflict");
        chromium.consoleProblems(); // the refused apply answers 409: Chromium logs that as a failed resource

        chromium.button("Re-plan from the stored file").click();
        awaitPlanned();
        assertEquals("3", totals("Updates"));
        confirmAndApply(3);
        assertEquals(3, sql.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND department = 'Legal'", m + "%"));
    }

    @Test
    void unknownHeadersAreMappedOnceAndTheProfileMapsTheNextFile() {
        signedIn();
        String m = "map" + System.nanoTime();
        String header = "Mail,Vorname,Nachname,Kostenstelle " + m + "\n";
        upload("onboard", m + "-hr.csv", header + m + "-1@example.org,Hanna,Roth,K-100\n");
        chromium.heading("Waiting for a column mapping");
        chromium.link("Map the columns").click();
        chromium.heading("Map the columns of " + m + "-hr.csv");
        assertEquals("email", new Select(chromium.field("Mail")).getFirstSelectedOption().getAttribute("value"));
        new Select(chromium.field("Vorname")).selectByValue("given_name");
        new Select(chromium.field("Nachname")).selectByValue("family_name");
        new Select(chromium.field("Kostenstelle " + m)).selectByValue("attr");
        WebElement custom = chromium.aria("Custom attribute name for Kostenstelle " + m);
        custom.clear();
        custom.sendKeys("costCenter");
        chromium.type("Save as mapping profile (optional): later files with this header are mapped the same way", "HR " + m);
        screenshot("mapping");
        chromium.button("Confirm mapping and plan").click();
        awaitPlanned();
        assertEquals("1", totals("Creates"));
        assertTrue(chromium.driver.findElement(By.id("source-format")).getText().contains("HR " + m));

        upload("onboard", m + "-hr-2.csv", header + m + "-2@example.org,Ida,Kern,K-200\n");
        awaitPlanned();
        assertTrue(chromium.driver.findElement(By.id("source-format")).getText().contains("matched the profile"));
        confirmAndApply(1);
        assertEquals("K-200", sql.rows("SELECT attributes->>'costCenter' AS c FROM directory_user WHERE email = ?",
                m + "-2@example.org").get(0).get("c"));
        navigate("Mapping profiles");
        assertTrue(chromium.aria("Mapping profiles").getText().contains("HR " + m));
    }

    @Test
    void futureStartDatesShowOnTheCalendarWhereAChangeIsMovedAndAnotherCancelled() {
        signedIn();
        String m = "cal" + System.nanoTime();
        String ann = m + "-ann@example.org";
        String ben = m + "-ben@example.org";
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(40);
        upload("onboard", m + "-joiners.csv", "email,given_name,family_name,start_date\n" + ann + ",Ann,Joiner," + start
                + "\n" + ben + ",Ben,Joiner," + start + "\n");
        awaitPlanned();
        assertEquals("2", totals("Creates"));
        confirmAndApply(2);

        navigate("Calendar");
        filterCalendar(start, start);
        chromium.heading(start + " 2 to activate, 0 to suspend");
        List<WebElement> rows = chromium.rows("Changes on " + start);
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).getText().contains(ann) && rows.get(0).getText().contains(m + "-joiners.csv"), rows.get(0).getText());
        screenshot("calendar");

        // Ann starts a week later: moved on the calendar, which comes back filtered as it was
        LocalDate moved = start.plusDays(7);
        WebElement newDate = chromium.aria("New date for " + ann);
        chromium.driver.executeScript("arguments[0].value = arguments[1];", newDate, moved.toString());
        newDate.findElement(By.xpath("ancestor::form//button[normalize-space()='Move']")).click();
        chromium.heading(start + " 1 to activate, 0 to suspend");
        assertFalse(chromium.present(By.linkText(ann)), "Ann's activation left her old day");
        // Ben's start is withdrawn: cancelled
        chromium.aria("Cancel the change of " + ben + " on " + start).click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("p.empty")));
        assertEquals(1, sql.count("SELECT count(*) FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id "
                + "WHERE u.email = ? AND s.status = 'CANCELLED'", ben));
        filterCalendar(start, moved);
        chromium.heading(moved + " 1 to activate, 0 to suspend");
        assertEquals(1, chromium.rows("Changes on " + moved).size());
        assertFalse(chromium.present(By.linkText(ben)), "the cancelled change left the calendar");
        screenshot("calendar-moved");

        chromium.link(ann).click();
        chromium.heading("Ann Joiner");
        String pending = chromium.aria("Pending dated changes").getText();
        assertTrue(pending.contains(moved.toString()) && pending.contains("activates"), pending);
        screenshot("user-dated-changes");
    }

    @Test
    void revertUndoesAnAppliedBatch() {
        signedIn();
        String m = "rev" + System.nanoTime();
        Batches.uploadAndApply(ADMIN, PASSWORD, "email,given_name,family_name,department\n"
                + m + "-a@example.org,Ada,Lovelace,Research\n" + m + "-b@example.org,Bob,Builder,Facilities\n", "onboard");
        String update = Batches.upload(ADMIN, PASSWORD, "email,department\n" + m + "-a@example.org,Legal\n"
                + m + "-b@example.org,Legal\n", "update", m + "-update.csv");
        Batches.awaitPlanned(ADMIN, PASSWORD, update);
        open("/batches/" + update);
        confirmAndApply(2);
        assertEquals(2, sql.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND department = 'Legal'", m + "%"));

        String applied = chromium.driver.getCurrentUrl();
        chromium.aria("Revert this batch").click();
        // The applied batch's page has totals too: wait for the revert's own page before waiting for its plan
        // (under a full suite's load the click's navigation can lag, and the old page satisfied the wait).
        chromium.await(d -> !d.getCurrentUrl().equals(applied));
        awaitPlanned();
        assertTrue(chromium.driver.findElement(By.cssSelector(".alert.notice")).getText().contains("undoes"));
        assertEquals("2", totals("Updates"));
        confirmAndApply(2);
        assertEquals("Research", sql.rows("SELECT department FROM directory_user WHERE email = ?", m + "-a@example.org")
                .get(0).get("department"));
        open("/batches/" + update);
        assertTrue(chromium.link("this batch").isDisplayed(), "the reverted batch links to its revert");
    }

    @Test
    void deletingAsksForTheNumberOfUsersTyped() {
        signedIn();
        String m = "del" + System.nanoTime();
        StringBuilder onboard = new StringBuilder("email,given_name,family_name\n");
        for (int i = 1; i <= 12; i++) {
            onboard.append(m).append('-').append(i).append("@example.org,Del,User").append(i).append('\n');
        }
        Batches.uploadAndApply(ADMIN, PASSWORD, onboard.toString(), "onboard");
        upload("delete", m + "-delete.csv", "email,reason\n" + m + "-1@example.org,left\n" + m + "-2@example.org,left\n");
        awaitPlanned();
        assertEquals("2", totals("Deletes"));
        chromium.link("Confirm and apply…").click();
        WebElement apply = chromium.button("Apply 2 changes");
        assertFalse(apply.isEnabled(), "nothing is deleted before the number is typed");
        chromium.type("Type the number of users to be deleted (2) to confirm", "3");
        assertFalse(apply.isEnabled());
        chromium.type("Type the number of users to be deleted (2) to confirm", "2");
        chromium.await(d -> apply.isEnabled());
        screenshot("confirm");
        apply.click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.id("applied-title")));
        assertEquals(2, sql.count("SELECT count(*) FROM directory_user WHERE email LIKE ? AND deleted_at IS NOT NULL", m + "%"));
    }

    @Test
    void aResetLinkFromTheSentMailPageSetsAPasswordOnce() {
        signedIn();
        String m = "rst" + System.nanoTime();
        String email = m + "@example.org";
        Batches.uploadAndApply(ADMIN, PASSWORD, "email,given_name,family_name\n" + email + ",Rita,Reset\n", "onboard");
        upload("reset", m + "-reset.csv", "email,reason\n" + email + ",forgot password\n");
        awaitPlanned();
        assertEquals("1", totals("Resets"));
        confirmAndApply(1);

        navigate("Mail");
        chromium.markDocument();
        chromium.type("Recipient", m);
        chromium.button("Filter").click();
        // The onboarding invited Rita; the reset sent her a second mail.
        awaitRows("Mails", 2);
        assertTrue(chromium.rows("Mails").stream().allMatch(r -> r.getText().contains(email)));
        assertTrue(chromium.sameDocument());
        screenshot("sent-mail");
        chromium.aria("Mails").findElement(By.xpath(".//tr[td[normalize-space()='Reset your password']]//a")).click();
        chromium.button("Show the link").click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[aria-label='Link in this mail']")));
        assertTrue(chromium.aria("Plain-text part").getText().contains("Hello Rita"));
        screenshot("mail");
        // Mail links use roster.public-url (never the request's host); the path is what the recipient follows.
        URI link = URI.create(chromium.aria("Link in this mail").getAttribute("href"));
        assertTrue(link.getPath().startsWith("/reset/"), link.toString());
        String here = url(link.getRawPath());

        open(here);
        chromium.heading("Choose a new password");
        screenshot("set-password");
        chromium.type("New password", "violet harbour lantern 42");
        chromium.type("Type it again", "violet harbour lantern 42");
        chromium.button("Save my new password").click();
        chromium.heading("Your password is saved");
        assertEquals(1, sql.count("SELECT count(*) FROM directory_user WHERE email = ? AND password_hash IS NOT NULL", email));

        open(here);
        chromium.heading("This link cannot be used");
        chromium.consoleProblems(); // the used link answers 404: Chromium logs that as a failed resource
    }

    @Test
    void aDirectoryUserAsksForALinkSetsAPasswordAndChangesItThemself() {
        String m = "self" + System.nanoTime();
        String email = m + "@example.org";
        Batches.uploadAndApply(ADMIN, PASSWORD, "email,username,given_name,family_name\n" + email + "," + m + ",Sia,Self\n",
                "onboard");
        chromium.driver.manage().deleteAllCookies(); // a directory user, not signed in to Roster
        open("/forgot");
        chromium.heading("Forgot your password?");
        screenshot("forgot");
        chromium.type("Username or e-mail address", m);
        chromium.button("Send me a link").click();
        chromium.heading("Check your mail");

        // The mail arrives at the user's mailbox (the in-process SMTP server); its link is the reset page's.
        String token = MailFixtures.tokenIn(MailFixtures.awaitMail(email, "Reset your password", 1));
        open("/reset/" + token);
        chromium.heading("Choose a new password");
        chromium.type("New password", "amber meadow under rain 7");
        chromium.type("Type it again", "amber meadow under rain 7");
        chromium.button("Save my new password").click();
        chromium.heading("Your password is saved");

        chromium.link("Change my password").click();
        chromium.heading("Change my password");
        chromium.type("Username or e-mail address", email);
        chromium.type("Current password", "amber meadow under rain 7");
        chromium.type("New password", "quiet orchard at noon 31");
        chromium.type("Type the new password again", "quiet orchard at noon 31");
        screenshot("change-password");
        chromium.button("Change my password").click();
        chromium.heading("Your password is changed");
        String hash = (String) sql.rows("SELECT password_hash FROM directory_user WHERE email = ?", email).get(0)
                .get("password_hash");
        assertTrue(PasswordHasher.verify("quiet orchard at noon 31", hash));
        open("/reset/" + token);
        chromium.heading("This link cannot be used");
        chromium.consoleProblems(); // the used link answers 404: Chromium logs that as a failed resource
    }

    @Test
    void theAuditTrailFiltersInPlaceAndDownloadsWhatIsShown() throws Exception {
        signedIn();
        String m = "aud" + System.nanoTime();
        String email = m + "@example.org";
        // No invitation: its mail.sent event would come from the sender whenever the outbox (shared with the whole
        // suite) gets to it, possibly after the filtered table was drawn; the events here are all written by the applies.
        Batches.uploadAndApply(ADMIN, PASSWORD, "email,given_name,family_name,send_invite\n" + email + ",Audrey,Trail,false\n",
                "onboard");
        Batches.uploadAndApply(ADMIN, PASSWORD, "email,title\n" + email + ",Auditor\n", "update");

        navigate("Audit");
        chromium.markDocument();
        chromium.type("Target email", email);
        chromium.await(d -> chromium.rows("Audit events").size() == auditTotal(email, null));
        assertTrue(chromium.rows("Audit events").size() >= 2, "created, updated");
        assertTrue(chromium.sameDocument(), "filtering swaps the table in place");
        String shown = chromium.aria("Audit events").getText();
        assertTrue(shown.contains("user.created") && shown.contains("user.updated"), shown);
        assertTrue(chromium.rows("Audit events").stream().allMatch(r -> r.getText().contains(email)), shown);
        new Select(chromium.field("Action")).selectByValue("user.updated");
        awaitRows("Audit events", 1);
        assertTrue(chromium.driver.getCurrentUrl().contains("action=user.updated"));
        screenshot("audit");

        String href = chromium.link("Download CSV").getAttribute("href");
        assertTrue(href.contains("email=") && href.contains("action=user.updated"), href);
        Response csv = download(href);
        assertEquals(200, csv.statusCode());
        assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
        List<String[]> records;
        // A byte-order mark first, so Excel reads the download as UTF-8.
        try (CSVReader reader = new CSVReader(new StringReader(csv.asString().replaceFirst("^\uFEFF", "")))) {
            records = reader.readAll();
        }
        assertEquals("seq", records.get(0)[0]);
        assertEquals(2, records.size(), "the header and the one event shown");
        assertEquals("user.updated", records.get(1)[8]);
        assertEquals(email, records.get(1)[10]);
        assertEquals(1, auditTotal(email, "user.updated"));
    }

    // --- steps

    private static long auditTotal(String email, String action) {
        var request = given().auth().preemptive().basic(ADMIN, PASSWORD).queryParam("email", email);
        if (action != null) {
            request.queryParam("action", action);
        }
        return request.get("/api/audit").then().statusCode(200).extract().jsonPath().getLong("total");
    }

    @Test
    void anAdminWhosePasswordWasSetForThemChoosesTheirOwnFirst() {
        String email = admins.create(AdminRole.ADMIN);
        // As if another admin had added them with a password of their choosing (AccountTest covers the Admins page).
        sql.update("UPDATE admin_account SET must_change_password = true WHERE email = ?", email);
        chromium.driver.manage().deleteAllCookies();
        try {
            open("/login");
            chromium.type("Email", email);
            chromium.type("Password", TestAdmins.PASSWORD);
            chromium.button("Sign in").click();
            chromium.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[aria-label='Password change required']")));
            assertTrue(chromium.driver.getCurrentUrl().contains("/account"), chromium.driver.getCurrentUrl());
            screenshot("account");
            open("/users"); // every page leads back here until the password is changed
            chromium.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[aria-label='Password change required']")));

            chromium.type("Current password", TestAdmins.PASSWORD);
            chromium.type("New password", "quiet meadow compass 73");
            chromium.type("Type the new password again", "quiet meadow compass 73");
            chromium.button("Change my password").click();
            chromium.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[role=status]"),
                    "Your password is changed"));
            open("/users");
            chromium.heading("Users");
            assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'admin.password-changed' "
                    + "AND actor_id = (SELECT id FROM admin_account WHERE email = ?)", email));
        } finally {
            chromium.driver.manage().deleteAllCookies(); // the other journeys sign in as the first admin again
        }
    }

    /** Filters the calendar to these due dates (the date inputs are set as a date picker would). */
    private void filterCalendar(LocalDate from, LocalDate to) {
        chromium.driver.executeScript("arguments[0].value = arguments[1]; arguments[2].value = arguments[3];",
                chromium.field("From"), from.toString(), chromium.field("To"), to.toString());
        chromium.button("Filter").click();
        chromium.await(d -> d.getCurrentUrl().contains("to=" + to));
    }

    private void signedIn() {
        if (chromium.driver.manage().getCookieNamed("roster_session") != null) {
            return;
        }
        open("/login");
        chromium.type("Email", ADMIN);
        chromium.type("Password", PASSWORD);
        chromium.button("Sign in").click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("nav[aria-label='Main']")));
    }

    private void upload(String operation, String fileName, String csv) {
        open("/batches");
        new Select(chromium.field("Operation")).selectByValue(operation);
        chromium.field("CSV file (.csv, or Excel's \"Unicode text\" .txt)").sendKeys(writeFile(fileName, csv).toAbsolutePath()
                .toString());
        chromium.button("Upload and plan").click();
    }

    /** Waits until the batch page shows its plan (planning polls, then reloads the page). */
    private void awaitPlanned() {
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.id("totals-title")));
    }

    private void confirmAndApply(int changes) {
        chromium.link("Confirm and apply…").click();
        chromium.button("Apply " + changes + " changes").click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.id("applied-title")));
    }

    /** Waits for the table to show this many rows; says what it shows when it does not. */
    private void awaitRows(String table, int count) {
        try {
            chromium.await(d -> chromium.rows(table).size() == count);
        } catch (AssertionError e) {
            String html = chromium.aria(table).getAttribute("outerHTML");
            throw new AssertionError("expected " + count + " rows in " + table + ", found " + chromium.rows(table).size()
                    + ":\n" + html.substring(0, Math.min(4000, html.length())), e);
        }
    }

    private void navigate(String name) {
        chromium.driver.findElement(By.xpath("//nav[@aria-label='Main']//a[normalize-space()="
                + HeadlessChromium.xpathLiteral(name) + "]")).click();
        chromium.await(ExpectedConditions.presenceOfElementLocated(By.xpath(
                "//nav[@aria-label='Main']//a[@aria-current='page'][normalize-space()=" + HeadlessChromium.xpathLiteral(name) + "]")));
    }

    private WebElement tab(String label) {
        return chromium.driver.findElement(By.xpath("//*[@role='tablist']//*[@role='tab'][starts-with(normalize-space(), "
                + HeadlessChromium.xpathLiteral(label) + ")]"));
    }

    /** The count in the totals table's row headed by this kind. */
    private String totals(String kind) {
        return chromium.aria("Totals per kind").findElement(By.xpath(".//tr[th[normalize-space()="
                + HeadlessChromium.xpathLiteral(kind) + "]]/td[1]")).getText();
    }

    private String pagerText(String label) {
        return chromium.aria(label).getText();
    }

    /** Fetches a link's target with the browser's session, as the browser's download would. */
    private Response download(String href) {
        Cookie session = chromium.driver.manage().getCookieNamed("roster_session");
        // The href is already URL-encoded: send it as the browser would, not encoded a second time.
        return given().urlEncodingEnabled(false).redirects().follow(false).cookie(session.getName(), session.getValue())
                .get(URI.create(href));
    }

    private void open(String pathOrUrl) {
        chromium.open(pathOrUrl.startsWith("http") ? pathOrUrl : url(pathOrUrl));
    }

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private void advisory(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
            ps.setLong(1, APPLY_LOCK);
            ps.execute();
        }
    }

    private static Path writeFile(String name, String content) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "tmp", "journey-uploads"));
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void screenshot(String name) {
        byte[] png = chromium.screenshot();
        try {
            Files.write(Files.createDirectories(Path.of("target", "screenshots")).resolve(name + ".png"), png);
            if (Boolean.getBoolean("roster.screenshots.update")) {
                Files.write(Files.createDirectories(Path.of("docs", "screenshots")).resolve(name + ".png"), png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
