package dev.roster.plan;

import dev.roster.csv.CsvLimits;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner's rules for groups, memberships and managers (#13), against a fake directory. */
class GroupPlannerTest {

    final FakeDirectory directory = new FakeDirectory();

    record Run(List<PlannedChange> changes, PlanResult result) {
        PlannedChange at(long line) {
            return changes.stream().filter(c -> c.line() == line).findFirst().orElseThrow();
        }

        String messages(long line) {
            return at(line).messages().toString();
        }
    }

    Run plan(Operation op, MatchKey matchBy, boolean createGroups, CsvLimits limits, String csv) {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        List<PlannedChange> changes = new ArrayList<>();
        PlanResult result = new Planner(op, matchBy, directory, 2).createMissingGroups(createGroups)
                .plan(() -> new ByteArrayInputStream(bytes), "people.csv", limits, changes::add);
        return new Run(changes, result);
    }

    Run plan(Operation op, String csv) {
        return plan(op, MatchKey.EMAIL, false, CsvLimits.defaults(), csv);
    }

    GroupPlannerTest() {
        directory.add("ann@x.org", "E-1", UserStatus.ACTIVE);
        directory.add("bob@x.org", "E-2", UserStatus.ACTIVE);
        directory.add("cat@x.org", "E-3", UserStatus.ACTIVE);
        directory.add("gone@x.org", "E-4", UserStatus.DELETED);
        directory.group("Sales", "ann@x.org");
        directory.group("Interns", "ann@x.org");
        directory.group("Support");
    }

    static FieldDiff field(PlannedChange change, String name) {
        return change.field(name).orElseThrow(() -> new AssertionError("no " + name + " in " + change));
    }

    // --- groups, add_groups, remove_groups

    @Test
    void groupsIsTheCompleteSetEmptyKeepsAndClearRemovesAll() {
        Run run = plan(Operation.UPDATE, "email,groups\n"
                + "ann@x.org,\"sales|Support\"\n"
                + "bob@x.org,\n"
                + "cat@x.org,Support\n");
        PlannedChange ann = run.at(2);
        assertEquals(ChangeKind.UPDATE, ann.kind());
        assertEquals(new FieldDiff("groups", "Interns|Sales", "Sales|Support"), field(ann, "groups"));
        assertTrue(run.messages(2).contains("\"sales\" matches the existing group \"Sales\""), run.messages(2));
        assertEquals(ChangeKind.UNCHANGED, run.at(3).kind());
        assertEquals(new FieldDiff("groups", null, "Support"), field(run.at(4), "groups"));
        assertEquals(2, run.result().groups().membershipAdds());
        assertEquals(1, run.result().groups().membershipRemoves());

        Run clear = plan(Operation.UPDATE, "email,groups\nann@x.org,#clear\nbob@x.org,#clear\n");
        assertEquals(new FieldDiff("groups", "Interns|Sales", null), field(clear.at(2), "groups"));
        assertEquals(ChangeKind.UNCHANGED, clear.at(3).kind());
    }

    @Test
    void addAndRemoveGroupsChangeTheCurrentSetAndCannotBeCombinedWithGroups() {
        Run run = plan(Operation.UPDATE, "email,add_groups,remove_groups\n"
                + "ann@x.org,Support,Interns|Nowhere\n"
                + "bob@x.org,Sales,\n");
        assertEquals(new FieldDiff("groups", "Interns|Sales", "Sales|Support"), field(run.at(2), "groups"));
        assertTrue(run.messages(2).contains("no group named \"Nowhere\"; nothing to remove"), run.messages(2));
        assertEquals(new FieldDiff("groups", null, "Sales"), field(run.at(3), "groups"));

        Run both = plan(Operation.UPDATE, "email,groups,add_groups\nann@x.org,Sales,Support\n");
        assertEquals(ChangeKind.ERROR, both.at(2).kind());
        assertTrue(both.messages(2).contains("cannot be combined with add_groups"), both.messages(2));
    }

    @Test
    void anUnknownGroupIsARowErrorUnlessMissingGroupsAreCreatedFirst() {
        String csv = "email,given_name,family_name,groups\n"
                + "new1@x.org,New,One,Sales|Engineering\n"
                + "new2@x.org,New,Two,engineering\n";
        Run refused = plan(Operation.ONBOARD, csv);
        assertEquals(ChangeKind.ERROR, refused.at(2).kind());
        PlanMessage error = refused.at(2).messages(Severity.ERROR).get(0);
        assertEquals("groups", error.column());
        assertTrue(error.format("people.csv", 2).startsWith("people.csv, line 2, column \"groups\": no group named \"Engineering\""),
                error.format("people.csv", 2));
        assertTrue(error.text().contains("create missing groups"), error.text());

        Run created = plan(Operation.ONBOARD, MatchKey.EMAIL, true, CsvLimits.defaults(), csv);
        PlannedChange first = created.changes().get(0);
        assertEquals(ChangeKind.GROUP_CREATE, first.kind());
        assertEquals(-1, first.line());
        assertEquals(new FieldDiff("name", null, "Engineering"), field(first, "name"));
        assertEquals(1, created.result().count(ChangeKind.GROUP_CREATE));
        assertEquals(new FieldDiff("groups", null, "Engineering|Sales"), field(created.at(2), "groups"));
        assertEquals(new FieldDiff("groups", null, "Engineering"), field(created.at(3), "groups"));
        assertEquals(3, created.result().groups().membershipAdds());
    }

    @Test
    void badGroupNamesAndOversizedCellsAreRowErrors() {
        Run run = plan(Operation.UPDATE, "email,groups\n"
                + "ann@x.org,\"Sa\u0007les\"\n"
                + "bob@x.org,\"\u00A0Sales\"\n"
                + "cat@x.org," + "x".repeat(256) + "\n");
        assertTrue(run.messages(2).contains("control character"), run.messages(2));
        assertTrue(run.messages(3).contains("starts or ends with a space"), run.messages(3));
        assertTrue(run.messages(4).contains("at most 255"), run.messages(4));

        CsvLimits small = CsvLimits.defaults().withMaxCellChars(20);
        Run big = plan(Operation.UPDATE, MatchKey.EMAIL, false, small, "email,groups\n"
                + "ann@x.org,\"" + "Sales|".repeat(10) + "\"\nbob@x.org,Sales\n");
        assertEquals(ChangeKind.ERROR, big.at(2).kind());
        assertTrue(big.messages(2).contains("groups is 60 characters long; at most 20"), big.messages(2));
        assertEquals(ChangeKind.UPDATE, big.at(3).kind());
    }

    // --- manager

    @Test
    void managerBeforeAndAfterAreEmailsAndTheRulesNameTheProblem() {
        directory.manage("bob@x.org", "ann@x.org");
        Run run = plan(Operation.UPDATE, "email,manager\n"
                + "bob@x.org,cat@x.org\n"
                + "cat@x.org,cat@x.org\n"
                + "ann@x.org,nobody@x.org\n");
        assertEquals(new FieldDiff("manager", "ann@x.org", "cat@x.org"), field(run.at(2), "manager"));
        assertTrue(run.messages(3).contains("cannot be their own manager"), run.messages(3));
        assertTrue(run.messages(4).contains("no user with email nobody@x.org to be the manager"), run.messages(4));

        Run deleted = plan(Operation.UPDATE, "email,manager\nann@x.org,gone@x.org\nbob@x.org,#clear\n");
        assertTrue(deleted.messages(2).contains("no user with email gone@x.org to be the manager"), deleted.messages(2));
        assertEquals(new FieldDiff("manager", "ann@x.org", null), field(deleted.at(3), "manager"));
    }

    @Test
    void aCycleThroughTheFileAndTheDirectoryIsNamedAndAManagerCreatedInTheFileIsFine() {
        directory.manage("cat@x.org", "bob@x.org"); // directory: cat -> bob
        Run run = plan(Operation.MIXED, "action,email,given_name,family_name,manager\n"
                + "update,bob@x.org,,,ann@x.org\n"     // bob -> ann
                + "update,ann@x.org,,,cat@x.org\n"     // ann -> cat -> bob -> ann
                + "create,dan@x.org,Dan,Lee,eve@x.org\n"
                + "create,eve@x.org,Eve,Ray,\n"
                + "delete,cat@x.org,,,\n");
        assertTrue(run.messages(2).contains("bob@x.org → ann@x.org → cat@x.org → bob@x.org"), run.messages(2));
        assertTrue(run.messages(3).contains("ann@x.org → cat@x.org → bob@x.org → ann@x.org")
                || run.messages(3).contains("is deleted by line 6"), run.messages(3));
        assertEquals(ChangeKind.CREATE, run.at(4).kind(), run.messages(4));
        assertEquals(new FieldDiff("manager", null, "eve@x.org"), field(run.at(4), "manager"));

        Run deleting = plan(Operation.MIXED, "action,email,manager\nupdate,ann@x.org,bob@x.org\ndelete,bob@x.org,\n");
        assertTrue(deleting.messages(2).contains("manager bob@x.org is deleted by line 3 of this file"), deleting.messages(2));
    }

    @Test
    void byExternalIdTheManagerIsAnExternalIdAndThePlanRecordsTheEmail() {
        Run run = plan(Operation.UPDATE, MatchKey.EXTERNAL_ID, false, CsvLimits.defaults(), "external_id,manager\nE-2,E-3\n");
        assertEquals(new FieldDiff("manager", null, "cat@x.org"), field(run.at(2), "manager"));
    }

    // --- membership files

    @Test
    void membershipRowsAddAndRemoveOneMembershipEach() {
        Run run = plan(Operation.MEMBERSHIP, "group,member,action\n"
                + "Support,ann@x.org,add\n"
                + "sales,ann@x.org,remove\n"
                + "Sales,bob@x.org,\n"
                + "Interns,bob@x.org,remove\n"
                + "Nowhere,bob@x.org,add\n"
                + "Sales,nobody@x.org,add\n"
                + "Support,cat@x.org,add\n"
                + "support,cat@x.org,join\n");
        assertEquals(ChangeKind.MEMBER_ADD, run.at(2).kind());
        assertEquals(new FieldDiff("group", null, "Support"), run.at(2).fields().get(0));
        assertEquals(directory.groups.get("support").id(), run.at(2).groupId());
        assertEquals(ChangeKind.MEMBER_REMOVE, run.at(3).kind());
        assertEquals(new FieldDiff("group", "Sales", null), run.at(3).fields().get(0));
        assertEquals(ChangeKind.MEMBER_ADD, run.at(4).kind());
        assertEquals(ChangeKind.UNCHANGED, run.at(5).kind());
        assertTrue(run.messages(6).contains("no group named \"Nowhere\""), run.messages(6));
        assertTrue(run.messages(7).contains("no user with email nobody@x.org"), run.messages(7));
        assertTrue(run.messages(8).contains("also on line 9; each membership may appear only once"), run.messages(8));
        assertTrue(run.messages(9).contains("use add or remove"), run.messages(9));
        assertEquals(2, run.result().groups().membershipAdds());
        assertEquals(1, run.result().groups().membershipRemoves());
    }

    // --- groups files

    @Test
    void groupRowsCreateRenameDescribeAndDeleteCountingTheMemberships() {
        Run run = plan(Operation.GROUPS, "name,description,external_id,new_name,action\n"
                + "Engineering,Builders,G-1,,create\n"
                + "Support,,,Customer Support,\n"
                + "SALES,Sellers,,,update\n"
                + "Interns,,,,delete\n"
                + "Sales2,,,,create\n"
                + "support2,,,,update\n"
                + "\" Padded\",,,,create\n"
                + "Nowhere,,,,delete\n");
        assertEquals(ChangeKind.GROUP_CREATE, run.at(2).kind());
        assertEquals(List.of(new FieldDiff("name", null, "Engineering"), new FieldDiff("description", null, "Builders"),
                new FieldDiff("external_id", null, "G-1")), run.at(2).fields());
        assertEquals(ChangeKind.GROUP_UPDATE, run.at(3).kind());
        assertEquals(new FieldDiff("name", "Support", "Customer Support"), field(run.at(3), "name"));
        assertEquals(3L, run.at(3).plannedVersion());
        assertEquals(new FieldDiff("description", null, "Sellers"), field(run.at(4), "description"));
        assertEquals(ChangeKind.GROUP_DELETE, run.at(5).kind());
        assertTrue(run.messages(5).contains("1 member"), run.messages(5));
        assertEquals(ChangeKind.GROUP_CREATE, run.at(6).kind());
        assertTrue(run.messages(7).contains("no group named \"support2\""), run.messages(7));
        assertTrue(run.messages(8).contains("starts or ends with a space"), run.messages(8));
        assertEquals(ChangeKind.UNCHANGED, run.at(9).kind());
        assertEquals(1, run.result().groups().deletedGroupMemberships());

        Run taken = plan(Operation.GROUPS, "name,action\nsupport,create\n");
        assertTrue(taken.messages(2).contains("a group named \"Support\" exists already"), taken.messages(2));
    }
}
