package dev.roster.plan;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Users without email, files matched by username, and deleted users that hold no identifier (decisions/0031). */
class UsernameKeyTest {

    final FakeDirectory directory = new FakeDirectory();

    private PlannerTest.Run plan(Operation op, MatchKey matchBy, String csv) {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        List<PlannedChange> changes = new ArrayList<>();
        PlanResult result = new Planner(op, matchBy, directory)
                .plan(() -> new ByteArrayInputStream(bytes), "people.csv", CsvLimits.defaults(), changes::add);
        return new PlannerTest.Run(changes, result);
    }

    private UserSnapshot noEmail(String username, UserStatus status) {
        UserSnapshot user = new UserSnapshot(UUID.nameUUIDFromBytes(("u:" + username).getBytes()), null, null, username,
                "Tanja", "Angelova", null, null, null, null, null, status, Map.of(), 4);
        directory.add(user);
        return user;
    }

    @Test
    void onboardingByUsernameNeedsNoEmailAndThePlanSaysNoInvitationIsSent() {
        PlannerTest.Run run = plan(Operation.ONBOARD, MatchKey.USERNAME, "username,given_name,family_name,email\n"
                + "T.Angelova,Tanja,Angelova,\n"
                + "m.mail,Max,Mail,max@x.org\n"
                + ",No,Key,\n");
        PlannedChange bare = run.at(2);
        assertEquals(ChangeKind.CREATE, bare.kind(), bare.toString());
        assertEquals("t.angelova", bare.key());
        assertTrue(bare.fields().contains(new FieldDiff("username", null, "T.Angelova")), bare.fields().toString());
        assertFalse(bare.sendInvite());
        assertEquals("no email address, so no invitation is sent; the user sets a password once given an email address "
                + "and a reset link", bare.messages(Severity.NOTE).get(0).text());
        assertEquals(ChangeKind.CREATE, run.at(3).kind());
        assertTrue(run.at(3).sendInvite());
        assertTrue(run.errors(4).contains("username is empty; every row needs its username (or, for a user without one, "
                + "its email)"), run.errors(4));
    }

    @Test
    void aRowNeedsAnEmailOrAUsernameToCreateAUser() {
        PlannerTest.Run run = plan(Operation.ONBOARD, MatchKey.EXTERNAL_ID, "external_id,email,username,given_name,family_name\n"
                + "E-1,,t.angelova,Tanja,Angelova\nE-2,,,No,Body\n");
        assertEquals(ChangeKind.CREATE, run.at(2).kind(), run.at(2).toString());
        assertTrue(run.errors(3).contains("email is required to create a user (or a username, for a user without email)"),
                run.errors(3));
    }

    @Test
    void clearingTheUsernameOfAUserWithoutEmailIsAnErrorUnlessTheRowGivesAnEmail() {
        UserSnapshot tanja = new UserSnapshot(UUID.randomUUID(), null, "E-7", "t.angelova", "Tanja", "Angelova", null, null,
                null, null, null, UserStatus.ACTIVE, Map.of(), 4, null, Map.of());
        directory.add(tanja);
        PlannerTest.Run run = plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, "external_id,username,email\nE-7,#clear,\n");
        assertEquals(ChangeKind.ERROR, run.at(2).kind(), run.at(2).toString());
        assertTrue(run.errors(2).contains("user " + tanja.id() + " (username t.angelova) has no email address, so its username "
                + "cannot be cleared; give the user an email address in the same row, or leave username as it is"), run.errors(2));
        PlannerTest.Run withEmail = plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, "external_id,username,email\nE-7,#clear,t@x.org\n");
        assertEquals(ChangeKind.UPDATE, withEmail.at(2).kind(), withEmail.at(2).toString());
    }

    @Test
    void aDeletedManagerIsNoManagerSoALiveOneWithItsOldAddressIsAChange() {
        UserSnapshot gone = new UserSnapshot(UUID.randomUUID(), "boss@x.org", null, null, "Old", "Boss", null, null, null, null,
                null, UserStatus.DELETED, Map.of(), 3, null, Map.of());
        UserSnapshot boss = new UserSnapshot(UUID.randomUUID(), "boss@x.org", null, null, "New", "Boss", null, null, null, null,
                null, UserStatus.ACTIVE, Map.of(), 1, null, Map.of());
        directory.add(gone).add(boss);
        directory.add(directory.add("emp@x.org", null, UserStatus.ACTIVE).withManager(gone.id()));
        directory.add(directory.add("kept@x.org", null, UserStatus.ACTIVE).withManager(boss.id()));
        PlannerTest.Run run = plan(Operation.UPDATE, MatchKey.EMAIL, "email,manager\nemp@x.org,boss@x.org\nkept@x.org,boss@x.org\n");
        assertEquals(ChangeKind.UPDATE, run.at(2).kind(), run.at(2).toString());
        assertEquals(List.of(new FieldDiff("manager", null, "boss@x.org")), run.at(2).fields());
        assertEquals(ChangeKind.UNCHANGED, run.at(3).kind(), run.at(3).toString());
    }

    @Test
    void anAddressThatIsAnotherUsersUsernameIsAnError() {
        UserSnapshot login = noEmail("tanja@x.org", UserStatus.ACTIVE);
        directory.add("max@x.org", "E-9", UserStatus.ACTIVE);
        String expected = "email tanja@x.org already belongs to user " + login.id() + " (username tanja@x.org) as its username; "
                + "both sign a user in, so give this user another address or rename that user";
        PlannerTest.Run create = plan(Operation.ONBOARD, MatchKey.EMAIL, "email,given_name,family_name\nTanja@x.org,T,A\n");
        assertTrue(create.errors(2).contains(expected), create.errors(2));
        PlannerTest.Run update = plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, "external_id,email\nE-9,tanja@x.org\n");
        assertTrue(update.errors(2).contains(expected), update.errors(2));
        PlannerTest.Run byName = plan(Operation.UPDATE, MatchKey.EMAIL, "email,new_email\nmax@x.org,tanja@x.org\n");
        assertTrue(byName.errors(2).contains(expected), byName.errors(2));
    }

    @Test
    void usernameRowsUpdateDeleteAndMatchAUserWithoutUsernameByItsEmail() {
        UserSnapshot tanja = noEmail("t.angelova", UserStatus.ACTIVE);
        UserSnapshot jane = directory.add("jane@x.org", null, UserStatus.ACTIVE);
        PlannerTest.Run run = plan(Operation.UPDATE, MatchKey.USERNAME, "username,email,department\n"
                + "T.ANGELOVA,,Sales\n"
                + ",jane@x.org,Legal\n"
                + "nobody,,Legal\n");
        assertEquals(tanja.id(), run.at(2).userId());
        assertEquals(List.of(new FieldDiff("department", null, "Sales")), run.at(2).fields());
        assertEquals(jane.id(), run.at(3).userId(), run.at(3).toString());
        assertTrue(run.errors(4).contains("no user with username nobody"), run.errors(4));

        PlannerTest.Run delete = plan(Operation.DELETE, MatchKey.USERNAME, "username,reason\nt.angelova,left\n");
        assertEquals(ChangeKind.DELETE, delete.at(2).kind(), delete.at(2).toString());
        assertEquals(tanja.id(), delete.at(2).userId());
    }

    @Test
    void aResetRowForAUserWithoutEmailIsAnErrorSayingWhy() {
        noEmail("t.angelova", UserStatus.ACTIVE);
        PlannerTest.Run run = plan(Operation.RESET, MatchKey.USERNAME, "username\nt.angelova\n");
        assertEquals(ChangeKind.ERROR, run.at(2).kind());
        assertTrue(run.errors(2).contains("has no email address, so no reset link can be sent; give the user an email "
                + "address first"), run.errors(2));
    }

    @Test
    void aDeletedUserHoldsNoIdentifier() {
        directory.add("back@x.org", null, UserStatus.DELETED);
        noEmail("gone.user", UserStatus.DELETED);
        PlannerTest.Run byEmail = plan(Operation.ONBOARD, MatchKey.EMAIL, "email,given_name,family_name\nback@x.org,Back,Again\n");
        assertEquals(ChangeKind.CREATE, byEmail.at(2).kind(), byEmail.at(2).toString());
        assertNull(byEmail.at(2).userId());
        PlannerTest.Run byName = plan(Operation.ONBOARD, MatchKey.USERNAME, "username,given_name,family_name\ngone.user,G,U\n");
        assertEquals(ChangeKind.CREATE, byName.at(2).kind(), byName.at(2).toString());
        PlannerTest.Run update = plan(Operation.UPDATE, MatchKey.USERNAME, "username,department\ngone.user,Sales\n");
        assertTrue(update.errors(2).contains("no user with username gone.user"), update.errors(2));
    }

    @Test
    void aUsernameAnotherUserHasIsAnErrorAndTheEmailOfAUserWithoutOneIsItsLogin() {
        UserSnapshot tanja = noEmail("t.angelova", UserStatus.ACTIVE);
        directory.add("jane@x.org", null, UserStatus.ACTIVE);
        PlannerTest.Run run = plan(Operation.ONBOARD, MatchKey.EMAIL, "email,username,given_name,family_name\n"
                + "new@x.org,T.Angelova,New,Person\n");
        assertTrue(run.errors(2).contains("username T.Angelova already belongs to user " + tanja.id()), run.errors(2));
        // Okta's login: a user without username is exported with its email there, and reads back unchanged
        PlannerTest.Run okta = plan(Operation.UPDATE, MatchKey.EMAIL, "email,username\njane@x.org,Jane@x.org\n");
        assertEquals(ChangeKind.UNCHANGED, okta.at(2).kind(), okta.at(2).toString());
    }

    @Test
    void twoRowsGivingOneUsernameAreBothErrors() {
        PlannerTest.Run run = plan(Operation.ONBOARD, MatchKey.EMAIL, "email,username,given_name,family_name\n"
                + "a@x.org,same,A,A\nb@x.org,SAME,B,B\n");
        assertTrue(run.errors(2).contains("also on line 3"), run.errors(2));
        assertTrue(run.errors(3).contains("also on line 2"), run.errors(3));
    }

    @Test
    void newEmailIsRefusedWhenMatchingByUsername() {
        CsvRefusedException e = assertThrows(CsvRefusedException.class,
                () -> plan(Operation.UPDATE, MatchKey.USERNAME, "username,new_email\nt,a@x.org\n"));
        assertTrue(e.getMessage().contains("When matching by username, put the new address in the email column"), e.getMessage());
    }

    @Test
    void matchByParsesTheWordsOfFormsAndSources() {
        assertEquals(MatchKey.USERNAME, MatchKey.parse("username"));
        assertEquals(MatchKey.EXTERNAL_ID, MatchKey.parse("externalId"));
        assertEquals(MatchKey.EMAIL, MatchKey.parse(" "));
        assertNull(MatchKey.parse("phone"));
    }
}
