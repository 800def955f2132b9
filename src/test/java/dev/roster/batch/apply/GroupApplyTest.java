package dev.roster.batch.apply;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Groups, memberships and managers applied, checked for staleness, audited and reverted (#13). */
@QuarkusTest
class GroupApplyTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    private String op;

    private String operator() {
        if (op == null) {
            op = admins.create(AdminRole.OPERATOR);
        }
        return op;
    }

    private JsonPath planned(String csv, String operation, boolean createGroups) {
        String id = given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .multiPart("file", operation + ".csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .multiPart("operation", operation).multiPart("createGroups", Boolean.toString(createGroups))
                .post("/api/batches").then().statusCode(202).extract().path("id");
        JsonPath batch = Batches.awaitPlanned(operator(), TestAdmins.PASSWORD, id);
        assertEquals("PLANNED", batch.getString("status"), batch.prettify());
        return batch;
    }

    private Response apply(JsonPath batch, String extra) {
        return given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"confirm\": " + batch.getLong("summary.changes") + extra + "}")
                .post("/api/batches/" + batch.getString("id") + "/apply");
    }

    private JsonPath applied(JsonPath batch, String extra) {
        apply(batch, extra).then().statusCode(202);
        JsonPath done = Batches.awaitApplied(operator(), TestAdmins.PASSWORD, batch.getString("id"));
        assertEquals("APPLIED", done.getString("status"), done.prettify());
        return done;
    }

    private List<String> groupsOf(String email) {
        return sql.rows("""
                SELECT g.name FROM group_membership m JOIN user_group g ON g.id = m.group_id
                  JOIN directory_user u ON u.id = m.user_id
                 WHERE lower(u.email) = ? AND g.deleted_at IS NULL ORDER BY g.name""", email)
                .stream().map(r -> (String) r.get("name")).toList();
    }

    private String managerOf(String email) {
        List<java.util.Map<String, Object>> rows = sql.rows("""
                SELECT m.email FROM directory_user u LEFT JOIN directory_user m ON m.id = u.manager_id WHERE u.email = ?""", email);
        return (String) rows.get(0).get("email");
    }

    private long version(String email) {
        return sql.count("SELECT version FROM directory_user WHERE email = ?", email);
    }

    private long events(String action, String email) {
        return sql.count("SELECT count(*) FROM audit_event WHERE action = ? AND target_email = ?", action, email);
    }

    @Test
    void onboardWithGroupsAndManagersCreatesMissingGroupsAppliesAuditsAndReverts() {
        String m = "grp" + System.nanoTime();
        String boss = m + "-boss@example.com";
        String ann = m + "-ann@example.com";
        JsonPath batch = planned("email,given_name,family_name,groups,manager\n"
                + ann + ",Ann,Lee,\"" + m + "-Sales|" + m + "-Support\"," + boss + "\n"
                + boss + ",Bea,Oak," + m + "-Sales,\n", "onboard", true);
        assertEquals(2, batch.getLong("summary.group_create"));
        assertEquals(3, batch.getLong("summary.membership_add"));
        given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD)
                .get("/api/batches/" + batch.getString("id") + "/changes").then().statusCode(200)
                .body("items[0].kind", org.hamcrest.Matchers.equalTo("GROUP_CREATE"));
        // The diff page shows the memberships as + and −, and the group creates in a tab of their own.
        dev.roster.support.Browser.admin().get("/batches/" + batch.getString("id")).then().statusCode(200)
                .body(containsString("+ " + m + "-Sales")).body(containsString("Group creates"))
                .body(containsString("Memberships added"));
        dev.roster.support.Browser.admin().get("/batches/" + batch.getString("id") + "?kind=group_create&q=" + m.toLowerCase()
                + "-sup").then().statusCode(200).body(containsString(m + "-Support")).body(org.hamcrest.Matchers.not(
                        containsString("+ " + m + "-Sales")));
        applied(batch, "");

        assertEquals(List.of(m + "-Sales", m + "-Support"), groupsOf(ann));
        assertEquals(boss, managerOf(ann));
        assertEquals(1, version(ann));
        assertEquals(2, events("membership.added", ann));
        assertEquals(2, sql.count("SELECT count(*) FROM audit_event WHERE action = 'group.created' AND batch_id = ?::uuid",
                batch.getString("id")));
        assertEquals(1, sql.count("SELECT version FROM user_group WHERE name = ?", m + "-Sales"));
        String groupId = sql.rows("SELECT id FROM user_group WHERE name = ?", m + "-Sales").get(0).get("id").toString();
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'membership.added' AND target_email = ? "
                + "AND details::jsonb->>'groupId' = ? AND details::jsonb->>'group' = ?", ann, groupId, m + "-Sales"));

        // An update moves Ann out of Support and gives her no manager; a membership file adds Bea to Support.
        JsonPath update = planned("email,remove_groups,manager\n" + ann + "," + m + "-support,#clear\n", "update", false);
        JsonPath membership = planned("group,member\n" + m + "-Support," + boss + "\n", "membership", false);
        applied(update, "");
        assertEquals(List.of(m + "-Sales"), groupsOf(ann));
        assertEquals(null, managerOf(ann));
        assertEquals(2, version(ann));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_email = ? "
                + "AND details::jsonb->'fields' @> ?::jsonb", ann, "[{\"name\": \"manager\", \"before\": \"" + boss + "\", \"after\": null}]"));
        assertEquals(1, events("membership.removed", ann));
        dev.roster.support.Browser.admin().get("/batches/" + update.getString("id")).then().statusCode(200)
                .body(containsString("− " + m + "-Support"));
        long supportVersion = sql.count("SELECT version FROM user_group WHERE name = ?", m + "-Support");
        applied(membership, "");
        assertEquals(List.of(m + "-Sales", m + "-Support"), groupsOf(boss));
        assertEquals(supportVersion + 1, sql.count("SELECT version FROM user_group WHERE name = ?", m + "-Support"));

        // The update's revert puts Ann back into Support under Bea.
        String revert = given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + update.getString("id") + "/revert").then().statusCode(201).extract().path("id");
        JsonPath revertBatch = Batches.awaitPlanned(operator(), TestAdmins.PASSWORD, revert);
        assertEquals(1, revertBatch.getLong("summary.update"), revertBatch.prettify());
        applied(revertBatch, "");
        assertEquals(List.of(m + "-Sales", m + "-Support"), groupsOf(ann));
        assertEquals(boss, managerOf(ann));
    }

    @Test
    void aMembershipOrGroupChangedSincePlanningIsAConflict() {
        String m = "stl" + System.nanoTime();
        String ann = m + "-ann@example.com";
        applied(planned("name\n" + m + "-A\n" + m + "-B\n", "groups", false), "");
        Batches.uploadAndApply(operator(), TestAdmins.PASSWORD, "email,given_name,family_name\n" + ann + ",Ann,Lee\n", "onboard");

        JsonPath stale = planned("email,groups\n" + ann + "," + m + "-A\n", "update", false);
        applied(planned("group,member,action\n" + m + "-B," + ann + ",add\n", "membership", false), "");
        apply(stale, "").then().statusCode(409).body("conflicts[0].reason", containsString("changed since the plan"));

        JsonPath renamed = planned("email,groups\n" + ann + "," + m + "-A|" + m + "-B\n", "update", false);
        JsonPath rename = planned("name,new_name\n" + m + "-A," + m + "-C\n", "groups", false);
        applied(rename, "");
        apply(renamed, "").then().statusCode(409)
                .body("conflicts[0].reason", containsString("\"" + m + "-A\" was renamed or deleted since the plan"));
        JsonPath renameAgain = planned("name,new_name\n" + m + "-C," + m + "-D\n", "groups", false);
        given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).contentType("application/json")
                .body("{\"description\": \"x\"}").get("/api/batches/" + renameAgain.getString("id")).then().statusCode(200);
        sql.update("UPDATE user_group SET version = version + 1 WHERE name = ?", m + "-C");
        apply(renameAgain, "").then().statusCode(409).body("conflicts[0].reason", containsString("changed since the plan"));
    }

    @Test
    void deletingAGroupNeedsTheMembershipCountAndItsRevertRestoresItWithItsMembers() {
        String m = "del" + System.nanoTime();
        String ann = m + "-ann@example.com";
        Batches.uploadAndApply(operator(), TestAdmins.PASSWORD, "email,given_name,family_name\n" + ann + ",Ann,Lee\n", "onboard");
        applied(planned("group,member\n" + m + "-G," + ann + "\n", "membership", true), "");
        JsonPath delete = planned("name,action\n" + m + "-G,delete\n", "groups", false);
        assertEquals(1, delete.getLong("summary.group_delete_members"));
        apply(delete, "").then().statusCode(422).body("error", containsString("number of memberships"));
        applied(delete, ", \"membershipCount\": 1");
        assertEquals(List.of(), groupsOf(ann));
        assertEquals(1, sql.count("SELECT count(*) FROM group_membership m JOIN user_group g ON g.id = m.group_id "
                + "WHERE g.name = ? AND g.deleted_at IS NOT NULL", m + "-G"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'group.deleted' AND details::jsonb->>'group' = ?",
                m + "-G"));

        String revert = given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/batches/" + delete.getString("id") + "/revert").then().statusCode(201).extract().path("id");
        applied(Batches.awaitPlanned(operator(), TestAdmins.PASSWORD, revert), "");
        assertEquals(List.of(m + "-G"), groupsOf(ann));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'group.restored' AND details::jsonb->>'group' = ?",
                m + "-G"));
    }

    @Test
    void aDeletedUserKeepsMembershipsAndManagerAndGetsThemBackOnRestore() {
        String m = "rst" + System.nanoTime();
        String ann = m + "-ann@example.com";
        String boss = m + "-boss@example.com";
        StringBuilder bystanders = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            bystanders.append(m).append("-by").append(i).append("@example.com,By,Stander,,\n");
        }
        applied(planned("email,given_name,family_name,groups,manager\n" + boss + ",Bea,Oak,,\n"
                + ann + ",Ann,Lee," + m + "-G," + boss + "\n" + bystanders, "onboard", true), "");
        Batches.uploadAndApply(operator(), TestAdmins.PASSWORD, "email\n" + ann + "\n", "delete");
        assertEquals(0, sql.count("""
                SELECT count(*) FROM group_membership gm JOIN user_group g ON g.id = gm.group_id
                  JOIN directory_user u ON u.id = gm.user_id WHERE g.name = ? AND u.status <> 'DELETED'""", m + "-G"));
        UUID id = (UUID) sql.rows("SELECT id FROM directory_user WHERE email = ?", ann).get(0).get("id");
        given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).header("X-Roster-Client", "test")
                .post("/api/users/" + id + "/restore").then().statusCode(200);
        assertEquals(List.of(m + "-G"), groupsOf(ann));
        assertEquals(boss, managerOf(ann));
        assertTrue(version(ann) > 1);
    }

    @Test
    void theUsersExportCarriesGroupsAndManagerAndReuploadsAsAllUnchanged() {
        String m = "exp" + System.nanoTime();
        applied(planned("email,given_name,family_name,groups,manager\n"
                + m + "-boss@example.com,Bea,Oak,,\n"
                + m + "-ann@example.com,Ann,Lee,\"" + m + "-B|" + m + "-a\"," + m + "-boss@example.com\n"
                + m + "-cy@example.com,Cy,Ng," + m + "-a,\n", "onboard", true), "");
        String export = given().auth().preemptive().basic(operator(), TestAdmins.PASSWORD).get("/api/users/export.csv")
                .then().statusCode(200).extract().asString().substring(1);
        List<String> lines = export.lines().toList();
        assertTrue(lines.get(0).contains("status,groups,manager"), lines.get(0));
        String mine = lines.get(0) + "\n" + String.join("\n", lines.stream().filter(l -> l.startsWith("\"" + m)).toList()) + "\n";
        assertTrue(mine.contains("\"" + m + "-a|" + m + "-B\",\"" + m + "-boss@example.com\""), mine);
        JsonPath replanned = planned(mine, "update", false);
        assertEquals(3, replanned.getLong("summary.unchanged"), replanned.prettify());
        assertEquals(0, replanned.getLong("summary.changes"), replanned.prettify());
        assertEquals(0, replanned.getLong("summary.error"), replanned.prettify());
    }
}
