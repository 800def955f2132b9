package dev.roster.group;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

@QuarkusTest
class GroupApiTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    static RequestSpecification as(String email) {
        return given().auth().preemptive().basic(email, TestAdmins.PASSWORD).contentType("application/json");
    }

    /** A directory user written straight into the table; returns its id. */
    static UUID user(Sql sql, String email, String status) {
        UUID id = UUID.randomUUID();
        sql.update("INSERT INTO directory_user (id, email, given_name, family_name, status, deleted_at) VALUES (?, ?, 'Gro', 'Up', ?, "
                + "CASE WHEN ? = 'DELETED' THEN now() END)", id, email, status, status);
        return id;
    }

    static JsonPath create(String operator, String name) {
        return as(operator).body(Map.of("name", name)).post("/api/groups").then().statusCode(201).extract().jsonPath();
    }

    @Test
    void createReadEditWithVersionsAndClearRefusals() {
        String op = admins.create(AdminRole.OPERATOR);
        String viewer = admins.create(AdminRole.VIEWER);
        String name = "Sales " + System.nanoTime();
        JsonPath created = as(op).body(Map.of("name", name, "description", "The sellers", "externalId", "ext-" + name))
                .post("/api/groups").then().statusCode(201).header("ETag", "\"1\"")
                .body("name", equalTo(name)).body("memberCount", equalTo(0)).body("version", equalTo(1))
                .body("description", equalTo("The sellers")).extract().jsonPath();
        String id = created.getString("id");

        // Names: unique whatever the case, trimmed, no control characters, at most 255 characters.
        as(op).body(Map.of("name", name.toUpperCase())).post("/api/groups").then().statusCode(409)
                .body("error", containsString("already exists"));
        as(op).body(Map.of("name", " padded")).post("/api/groups").then().statusCode(422).body("error", containsString("spaces"));
        as(op).body(Map.of("name", "tab\there")).post("/api/groups").then().statusCode(422)
                .body("error", containsString("control character"));
        as(op).body(Map.of("name", "x".repeat(256))).post("/api/groups").then().statusCode(422).body("error", containsString("255"));
        as(op).body(Map.of("description", "no name")).post("/api/groups").then().statusCode(422);
        as(op).body(Map.of("name", "other " + name, "externalId", "ext-" + name)).post("/api/groups").then().statusCode(409)
                .body("error", containsString("external id"));
        as(viewer).body(Map.of("name", "viewer " + name)).post("/api/groups").then().statusCode(403);

        as(viewer).get("/api/groups/" + id).then().statusCode(200).header("ETag", "\"1\"").body("externalId", equalTo("ext-" + name));
        as(viewer).get("/api/groups?q=" + name.substring(0, 10).toLowerCase() + name.substring(10)).then().statusCode(200)
                .body("items.find { it.id == '" + id + "' }.memberCount", equalTo(0));

        // Optimistic versions: a stale If-Match is 412, a stale version in the body 409; neither changes anything.
        as(op).header("If-Match", "\"7\"").body(Map.of("name", name + " renamed")).patch("/api/groups/" + id).then()
                .statusCode(412).body("error", containsString("changed since you loaded it"));
        as(op).body(Map.of("name", name + " renamed", "version", 7)).patch("/api/groups/" + id).then().statusCode(409);
        Map<String, Object> nullDescription = new java.util.HashMap<>(Map.of("name", name + " renamed"));
        nullDescription.put("description", null);
        as(op).header("If-Match", "\"1\"").body(nullDescription).patch("/api/groups/" + id).then().statusCode(200)
                .header("ETag", "\"2\"").body("name", equalTo(name + " renamed")).body("description", nullValue())
                .body("externalId", equalTo("ext-" + name)).body("version", equalTo(2));
        as(viewer).header("If-Match", "\"2\"").body(Map.of("name", "x")).patch("/api/groups/" + id).then().statusCode(403);
        // Renaming to its own name in another case is fine.
        as(op).body(Map.of("name", (name + " renamed").toLowerCase())).patch("/api/groups/" + id).then().statusCode(200)
                .body("version", equalTo(3));

        List<Map<String, Object>> events = sql.rows("SELECT action, details, actor_name FROM audit_event WHERE details::jsonb ->> 'groupId' = ? "
                + "AND action LIKE 'group.%' ORDER BY seq", id);
        assertEquals(List.of("group.created", "group.updated", "group.updated"), events.stream().map(e -> e.get("action")).toList());
        JsonPath updated = new JsonPath((String) events.get(1).get("details"));
        assertEquals(name + " renamed", updated.getString("group"));
        assertEquals(List.of("name", "description"), updated.getList("fields.name"));
        assertEquals("The sellers", updated.getString("fields[1].before"));
        assertEquals("Test operator", events.get(0).get("actor_name"));
    }

    @Test
    void membersAreAddedPagedCountedWithoutDeletedUsersAndDeletingNeedsTheirNumber() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "gm" + System.nanoTime();
        String id = create(op, "Members " + m).getString("id");
        UUID a = user(sql, m + "-a@example.com", "ACTIVE");
        UUID b = user(sql, m + "-b@example.com", "INVITED");
        UUID c = user(sql, m + "-c@example.com", "ACTIVE");
        UUID gone = user(sql, m + "-d@example.com", "DELETED");
        long versionBefore = (Long) sql.rows("SELECT version FROM directory_user WHERE id = ?", a).get(0).get("version");

        as(op).body(Map.of("userId", a)).post("/api/groups/" + id + "/members").then().statusCode(201).body("memberCount", equalTo(1));
        as(op).body(Map.of("userId", a)).post("/api/groups/" + id + "/members").then().statusCode(200).body("memberCount", equalTo(1));
        as(op).body(Map.of("email", (m + "-B@example.com"))).post("/api/groups/" + id + "/members").then().statusCode(201);
        as(op).body(Map.of("userId", c)).post("/api/groups/" + id + "/members").then().statusCode(201)
                .body("memberCount", equalTo(3)).body("version", equalTo(4));
        as(op).body(Map.of("userId", gone)).post("/api/groups/" + id + "/members").then().statusCode(409)
                .body("error", containsString("deleted"));
        as(op).body(Map.of("email", "nobody-" + m + "@example.com")).post("/api/groups/" + id + "/members").then().statusCode(422);
        // A member who was deleted later keeps the membership but never counts.
        sql.update("INSERT INTO group_membership (group_id, user_id) VALUES (?, ?)", UUID.fromString(id), gone);
        assertNotEquals(versionBefore, sql.rows("SELECT version FROM directory_user WHERE id = ?", a).get(0).get("version"));

        String viewer = admins.create(AdminRole.VIEWER);
        as(viewer).get("/api/groups/" + id).then().body("memberCount", equalTo(3));
        JsonPath first = as(viewer).get("/api/groups/" + id + "/members?size=2").then().statusCode(200)
                .body("total", equalTo(3)).body("items", hasSize(2)).extract().jsonPath();
        assertEquals(List.of(m + "-a@example.com", m + "-b@example.com"), first.getList("items.email"));
        as(viewer).get("/api/groups/" + id + "/members?size=2&after=" + first.getString("next")).then()
                .body("items.email", equalTo(List.of(m + "-c@example.com"))).body("next", nullValue());
        as(viewer).get("/api/groups/" + id + "/members?size=2&page=2").then()
                .body("items.email", equalTo(List.of(m + "-c@example.com"))).body("page", equalTo(2));

        // The user API shows the groups and the manager, in the list too.
        sql.update("UPDATE directory_user SET manager_id = ? WHERE id = ?", c, a);
        as(viewer).get("/api/users/" + a).then().body("groups.name", equalTo(List.of("Members " + m)))
                .body("manager.email", equalTo(m + "-c@example.com")).body("email", equalTo(m + "-a@example.com"));
        as(viewer).get("/api/users?q=" + m + "&size=10").then().body("items.find { it.id == '" + a + "' }.manager.id",
                equalTo(c.toString())).body("items.find { it.id == '" + b + "' }.manager", nullValue())
                .body("items.find { it.id == '" + b + "' }.groups.id", equalTo(List.of(id)));

        // Membership events target the user and name the group.
        List<Map<String, Object>> added = sql.rows("SELECT target_user_id, target_email, details FROM audit_event "
                + "WHERE action = 'membership.added' AND details::jsonb ->> 'groupId' = ? ORDER BY seq", id);
        assertEquals(List.of(a, b, c), added.stream().map(e -> e.get("target_user_id")).toList());
        assertEquals("Members " + m, new JsonPath((String) added.get(0).get("details")).getString("group"));

        as(op).delete("/api/groups/" + id + "/members/" + b).then().statusCode(204);
        as(op).delete("/api/groups/" + id + "/members/" + b).then().statusCode(404);
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'membership.removed' AND target_user_id = ?", b));

        // Delete: refused without the number of members (which the refusal gives), done with it; memberships stay.
        as(op).delete("/api/groups/" + id).then().statusCode(409).body("memberships", equalTo(2))
                .body("error", containsString("2 members"));
        as(op).delete("/api/groups/" + id + "?memberships=3").then().statusCode(409);
        as(viewer).delete("/api/groups/" + id + "?memberships=2").then().statusCode(403);
        as(op).delete("/api/groups/" + id + "?memberships=2").then().statusCode(204);
        as(viewer).get("/api/groups/" + id).then().statusCode(404);
        assertEquals(3, sql.count("SELECT count(*) FROM group_membership WHERE group_id = ?", UUID.fromString(id)));
        as(viewer).get("/api/users/" + a).then().body("groups", hasSize(0));
        assertEquals("2", new JsonPath((String) sql.rows("SELECT details FROM audit_event WHERE action = 'group.deleted' "
                + "AND details::jsonb ->> 'groupId' = ?", id).get(0).get("details")).getString("memberships"));
        // Its name is free again; while another group holds it, the deleted one cannot come back.
        String other = create(op, "members " + m).getString("id");
        as(op).post("/api/groups/" + id + "/restore").then().statusCode(409).body("error", containsString("already exists"));
        as(op).delete("/api/groups/" + other).then().statusCode(204);
        as(op).post("/api/groups/" + id + "/restore").then().statusCode(200).body("memberCount", equalTo(2));
        as(op).post("/api/groups/" + id + "/restore").then().statusCode(409);
        as(viewer).get("/api/users/" + a).then().body("groups.name", equalTo(List.of("Members " + m)));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'group.restored' "
                + "AND details::jsonb ->> 'groupId' = ?", id));
    }
}
