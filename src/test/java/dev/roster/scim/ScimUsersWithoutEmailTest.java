package dev.roster.scim;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** RFC 7643 needs only userName: a user without email, deleted and provisioned again (issue #24, decisions/0031). */
@QuarkusTest
class ScimUsersWithoutEmailTest {

    @Inject
    Sql sql;

    private static String user(String userName) {
        return """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "%s",
                 "name": {"givenName": "Tanja", "familyName": "Angelova"}, "active": true}""".formatted(userName);
    }

    @Test
    void aUserWithOnlyAUserNameIsCreatedDeletedAndCreatedAgain() {
        String userName = "t.angelova-" + UUID.randomUUID().toString().substring(0, 8);
        String first = Scim.rw().body(user(userName)).post("/scim/v2/Users").then().statusCode(201)
                .body("userName", equalTo(userName)).body("emails", nullValue()).extract().path("id");
        Scim.rw().body(user(userName.toUpperCase())).post("/scim/v2/Users").then().statusCode(409)
                .body("scimType", equalTo("uniqueness"));
        Scim.as("read").queryParam("filter", "userName eq \"" + userName + "\"").get("/scim/v2/Users").then()
                .statusCode(200).body("totalResults", equalTo(1)).body("Resources[0].id", equalTo(first));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"title\", \"value\": \"Picker\"}"))
                .patch("/scim/v2/Users/" + first).then().statusCode(200).body("title", equalTo("Picker"));
        String renamed = userName + "-r";
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"userName\", \"value\": \"" + renamed + "\"}"))
                .patch("/scim/v2/Users/" + first).then().statusCode(200).body("userName", equalTo(renamed));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"userName\", \"value\": \"" + userName + "\"}"))
                .patch("/scim/v2/Users/" + first).then().statusCode(200).body("userName", equalTo(userName));
        Scim.rw().delete("/scim/v2/Users/" + first).then().statusCode(204);

        String second = Scim.rw().body(user(userName)).post("/scim/v2/Users").then().statusCode(201)
                .body("userName", equalTo(userName)).extract().path("id");
        assertNotEquals(first, second);
        assertEquals(List.of("DELETED", "INVITED"), sql.rows("SELECT status FROM directory_user WHERE username = ? "
                + "ORDER BY created_at", userName).stream().map(r -> r.get("status")).toList());
        assertEquals(0, sql.count("SELECT count(*) FROM mail_outbox WHERE user_id = ?::uuid", second));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.created' AND target_user_id = ?::uuid "
                + "AND target_email = ?", second, userName));
    }

    @Test
    void aPutOrPatchWithoutEmailsRemovesTheAddressAndNeverTakesItFromTheUserName() {
        String m = UUID.randomUUID().toString().substring(0, 8);
        String id = Scim.rw().body(user("t.angelova-" + m)).post("/scim/v2/Users").then().statusCode(201)
                .body("emails", nullValue()).extract().path("id");
        // an address as userName on PATCH renames; it is not taken as the email
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"userName\", \"value\": \"tanja-" + m + "@x.org\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200).body("emails", nullValue());
        assertEquals(null, sql.rows("SELECT email FROM directory_user WHERE id = ?::uuid", id).get(0).get("email"));

        String mailed = Scim.rw().body(user("m.mail-" + m).replace("\"active\"", "\"emails\": [{\"value\": \"max-" + m
                + "@x.org\", \"primary\": true}], \"active\"")).post("/scim/v2/Users").then().statusCode(201)
                .body("emails[0].value", equalTo("max-" + m + "@x.org")).extract().path("id");
        Scim.rw().body(user("m.mail-" + m)).put("/scim/v2/Users/" + mailed).then().statusCode(200)
                .body("emails", nullValue()).body("userName", equalTo("m.mail-" + m));
        assertEquals(null, sql.rows("SELECT email FROM directory_user WHERE id = ?::uuid", mailed).get(0).get("email"));
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'user.updated' AND target_user_id = ?::uuid "
                + "AND target_email = ?", mailed, "m.mail-" + m));
    }

    @Test
    void aUserWithoutEmailCanBeAManager() {
        String m = UUID.randomUUID().toString().substring(0, 8);
        String boss = Scim.rw().body(user("boss-" + m)).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        String enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        Scim.rw().body(user("emp-" + m).replace("\"schemas\": [", "\"schemas\": [\"" + enterprise + "\", ")
                .replace("\"active\": true", "\"active\": true, \"" + enterprise + "\": {\"manager\": {\"value\": \"" + boss + "\"}}"))
                .post("/scim/v2/Users").then().statusCode(201).body("'" + enterprise + "'.manager.value", equalTo(boss));
    }

    @Test
    void anAddressThatIsAnotherUsersUserNameIsRefused() {
        String m = UUID.randomUUID().toString().substring(0, 8);
        String login = "login-" + m + "@x.org";
        Scim.rw().body(user(login).replace("\"active\"", "\"emails\": [{\"value\": \"other-" + m + "@x.org\"}], \"active\""))
                .post("/scim/v2/Users").then().statusCode(201);
        Scim.rw().body(user("second-" + m).replace("\"active\"", "\"emails\": [{\"value\": \"" + login + "\"}], \"active\""))
                .post("/scim/v2/Users").then().statusCode(409).body("scimType", equalTo("uniqueness"))
                .body("detail", containsString("email " + login + " already belongs to user"));
    }

    @Test
    void anAsBatchOperationOnAUserWithoutEmailIsRefusedNamingTheWayThatWorks() {
        String userName = "asb-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Scim.rw().body(user(userName)).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        Scim.rw().queryParam("asBatch", "true").body("""
                {"Operations": [{"method": "PATCH", "path": "/Users/%s",
                  "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                           "Operations": [{"op": "replace", "path": "title", "value": "x"}]}}]}""".formatted(id))
                .post("/scim/v2/Bulk").then().statusCode(400)
                .body("detail", containsString("has no email address, and an asBatch file matches users by email"));
    }

    @Test
    void anAddressFreedByADeleteIsProvisionedAgain() {
        String email = Scim.unique("again");
        String first = Scim.createId(email);
        Scim.rw().delete("/scim/v2/Users/" + first).then().statusCode(204);
        String second = Scim.createId(email);
        assertNotEquals(first, second);
        Scim.rw().body("{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"x-" + email
                + "\", \"name\": {\"givenName\": \"A\", \"familyName\": \"B\"}, \"emails\": [{\"value\": \"" + email
                + "\", \"primary\": true}]}").post("/scim/v2/Users").then().statusCode(409)
                .body("detail", containsString("already belongs to user " + second));
    }
}
