package dev.roster.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.roster.support.Batches;
import dev.roster.support.Browser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The audit page tells each event as a sentence, shows field changes as before → after, keeps the JSON behind a disclosure. */
@QuarkusTest
class AuditPageTest {

    private static final String A = Browser.BOOTSTRAP_EMAIL;
    private static final String P = Browser.BOOTSTRAP_PASSWORD;
    private static final Pattern TIME = Pattern.compile(
            "<time datetime=\"([0-9T:.Z-]+)\" title=\"\\1\">\\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2} UTC</time>");

    @Test
    void anAppliedUpdateReadsAsASentenceWithBeforeAndAfterAndItsRawJsonInADisclosure() {
        String email = "page" + System.nanoTime() + "@example.org";
        Batches.uploadAndApply(A, P, "email,given_name,family_name,title\n" + email + ",Pia,Page,Clerk\n", "onboard");
        JsonPath update = Batches.uploadAndApply(A, P, "email,title\n" + email + ",<b>Auditor</b>\n", "update");
        String batch = update.getString("id");

        String page = Browser.admin().get("/audit?batch=" + batch).then().statusCode(200).extract().asString();
        assertTrue(page.contains("Updated 1 field from line 2."), page);
        assertTrue(page.contains("Applied update.csv: 1 change (1 update)."), page);
        assertTrue(page.contains("<code>title</code> <span class=\"before\">Clerk</span> → "
                + "<span class=\"after\">&lt;b&gt;Auditor&lt;/b&gt;</span>"), page);
        assertFalse(page.contains("<b>Auditor"), "the hostile value is escaped");
        Matcher raw = Pattern.compile("<details class=\"raw\"><summary>Raw details \\(JSON\\)</summary><pre><code>([^<]*)</code></pre></details>")
                .matcher(page);
        boolean rawFields = false;
        while (raw.find()) {
            rawFields |= raw.group(1).contains("&quot;fields&quot;:[{&quot;after&quot;:&quot;&lt;b&gt;Auditor&lt;/b&gt;&quot;");
        }
        assertTrue(rawFields, "the raw JSON, escaped, inside <details>: " + page);
        Matcher time = TIME.matcher(page);
        assertTrue(time.find(), "times are human with the ISO behind: " + page);
        assertTrue(time.group(1).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z"), time.group(1));
        assertTrue(page.contains("title=\"user.updated\">user.<wbr>updated</code>"), "action breaks only at the dot");

        // The per-batch history embedded in the batch page tells it the same way.
        String history = Browser.admin().htmxGet("/audit/fragment?batch=" + batch).then().statusCode(200).extract()
                .asString();
        assertTrue(history.contains("Applied update.csv: 1 change (1 update).") && TIME.matcher(history).find(), history);
    }

    @Test
    void aHostileFileNameIsEscapedInTheSentence() {
        String id = Batches.upload(A, P, "email,given_name\nhostile" + System.nanoTime() + "@example.org,H\n", "onboard",
                "<img src=x onerror=alert(1)>.csv");
        Batches.awaitPlanned(A, P, id);
        String page = Browser.admin().get("/audit?batch=" + id).then().statusCode(200).extract().asString();
        assertFalse(page.contains("<img src=x"), page);
        assertTrue(page.contains("Uploaded &lt;img src=x onerror=alert(1)&gt;.csv, "), page);
    }

    @Test
    void pagesOtherThanTheAuditShowTimesTheSameWay() {
        String users = Browser.admin().get("/users").then().statusCode(200).extract().asString();
        assertTrue(TIME.matcher(users).find(), users);
        assertEquals(-1, users.indexOf("T00:00"), "no raw ISO text outside the attributes");
    }
}
