package dev.roster.plan;

import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlannerTest {

    final FakeDirectory directory = new FakeDirectory();

    /** A plan run: every change and the totals. */
    record Run(List<PlannedChange> changes, PlanResult result) {
        PlannedChange at(long line) {
            return changes.stream().filter(c -> c.line() == line).findFirst().orElseThrow();
        }

        String errors(long line) {
            return at(line).messages(Severity.ERROR).toString();
        }
    }

    Run plan(Operation op, String csv) {
        return plan(op, MatchKey.EMAIL, csv);
    }

    Run plan(Operation op, MatchKey matchBy, String csv) {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        List<PlannedChange> changes = new ArrayList<>();
        PlanResult result = new Planner(op, matchBy, directory)
                .plan(() -> new ByteArrayInputStream(bytes), "people.csv", CsvLimits.defaults(), changes::add);
        return new Run(changes, result);
    }

    static UserSnapshot full(String email, UserStatus status) {
        return new UserSnapshot(UUID.nameUUIDFromBytes(email.getBytes()), email, "E-1", "jdoe", "Jane", "Doe", "Jane Doe",
                "+49301234567", "Sales", "Manager", "de-DE", status, Map.of("costCenter", "CC-1", "floor", "3"), 42);
    }

    // --- CREATE

    @Test
    void onboardingCreatesWithEveryNonBlankFieldNormalised() {
        Run run = plan(Operation.ONBOARD, "E-Mail,First Name,Last Name,Mobile,Language,send_invite,attr.costCenter,Department\n"
                + "Jane.Doe@Example.org , Jane ,Doe,+49 (30) 123-4567,de_de,no,CC-42,\n");
        PlannedChange change = run.at(2);
        assertEquals(ChangeKind.CREATE, change.kind());
        assertEquals("jane.doe@example.org", change.key());
        assertEquals(List.of(new FieldDiff("email", null, "jane.doe@example.org"), new FieldDiff("given_name", null, "Jane"),
                new FieldDiff("family_name", null, "Doe"), new FieldDiff("phone", null, "+49301234567"),
                new FieldDiff("locale", null, "de-DE"), new FieldDiff("attr.costCenter", null, "CC-42")), change.fields());
        assertFalse(change.sendInvite());
        assertNull(change.userId());
        assertNull(change.plannedVersion());
        assertTrue(change.messages().isEmpty(), change.messages().toString());
        assertEquals(1L, run.result().count(ChangeKind.CREATE));
        assertEquals(1L, run.result().rows());
    }

    @Test
    void sendInviteDefaultsToTrueAndPasswordHashIsImportedButHidden() {
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name,password_hash\n"
                + "a@x.org,A,A,\n"
                + "b@x.org,B,B,\"" + CellRulesTest.ARGON2ID + "\"\n"); // Argon2 strings hold commas: quoted
        assertTrue(run.at(2).sendInvite());
        assertNull(run.at(2).passwordHash());
        assertEquals(CellRulesTest.ARGON2ID, run.at(3).passwordHash());
        assertEquals("[hidden]", run.at(3).originalCells().get(3));
        assertFalse(run.at(3).toString().contains("argon2id"));
        assertTrue(run.at(3).field("password_hash").isEmpty());
    }

    @Test
    void onboardingAnExistingEmailNamesTheUser() {
        UserSnapshot existing = directory.add("taken@x.org", null, UserStatus.ACTIVE);
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name\nTAKEN@x.org,T,T\n");
        assertEquals(ChangeKind.ERROR, run.at(2).kind());
        assertTrue(run.errors(2).contains("already belongs to user " + existing.id() + " (taken@x.org)"), run.errors(2));
        assertEquals(existing.id(), run.at(2).userId());
    }

    @Test
    void reportsEveryProblemOfARowNotJustTheFirst() {
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name,phone,locale,send_invite,password_hash,display_name\n"
                + "not-an-email,,Doe,030 123,english,maybe,hunter2," + "x".repeat(101) + "\n");
        PlannedChange change = run.at(2);
        assertEquals(ChangeKind.ERROR, change.kind());
        List<String> columns = change.messages(Severity.ERROR).stream().map(PlanMessage::column).toList();
        assertEquals(List.of("email", "phone", "locale", "send_invite", "password_hash", "display_name", "given_name"), columns);
        assertFalse(change.messages().toString().contains("hunter2"));
    }

    @Test
    void createNeedsGivenAndFamilyNameValues() {
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name\na@x.org, ,#clear\n");
        assertEquals(java.util.Set.of("given_name", "family_name"),
                run.at(2).messages(Severity.ERROR).stream().map(PlanMessage::column).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void matchingByExternalIdChecksThatTheEmailIsFree() {
        UserSnapshot owner = directory.add("taken@x.org", "E-9", UserStatus.ACTIVE);
        Run run = plan(Operation.ONBOARD, MatchKey.EXTERNAL_ID, "external_id,email,given_name,family_name\n"
                + "E-1,taken@x.org,T,T\nE-2,free@x.org,F,F\nE-9,other@x.org,O,O\n");
        assertTrue(run.errors(2).contains("email taken@x.org already belongs to user " + owner.id()), run.errors(2));
        assertEquals(ChangeKind.CREATE, run.at(3).kind());
        assertEquals("E-2", run.at(3).key());
        assertTrue(run.errors(4).contains("external_id E-9 already belongs"), run.errors(4));
    }

    // --- UPDATE

    @Test
    void updateListsOnlyFieldsThatDifferWithBeforeAndAfter() {
        UserSnapshot jane = directory.add(full("jane@x.org", UserStatus.ACTIVE)).users.values().iterator().next();
        Run run = plan(Operation.UPDATE, "email,given_name,family_name,phone,department,title,attr.costCenter,attr.floor,attr.new\n"
                + "JANE@x.org,Jane,Smith,+49 30 1234567,,#clear,CC-1,#clear,yes\n");
        PlannedChange change = run.at(2);
        assertEquals(ChangeKind.UPDATE, change.kind());
        assertEquals(List.of(new FieldDiff("family_name", "Doe", "Smith"), new FieldDiff("title", "Manager", null),
                new FieldDiff("attr.floor", "3", null), new FieldDiff("attr.new", null, "yes")), change.fields());
        assertEquals(jane.id(), change.userId());
        assertEquals(42L, change.plannedVersion());
    }

    @Test
    void updateWithNothingToChangeIsUnchangedWithANote() {
        directory.add(full("jane@x.org", UserStatus.ACTIVE));
        Run run = plan(Operation.UPDATE, "email,given_name,attr.costCenter,locale\njane@x.org,Jane,CC-1,de_DE\n");
        assertEquals(ChangeKind.UNCHANGED, run.at(2).kind());
        assertEquals(42L, run.at(2).plannedVersion());
        assertTrue(run.at(2).messages(Severity.NOTE).get(0).text().contains("nothing to change"));
    }

    @Test
    void updateSuspendsAndReactivatesThroughTheStatusColumnOnly() {
        directory.add("active@x.org", null, UserStatus.ACTIVE);
        directory.add("suspended@x.org", null, UserStatus.SUSPENDED);
        directory.add("invited@x.org", null, UserStatus.INVITED);
        Run run = plan(Operation.UPDATE, "email,status\nactive@x.org,suspended\nsuspended@x.org,ACTIVE\n"
                + "invited@x.org,active\n");
        assertEquals(List.of(new FieldDiff("status", "ACTIVE", "SUSPENDED")), run.at(2).fields());
        assertEquals(List.of(new FieldDiff("status", "SUSPENDED", "ACTIVE")), run.at(3).fields());
        assertEquals(ChangeKind.ERROR, run.at(4).kind());
        assertTrue(run.errors(4).contains("setting a password"), run.errors(4));
        Run deleting = plan(Operation.UPDATE, "email,status\nactive@x.org,deleted\n");
        assertTrue(deleting.errors(2).contains("delete operation"), deleting.errors(2));
        Run unknown = plan(Operation.UPDATE, "email,status\nactive@x.org,asleep\n");
        assertTrue(unknown.errors(2).contains("not a status"), unknown.errors(2));
    }

    @Test
    void exportedFormulaGuardsAreReadAsTheValueItself() {
        directory.add(full("jane@x.org", UserStatus.ACTIVE));
        Run run = plan(Operation.UPDATE, "email,phone,department\njane@x.org,'+49301234567,'=Sales\n");
        assertEquals(List.of(new FieldDiff("department", "Sales", "=Sales")), run.at(2).fields());
    }

    @Test
    void updateOfAMissingOrDeletedUserIsAnError() {
        directory.add("gone@x.org", null, UserStatus.DELETED);
        Run run = plan(Operation.UPDATE, "email,department\nnobody@x.org,Sales\ngone@x.org,Sales\n");
        assertTrue(run.errors(2).contains("no user with email nobody@x.org"), run.errors(2));
        // a deleted user holds no identifier (decisions/0031): its address names no user
        assertTrue(run.errors(3).contains("no user with email gone@x.org"), run.errors(3));
    }

    @Test
    void newEmailChangesTheKeyUnlessAnotherUserHasIt() {
        UserSnapshot jane = directory.add("jane@x.org", null, UserStatus.ACTIVE);
        UserSnapshot bob = directory.add("bob@x.org", null, UserStatus.ACTIVE);
        UserSnapshot carol = directory.add("carol@x.org", null, UserStatus.ACTIVE);
        Run run = plan(Operation.UPDATE, "email,new_email\njane@x.org,Jane.Smith@x.org\nbob@x.org,CAROL@x.org\n");
        assertEquals(List.of(new FieldDiff("email", "jane@x.org", "jane.smith@x.org")), run.at(2).fields());
        assertEquals(jane.id(), run.at(2).userId());
        assertEquals(ChangeKind.ERROR, run.at(3).kind());
        assertTrue(run.errors(3).contains("carol@x.org already belongs to user " + carol.id()), run.errors(3));
        assertEquals(bob.id(), run.at(3).userId());
    }

    @Test
    void newEmailCollidingWithAnotherRowsKeyIsAnErrorOnBothRows() {
        directory.add("a@x.org", null, UserStatus.ACTIVE);
        directory.add("b@x.org", null, UserStatus.ACTIVE);
        Run run = plan(Operation.UPDATE, "email,new_email,department\na@x.org,,Sales\nb@x.org,a@x.org,\n");
        assertTrue(run.errors(2).contains("email a@x.org also on line 3 (as new_email on line 3)"), run.errors(2));
        assertTrue(run.errors(3).contains("new_email a@x.org also on line 2 (as email on line 2)"), run.errors(3));
    }

    @Test
    void updateByExternalIdChangesTheEmailColumn() {
        directory.add(full("jane@x.org", UserStatus.ACTIVE));
        Run run = plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, "external_id,email\nE-1,Jane@x.org\n");
        assertEquals(ChangeKind.UNCHANGED, run.at(2).kind());
        Run changed = plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, "external_id,email\nE-1,new@x.org\n");
        assertEquals(List.of(new FieldDiff("email", "jane@x.org", "new@x.org")), changed.at(2).fields());
    }

    // --- DELETE and RESET

    @Test
    void deleteIsIdempotent() {
        UserSnapshot active = directory.add("a@x.org", null, UserStatus.ACTIVE);
        directory.add("gone@x.org", null, UserStatus.DELETED);
        Run run = plan(Operation.DELETE, "email,reason\na@x.org,left\nnobody@x.org,\ngone@x.org,\n");
        assertEquals(ChangeKind.DELETE, run.at(2).kind());
        assertEquals(active.id(), run.at(2).userId());
        assertEquals(7L, run.at(2).plannedVersion());
        assertEquals(ChangeKind.UNCHANGED, run.at(3).kind());
        assertTrue(run.at(3).messages(Severity.NOTE).get(0).text().contains("nothing to delete"));
        assertEquals(ChangeKind.UNCHANGED, run.at(4).kind()); // a deleted user's address names no user now
        assertTrue(run.at(4).messages(Severity.NOTE).get(0).text().contains("nothing to delete"));
        assertEquals(null, run.at(4).userId());
        assertEquals(Map.of(ChangeKind.DELETE, 1L, ChangeKind.UNCHANGED, 2L), nonZero(run.result()));
    }

    @Test
    void deleteCrossChecksTheOtherIdentityColumn() {
        directory.add("a@x.org", "E-1", UserStatus.ACTIVE);
        Run run = plan(Operation.DELETE, "email,external_id\na@x.org,E-2\n");
        assertTrue(run.errors(2).contains("external_id E-2 does not match user"), run.errors(2));
    }

    @Test
    void resetNeedsAnActiveOrInvitedUser() {
        directory.add("a@x.org", null, UserStatus.ACTIVE);
        directory.add("i@x.org", null, UserStatus.INVITED);
        directory.add("s@x.org", null, UserStatus.SUSPENDED);
        directory.add("d@x.org", null, UserStatus.DELETED);
        Run run = plan(Operation.RESET, "email\na@x.org\ni@x.org\ns@x.org\nd@x.org\nnobody@x.org\n");
        assertEquals(ChangeKind.RESET, run.at(2).kind());
        assertEquals(ChangeKind.RESET, run.at(3).kind());
        assertTrue(run.errors(4).contains("suspended"), run.errors(4));
        assertTrue(run.errors(5).contains("no user with email d@x.org"), run.errors(5));
        assertTrue(run.errors(6).contains("no user with email nobody@x.org"), run.errors(6));
    }

    // --- MIXED

    @Test
    void mixedFilesNameTheActionPerRow() {
        directory.add(full("jane@x.org", UserStatus.ACTIVE));
        directory.add("bob@x.org", null, UserStatus.ACTIVE);
        Run run = plan(Operation.MIXED, "action,email,given_name,family_name,department,reason\n"
                + "create,new@x.org,N,N,,\n"
                + "UPSERT,jane@x.org,Jane,Doe,Support,\n"
                + "upsert,fresh@x.org,F,F,,\n"
                + "delete,bob@x.org,,,,left\n"
                + "reset,jane2@x.org,,,,\n"
                + "promote,x@x.org,,,,\n"
                + ",y@x.org,,,,\n");
        assertEquals(ChangeKind.CREATE, run.at(2).kind());
        assertEquals(ChangeKind.UPDATE, run.at(3).kind());
        assertEquals(List.of(new FieldDiff("department", "Sales", "Support")), run.at(3).fields());
        assertEquals(ChangeKind.CREATE, run.at(4).kind());
        assertEquals(ChangeKind.DELETE, run.at(5).kind());
        assertEquals(ChangeKind.ERROR, run.at(6).kind());
        assertTrue(run.errors(7).contains("unknown action \"promote\"; use one of create, update, upsert, delete, reset"), run.errors(7));
        assertTrue(run.errors(8).contains("action is empty"), run.errors(8));
    }

    // --- duplicates

    @Test
    void aRepeatedKeyIsAnErrorOnEveryLineNamingTheOthers() {
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name\n"
                + "alice@x.org,A,A\nbob@x.org,B,B\n\n"
                + "ALICE@x.org,A,A\ncarol@x.org,C,C\nalice@x.org ,A,A\n");
        assertTrue(run.errors(2).contains("email alice@x.org also on lines 5, 7"), run.errors(2));
        assertTrue(run.errors(5).contains("email alice@x.org also on lines 2, 7"), run.errors(5));
        assertTrue(run.errors(7).contains("email alice@x.org also on lines 2, 5"), run.errors(7));
        assertEquals(ChangeKind.CREATE, run.at(3).kind());
        assertEquals(3L, run.result().count(ChangeKind.ERROR));
        assertEquals(2L, run.result().count(ChangeKind.CREATE));
    }

    @Test
    void repeatedEmailsAreFoundWhenMatchingByExternalId() {
        Run run = plan(Operation.ONBOARD, MatchKey.EXTERNAL_ID, "external_id,email,given_name,family_name\n"
                + "E-1,same@x.org,A,A\nE-2,Same@x.org,B,B\nE-1,other@x.org,C,C\n");
        assertTrue(run.errors(2).contains("email same@x.org also on line 3"), run.errors(2));
        assertTrue(run.errors(2).contains("external_id E-1 also on line 4"), run.errors(2));
        assertTrue(run.errors(4).contains("external_id E-1 also on line 2"), run.errors(4));
    }

    @Test
    void duplicateDetectionHoldsAcrossChunks() {
        StringBuilder csv = new StringBuilder("email,given_name,family_name\n");
        for (int i = 0; i < 2500; i++) {
            csv.append(i == 2400 ? "u7" : "u" + i).append("@x.org,G,F\n");
        }
        Run run = plan(Operation.ONBOARD, csv.toString());
        assertTrue(run.errors(9).contains("email u7@x.org also on line 2402"), run.errors(9));
        assertTrue(run.errors(2402).contains("email u7@x.org also on line 9"), run.errors(2402));
        assertEquals(2L, run.result().count(ChangeKind.ERROR));
    }

    // --- chunked lookups

    @Test
    void asksTheDirectoryOncePerChunkNotPerRow() {
        StringBuilder csv = new StringBuilder("email,department\n");
        for (int i = 0; i < 2500; i++) {
            csv.append("u").append(i).append("@x.org,Sales\n");
        }
        for (int i = 0; i < 2500; i += 3) {
            directory.add("u" + i + "@x.org", null, UserStatus.ACTIVE);
        }
        AtomicInteger progressCalls = new AtomicInteger();
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        List<PlannedChange> changes = new ArrayList<>();
        PlanResult result = new Planner(Operation.UPDATE, MatchKey.EMAIL, directory).plan(() -> new ByteArrayInputStream(bytes),
                "people.csv", CsvLimits.defaults(), new PlanSink() {
                    @Override
                    public void accept(PlannedChange change) {
                        changes.add(change);
                    }

                    @Override
                    public void progress(long rowsRead) {
                        progressCalls.incrementAndGet();
                    }
                });
        assertEquals(List.of(1000, 1000, 500), directory.emailCallSizes);
        assertTrue(directory.externalIdCallSizes.isEmpty());
        assertEquals(3, progressCalls.get());
        assertEquals(2500, result.rows());
        assertEquals(834L, result.count(ChangeKind.UPDATE));
        assertEquals(1666L, result.count(ChangeKind.ERROR));
        assertEquals(2500, changes.size());
        for (int i = 1; i < changes.size(); i++) {
            assertTrue(changes.get(i - 1).line() < changes.get(i).line(), "file order");
        }
    }

    @Test
    void matchingByExternalIdUsesOneCallOfEachKindPerChunk() {
        StringBuilder csv = new StringBuilder("external_id,email,given_name,family_name\n");
        for (int i = 0; i < 25; i++) {
            csv.append("E-").append(i).append(",u").append(i).append("@x.org,G,F\n");
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        new Planner(Operation.ONBOARD, MatchKey.EXTERNAL_ID, directory, 10)
                .plan(() -> new ByteArrayInputStream(bytes), "people.csv", CsvLimits.defaults(), c -> { });
        assertEquals(List.of(10, 10, 5), directory.externalIdCallSizes);
        assertEquals(List.of(10, 10, 5), directory.emailCallSizes);
    }

    // --- warnings and row shape

    @Test
    void formulaPayloadsAreKeptWithAWarningButValidPhonesAreNot() {
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name,phone,department\n"
                + "a@x.org,=HYPERLINK(\"http://evil\"),@SUM(1),+49 30 1234567,-Sales\n");
        PlannedChange change = run.at(2);
        assertEquals(ChangeKind.CREATE, change.kind());
        assertEquals("=HYPERLINK(\"http://evil\")", change.field("given_name").orElseThrow().after());
        assertEquals(List.of("given_name", "family_name", "department"),
                change.messages(Severity.WARNING).stream().map(PlanMessage::column).toList());
        assertEquals(3L, run.result().warnings());
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsAnError() {
        Run run = plan(Operation.ONBOARD, "email,given_name,family_name\na@x.org;A;A\nb@x.org,B,B,,\nc@x.org,C,C,extra\n");
        assertTrue(run.errors(2).contains("has 1 cell but the header has 3 columns"), run.errors(2));
        assertEquals(ChangeKind.CREATE, run.at(3).kind());
        assertEquals(ChangeKind.ERROR, run.at(4).kind());
    }

    @Test
    void messagesFormatWithFileLineAndColumn() {
        Run run = plan(Operation.ONBOARD, "E-mail,given_name,family_name\nbad,A,A\n");
        PlanMessage message = run.at(2).messages(Severity.ERROR).get(0);
        assertTrue(message.format("people.csv", 2).startsWith("people.csv, line 2, column \"E-mail\": \"bad\" is not an email address"),
                message.format("people.csv", 2));
    }

    // --- columns per operation

    @Test
    void refusesMissingRequiredColumnsNamingThem() {
        CsvRefusedException e = assertThrows(CsvRefusedException.class,
                () -> plan(Operation.ONBOARD, "email,given_name\na@x.org,A\n"));
        assertEquals("family_name", e.column());
        assertTrue(e.getMessage().contains("missing required column \"family_name\""), e.getMessage());
        CsvRefusedException mixed = assertThrows(CsvRefusedException.class, () -> plan(Operation.MIXED, "email\na@x.org\n"));
        assertTrue(mixed.getMessage().contains("\"action\""), mixed.getMessage());
        CsvRefusedException byId = assertThrows(CsvRefusedException.class,
                () -> plan(Operation.DELETE, MatchKey.EXTERNAL_ID, "email\na@x.org\n"));
        assertTrue(byId.getMessage().contains("\"external_id\""), byId.getMessage());
    }

    @Test
    void refusesColumnsTheOperationDoesNotUse() {
        CsvRefusedException e = assertThrows(CsvRefusedException.class,
                () -> plan(Operation.DELETE, "email,given_name\na@x.org,A\n"));
        assertEquals("given_name", e.column());
        assertTrue(e.getMessage().contains("not used by the delete operation"), e.getMessage());
        assertTrue(assertThrows(CsvRefusedException.class, () -> plan(Operation.UPDATE, "email,send_invite\na@x.org,yes\n"))
                .getMessage().contains("send_invite"));
        assertTrue(assertThrows(CsvRefusedException.class,
                () -> plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, "external_id,new_email\nE-1,a@x.org\n"))
                .getMessage().contains("put the new address in the email column"));
    }

    @Test
    void refusesAHeaderWithoutRows() {
        CsvRefusedException e = assertThrows(CsvRefusedException.class, () -> plan(Operation.DELETE, "email\n\n"));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
    }

    @Test
    void aRefusalHappensBeforeAnyChangeReachesTheSink() {
        StringBuilder csv = new StringBuilder("email\n");
        for (int i = 0; i < 3000; i++) {
            csv.append("u").append(i).append("@x.org\n");
        }
        csv.append("bad@x.org,\"unclosed\n");
        List<PlannedChange> changes = new ArrayList<>();
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        assertThrows(CsvRefusedException.class, () -> new Planner(Operation.DELETE, MatchKey.EMAIL, directory)
                .plan(() -> new ByteArrayInputStream(bytes), "people.csv", CsvLimits.defaults(), changes::add));
        assertTrue(changes.isEmpty());
    }

    // --- templates

    @ParameterizedTest
    @EnumSource(Operation.class)
    void everyTemplatePlansWithoutErrors(Operation op) {
        if (op != Operation.ONBOARD) {
            directory.add(full("jane.doe@example.org", UserStatus.ACTIVE));
        }
        if (op == Operation.MEMBERSHIP) {
            directory.group("Sales"); // a membership file names a group that exists; the others need no group or manager
        }
        String template = CsvTemplates.template(op);
        assertEquals(2, template.split("\r\n").length);
        Run run = plan(op, template);
        assertEquals(1, run.changes().size());
        assertTrue(run.at(2).messages(Severity.ERROR).isEmpty(), run.at(2).messages().toString());
    }

    @Test
    void operationsParseFromUrlNames() {
        assertEquals(Operation.ONBOARD, Operation.parse("onboard"));
        assertEquals(Operation.MIXED, Operation.parse(" Mixed "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Operation.parse("purge")).getMessage()
                .contains("onboard, update, delete, reset, mixed"));
    }

    static Map<ChangeKind, Long> nonZero(PlanResult result) {
        Map<ChangeKind, Long> out = new java.util.EnumMap<>(ChangeKind.class);
        result.counts().forEach((kind, count) -> {
            if (count > 0) {
                out.put(kind, count);
            }
        });
        return out;
    }
}
