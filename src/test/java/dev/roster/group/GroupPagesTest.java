package dev.roster.group;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

@QuarkusTest
class GroupPagesTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    @Test
    void anOperatorCreatesEditsAndDeletesAGroupWhoseNameIsEscapedEverywhere() {
        String m = "gp" + System.nanoTime();
        String name = "<script>alert(1)</script> " + m;
        Browser op = Browser.signedIn(admins.create(AdminRole.OPERATOR), TestAdmins.PASSWORD);
        op.get("/groups").then().statusCode(200).body(containsString("New group"));
        // Spaces typed around the name are dropped by the form.
        Response created = op.postForm("/groups", Map.of("name", "  " + name + " ", "description", "d", "externalId", ""));
        assertEquals(303, created.statusCode(), created.asString());
        String path = created.header("Location").replaceFirst("^https?://[^/]+", "");
        UUID id = UUID.fromString(path.substring("/groups/".length()));

        UUID a = GroupApiTest.user(sql, m + "-a@example.com", "ACTIVE");
        UUID boss = GroupApiTest.user(sql, m + "-boss@example.com", "ACTIVE");
        UUID gone = GroupApiTest.user(sql, m + "-gone@example.com", "DELETED");
        sql.update("UPDATE directory_user SET display_name = '=HYPERLINK(1)', manager_id = ? WHERE id = ?", boss, a);
        assertEquals(303, op.postForm(path + "/members", Map.of("email", m + "-a@example.com")).statusCode());
        assertEquals(303, op.postForm(path + "/members", Map.of("email", m + "-boss@example.com")).statusCode());
        sql.update("INSERT INTO group_membership (group_id, user_id) VALUES (?, ?)", id, gone);

        String page = op.get(path).then().statusCode(200).extract().asString();
        assertFalse(page.contains("<script>alert(1)"), "the name is escaped");
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; " + m));
        assertTrue(page.contains(m + "-a@example.com") && !page.contains(m + "-gone@example.com"), "deleted users are not listed");
        assertTrue(page.contains("<dt>Members</dt><dd>2</dd>"), "deleted users do not count");
        op.get("/groups?q=" + m).then().statusCode(200).body(containsString("&lt;script&gt;"))
                .body(not(containsString("<script>alert")));

        // The members table is an htmx fragment; the history comes from the audit trail.
        String fragment = op.htmxGet(path + "/members").then().statusCode(200).extract().asString();
        assertTrue(fragment.contains("id=\"group-members\"") && !fragment.contains("<html"), fragment);
        // One form carries the CSRF field; each Remove button names its member by formaction.
        assertEquals(1, fragment.split("name=\"csrf-token\"", -1).length - 1, "one CSRF field per fragment");
        assertTrue(java.util.regex.Pattern.compile("<form id=\"member-remove\" method=\"post\" hidden>"
                + "<input type=\"hidden\" name=\"csrf-token\" value=\"[^\"]+\">").matcher(fragment).find(),
                "the buttons' form carries the session's token: " + fragment);
        String remove = path + "/members/" + a + "/remove";
        assertTrue(fragment.contains("form=\"member-remove\" formaction=\"" + remove + "\""), fragment);
        assertEquals(303, op.postForm(remove, Map.of()).statusCode());
        assertEquals(0, sql.count("SELECT count(*) FROM group_membership WHERE group_id = ? AND user_id = ?", id, a));
        assertEquals(303, op.postForm(path + "/members", Map.of("email", m + "-a@example.com")).statusCode());
        String history = op.htmxGet("/audit/fragment?group=" + id).then().statusCode(200).extract().asString();
        assertTrue(history.contains("group.created") && history.contains("membership.added"), history);
        assertTrue(history.contains(m + "-boss@example.com"), "a group's history names the member");
        assertTrue(history.contains("&lt;script&gt;"), "escaped in the history too");

        // The CSV: formula-safe, no deleted users.
        String csv = op.get(path + "/members.csv").then().statusCode(200).extract().asString();
        assertTrue(csv.contains("'=HYPERLINK(1)"), csv);
        assertFalse(csv.contains(m + "-gone@"), csv);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'users.exported' "
                + "AND details::jsonb ->> 'groupId' = ?", id.toString()));

        // The user page shows the groups and the manager with links; the manager's page shows who reports to them.
        op.get("/users/" + a).then().statusCode(200).body(containsString("href=\"/groups/" + id + "\""))
                .body(containsString("href=\"/users/" + boss + "\">" + m + "-boss@example.com"));
        op.get("/users/" + boss).then().body(containsString("Reports to"))
                .body(containsString("href=\"/users/" + a + "\">" + m + "-a@example.com"));

        // Edit with a stale version: a conflict on the page; with the current one: saved.
        long version = (Long) sql.rows("SELECT version FROM user_group WHERE id = ?", id).get(0).get("version");
        op.postForm(path, Map.of("name", "Renamed " + m, "description", "", "externalId", "", "version", "1"))
                .then().statusCode(409).body(containsString("changed since you loaded it"));
        assertEquals(303, op.postForm(path, Map.of("name", "Renamed " + m, "description", "", "externalId", "",
                "version", Long.toString(version))).statusCode());
        // Delete: the number of members typed, or a refusal naming it.
        op.postForm(path + "/delete", Map.of("memberships", "")).then().statusCode(409).body(containsString("2 members"));
        assertEquals(303, op.postForm(path + "/delete", Map.of("memberships", "2")).statusCode());
        op.get(path).then().statusCode(200).body(containsString("was deleted"));
        assertEquals(303, op.postForm(path + "/restore", Map.of()).statusCode());
        op.get(path).then().statusCode(200).body(not(containsString("was deleted"))).body(containsString("<dd>2</dd>"));

        // A viewer reads but gets no forms.
        Browser viewer = Browser.signedIn(admins.create(AdminRole.VIEWER), TestAdmins.PASSWORD);
        viewer.get("/groups").then().statusCode(200).body(not(containsString("New group")));
        viewer.htmxGet(path + "/members").then().statusCode(200).body(containsString(m + "-a@example.com"))
                .body(not(containsString("member-remove"))).body(not(containsString("csrf-token")));
        assertEquals(403, viewer.postForm("/groups", Map.of("name", "v " + m)).statusCode());
    }
}
