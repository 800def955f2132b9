package dev.roster.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.roster.csv.CsvLimits;

/** #26 item 2: start_date and end_date (in the user's timezone) planned: fields, created suspended, notes on moves and cancels. */
class DatedChangesTest {

    private static final Schedule TODAY = new Schedule(ZoneId.of("Europe/Berlin"), 8, Instant.parse("2026-12-06T12:00:00Z"));
    private final FakeDirectory directory = new FakeDirectory();

    private List<PlannedChange> plan(Operation op, String csv) {
        List<PlannedChange> changes = new ArrayList<>();
        new Planner(op, MatchKey.EMAIL, directory).withSchedule(TODAY).plan(
                () -> new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "f.csv", CsvLimits.defaults(), changes::add);
        return changes;
    }

    private static Map<String, String> after(PlannedChange change) {
        return VendorFilesTest.fields(change);
    }

    @Test
    void aFutureStartDateCreatesTheUserSuspendedAndSaysWhenItActivates() {
        List<PlannedChange> changes = plan(Operation.ONBOARD, "email,given_name,family_name,start_date,end_date\n"
                + "ann@example.org,Ann,A,2027-01-04,\n"
                + "bob@example.org,Bob,B,2026-12-01,2027-03-31\n");
        PlannedChange ann = changes.get(0);
        assertEquals(ChangeKind.CREATE, ann.kind(), ann.messages().toString());
        assertEquals("SUSPENDED", after(ann).get("status"));
        assertEquals("2027-01-04", after(ann).get("start_date"));
        assertTrue(ann.messages().toString().contains("activates on 4 Jan 2027; the invitation goes out then"), ann.messages().toString());
        PlannedChange bob = changes.get(1);
        assertEquals(ChangeKind.CREATE, bob.kind(), bob.messages().toString());
        assertFalse(after(bob).containsKey("status"), "a start date that has passed creates the user as usual");
        assertTrue(bob.messages().toString().contains("leaves on 31 Mar 2027"), bob.messages().toString());
    }

    @Test
    void aLaterFileMovesOrCancelsTheDatesAndTheDiffSaysSo() {
        UserSnapshot leaver = directory.add("leaver@example.org", null, UserStatus.ACTIVE);
        directory.dates.put(leaver.id(), new UserDates(null, LocalDate.parse("2027-03-31"), null));
        UserSnapshot joiner = directory.add("joiner@example.org", null, UserStatus.SUSPENDED);
        directory.dates.put(joiner.id(), new UserDates(LocalDate.parse("2027-01-04"), null, null));
        List<PlannedChange> changes = plan(Operation.UPDATE, "email,start_date,end_date\n"
                + "leaver@example.org,,2027-04-15\n"
                + "joiner@example.org,#clear,\n");
        PlannedChange moved = changes.get(0);
        assertEquals(ChangeKind.UPDATE, moved.kind(), moved.messages().toString());
        assertEquals(List.of(new FieldDiff("end_date", "2027-03-31", "2027-04-15")), moved.fields());
        assertTrue(moved.messages().toString().contains("leaves on 31 Mar 2027 → 15 Apr 2027"), moved.messages().toString());
        PlannedChange cancelled = changes.get(1);
        assertEquals(List.of(new FieldDiff("start_date", "2027-01-04", null)), cancelled.fields());
        assertTrue(cancelled.messages().toString().contains("the activation on 4 Jan 2027 is cancelled"),
                cancelled.messages().toString());
    }

    @Test
    void badDatesAndZonesAreRowErrorsNamingTheColumn() {
        List<PlannedChange> changes = plan(Operation.ONBOARD, "email,given_name,family_name,Start Date,End Date,time_zone\n"
                + "a@example.org,A,A,04/01/2027,,\n"
                + "b@example.org,B,B,2027-02-01,2027-01-31,\n"
                + "c@example.org,C,C,2027-02-01,,Mars/Olympus\n"
                + "d@example.org,D,D,2027-02-01T00:00:00Z,,America/New_York\n"
                + "e@example.org,E,E,2027-02-01,,america/new_york\n");
        assertEquals(ChangeKind.ERROR, changes.get(0).kind());
        assertEquals("Start Date", changes.get(0).messages(Severity.ERROR).get(0).column());
        assertTrue(changes.get(0).messages().toString().contains("YYYY-MM-DD"), changes.get(0).messages().toString());
        assertEquals(ChangeKind.ERROR, changes.get(1).kind());
        assertEquals("End Date", changes.get(1).messages(Severity.ERROR).get(0).column());
        assertEquals(ChangeKind.ERROR, changes.get(2).kind());
        assertTrue(changes.get(2).messages().toString().contains("is not a time zone"), changes.get(2).messages().toString());
        assertEquals(ChangeKind.CREATE, changes.get(3).kind(), changes.get(3).messages().toString());
        assertEquals("2027-02-01", after(changes.get(3)).get("start_date"));
        assertEquals("America/New_York", after(changes.get(3)).get("timezone"), "time_zone (as #26 writes it) is timezone");
        assertEquals(ChangeKind.ERROR, changes.get(4).kind());
        assertTrue(changes.get(4).messages().toString().contains("write it as America/New_York"), changes.get(4).messages().toString());
    }

    @Test
    void theDatesFallInTheUsersTimezoneTheOneProfileColumn() {
        // 6 Dec 08:00 has passed in Berlin (07:00Z) at 12:00Z, not in Los Angeles (16:00Z)
        List<PlannedChange> changes = plan(Operation.ONBOARD, "email,given_name,family_name,start_date,tz\n"
                + "west@example.org,W,W,2026-12-06,America/Los_Angeles\n"
                + "east@example.org,E,E,2026-12-06,\n");
        PlannedChange west = changes.get(0);
        assertEquals("America/Los_Angeles", after(west).get("timezone"), "tz is an alias of timezone");
        assertEquals("SUSPENDED", after(west).get("status"), west.messages().toString());
        assertTrue(west.messages().toString().contains("activates on 6 Dec 2026"), west.messages().toString());
        assertFalse(after(changes.get(1)).containsKey("status"), changes.get(1).messages().toString());
    }

    @Test
    void changingOnlyTheTimezoneIsOneProfileFieldAndKeepsTheDates() {
        UserSnapshot joiner = directory.add("joiner@example.org", null, UserStatus.SUSPENDED);
        directory.dates.put(joiner.id(), new UserDates(LocalDate.parse("2027-01-04"), null, null));
        List<PlannedChange> changes = plan(Operation.UPDATE, "email,timezone\njoiner@example.org,Asia/Tokyo\n");
        PlannedChange moved = changes.get(0);
        assertEquals(ChangeKind.UPDATE, moved.kind(), moved.messages().toString());
        assertEquals(List.of(new FieldDiff("timezone", null, "Asia/Tokyo")), moved.fields());
        assertTrue(moved.messages().toString().contains("activates on 4 Jan 2027"), moved.messages().toString());
    }
}
