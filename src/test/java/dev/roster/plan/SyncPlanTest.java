package dev.roster.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import dev.roster.sync.SyncCron;
import org.junit.jupiter.api.Test;

/** The sync operation's rows (every one an upsert), its scope and its schedules: plain Java. */
class SyncPlanTest {

    final FakeDirectory directory = new FakeDirectory();

    private List<PlannedChange> plan(String csv) {
        List<PlannedChange> changes = new ArrayList<>();
        new Planner(Operation.SYNC, MatchKey.EXTERNAL_ID, directory).plan(
                () -> new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "hr.csv", CsvLimits.defaults(), changes::add);
        return changes;
    }

    @Test
    void everyRowIsAnUpsertAndColumnsOfOtherOperationsAreRefused() {
        directory.add("same@example.org", "E-1", UserStatus.ACTIVE);
        directory.add("moved@example.org", "E-2", UserStatus.ACTIVE);
        directory.add("gone@example.org", "E-3", UserStatus.DELETED);
        List<PlannedChange> changes = plan("external_id,email,given_name,family_name,department\n"
                + "E-1,same@example.org,Given,Family,\nE-2,moved@example.org,Given,Family,Legal\n"
                + "E-9,new@example.org,New,Hire,Sales\nE-3,gone@example.org,Given,Family,\n");
        // E-3's user is deleted and holds its identifiers no more (decisions/0031): the returning person is created anew
        assertEquals(List.of(ChangeKind.UNCHANGED, ChangeKind.UPDATE, ChangeKind.CREATE, ChangeKind.CREATE),
                changes.stream().map(PlannedChange::kind).toList());
        assertEquals(List.of(new FieldDiff("department", null, "Legal")), changes.get(1).fields());
        assertEquals(null, changes.get(3).userId());
        CsvRefusedException refused = assertThrows(CsvRefusedException.class, () -> plan("external_id,reason\nE-1,left\n"));
        assertTrue(refused.getMessage().contains("not used by the sync operation"), refused.getMessage());
    }

    @Test
    void scopesReadBackAndSayWhatTheyCover() {
        SyncScope attr = SyncScope.parse(" attr.source = workday ");
        assertEquals("attr.source=workday", attr.stored());
        assertEquals(attr, SyncScope.parse(attr.stored()));
        UUID id = UUID.randomUUID();
        assertEquals(SyncScope.createdBy(id), SyncScope.parse(SyncScope.createdBy(id).stored()));
        assertThrows(IllegalArgumentException.class, () -> SyncScope.parse("everyone"));
        assertEquals(AbsentPolicy.SUSPEND, AbsentPolicy.parse("Suspend"));
        assertEquals(AbsentPolicy.LEAVE, AbsentPolicy.parse(""));
    }

    @Test
    void schedulesTakeTheUsualCronFormInATimeZone() {
        assertEquals("0 0 2 * * ?", SyncCron.quartz("0 2 * * *"));
        assertEquals("0 30 6 ? * MON-FRI", SyncCron.quartz("30 6 * * MON-FRI"));
        Instant next = SyncCron.next("0 2 * * *", "Europe/Berlin", Instant.parse("2026-12-01T12:00:00Z"));
        assertEquals(Instant.parse("2026-12-02T01:00:00Z"), next);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> SyncCron.quartz("every night"));
        assertTrue(bad.getMessage().contains("e.g. \"0 2 * * *\""), bad.getMessage());
    }
}
