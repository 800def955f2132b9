package dev.roster.scim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.access.AdminRole;
import dev.roster.mail.MailFixtures;
import dev.roster.support.Batches;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * #26 item 1 (decision 0037): a file (Entra's Block sign in = Yes) or SCIM (active: false) creates users SUSPENDED with
 * no invitation; the file's users get theirs when they are activated, by a file or by SCIM, once.
 */
@QuarkusTest
class CreatedSuspendedTest {

    private static final String INVITED = "You are invited: set your password";

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    private String status(String email) {
        return (String) sql.rows("SELECT status FROM directory_user WHERE email = ?", email).get(0).get("status");
    }

    private long invitations(String email) {
        return sql.count("SELECT count(*) FROM mail_outbox o JOIN directory_user u ON u.id = o.user_id "
                + "WHERE u.email = ? AND o.kind = 'INVITE'", email);
    }

    @Test
    void entraBlockSignInCreatesSuspendedAndTheActivationInvitesOnce() {
        String op = admins.create(AdminRole.OPERATOR);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String blocked = "blocked-" + run + "@example.org";
        String open = "open-" + run + "@example.org";
        String csv = "version:v1.0\nName [displayName] Required,User name [userPrincipalName] Required,"
                + "Block sign in (Yes/No) [accountEnabled] Required,First name [givenName],Last name [surname]\n"
                + "Bea Blocked," + blocked + ",Yes,Bea,Blocked\n"
                + "Otto Open," + open + ",No,Otto,Open\n";
        JsonPath applied = Batches.uploadAndApply(op, TestAdmins.PASSWORD, csv, "onboard");
        assertEquals("APPLIED", applied.getString("status"), applied.prettify());
        assertEquals("SUSPENDED", status(blocked));
        assertEquals("INVITED", status(open));
        MailFixtures.awaitMail(open, INVITED, 1);
        assertEquals(0, invitations(blocked), "no invitation for a user created suspended");
        assertEquals(0, sql.count("SELECT count(*) FROM audit_event WHERE action = 'invite.issued' AND target_email = ?", blocked));

        // a file activates the user: the invitation goes out then, and the user waits for its password as INVITED
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,status\n" + blocked + ",ACTIVE\n", "update");
        MailFixtures.awaitMail(blocked, INVITED, 1);
        assertEquals("INVITED", status(blocked));
        assertEquals(1, invitations(blocked));
        // suspended and activated again: no second invitation
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,status\n" + blocked + ",SUSPENDED\n", "update");
        assertEquals("SUSPENDED", status(blocked));
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,status\n" + blocked + ",ACTIVE\n", "update");
        assertEquals(1, invitations(blocked), "the invitation goes out once");
        assertEquals(1, sql.count("SELECT count(*) FROM audit_event WHERE action = 'invite.issued' AND target_email = ?", blocked));
    }

    @Test
    void scimActiveFalseCreatesSuspendedWithoutMailAndActiveTrueSendsTheFilesInvitation() {
        String email = Scim.unique("scim-suspended");
        String body = Scim.user(email, "Sue", "Pended").replace("\"userName\"", "\"active\": false, \"userName\"");
        String id = Scim.rw().body(body).post("/scim/v2/Users").then().statusCode(201).extract().path("id");
        assertEquals("SUSPENDED", status(email));
        assertEquals(0, invitations(email), "SCIM sends no invitation");

        // a file's suspended user activated through SCIM gets the invitation it waited for
        String op = admins.create(AdminRole.OPERATOR);
        String filed = "filed-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,status\n" + filed
                + ",Fil,Ed,SUSPENDED\n", "onboard");
        assertEquals("SUSPENDED", status(filed));
        String filedId = sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", filed).get(0).get("id").toString();
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"active\", \"value\": true}"))
                .patch("/scim/v2/Users/" + filedId).then().statusCode(200);
        MailFixtures.awaitMail(filed, INVITED, 1);
        assertEquals(1, invitations(filed));
        assertEquals("INVITED", status(filed));
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"active\", \"value\": true}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200);
        assertEquals("ACTIVE", status(email));
        assertTrue(invitations(email) == 0, "a SCIM user's activation sends nothing");
    }

    /** The epoch second the user's one pending activation is due at. */
    private long activationDue(String email) {
        var rows = sql.rows("SELECT extract(epoch FROM s.due_at)::bigint AS at FROM scheduled_change s "
                + "JOIN directory_user u ON u.id = s.user_id WHERE u.email = ? AND s.kind = 'ACTIVATE' AND s.status = 'PENDING'", email);
        assertEquals(1, rows.size(), rows.toString());
        return ((Number) rows.get(0).get("at")).longValue();
    }

    @Test
    void theDatesFallInTheUsersOneTimezoneAndMoveWhenAFileOrScimChangesIt() {
        String op = admins.create(AdminRole.OPERATOR);
        String email = "zoned-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        LocalDate start = LocalDate.now(ZoneOffset.UTC).plusDays(20);
        // time_zone, as issue #26 spells the column, is the user's timezone
        Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,given_name,family_name,start_date,time_zone\n" + email
                + ",Zoe,Zoned," + start + ",Europe/Berlin\n", "onboard");
        assertEquals("Europe/Berlin", sql.rows("SELECT timezone FROM directory_user WHERE email = ?", email).get(0).get("timezone"));
        assertEquals(start.atTime(8, 0).atZone(ZoneId.of("Europe/Berlin")).toEpochSecond(), activationDue(email));

        // a file changing only the zone (header tz) moves the pending activation to 08:00 of the same day there
        JsonPath moved = Batches.uploadAndApply(op, TestAdmins.PASSWORD, "email,tz\n" + email + ",America/Los_Angeles\n", "update");
        assertEquals("APPLIED", moved.getString("status"), moved.prettify());
        assertEquals(start.atTime(8, 0).atZone(ZoneId.of("America/Los_Angeles")).toEpochSecond(), activationDue(email));

        // so does SCIM's timezone
        String id = sql.rows("SELECT id::text AS id FROM directory_user WHERE email = ?", email).get(0).get("id").toString();
        Scim.rw().body(Scim.patch("{\"op\": \"replace\", \"path\": \"timezone\", \"value\": \"Asia/Tokyo\"}"))
                .patch("/scim/v2/Users/" + id).then().statusCode(200);
        assertEquals(start.atTime(8, 0).atZone(ZoneId.of("Asia/Tokyo")).toEpochSecond(), activationDue(email));
    }
}
