package dev.roster.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** roster.schedule.time-zone is refused when PostgreSQL does not know it by name or reads it otherwise (decision 0041). */
class ScheduleZoneCheckTest {

    private static final Instant NOW = Instant.parse("2027-01-15T12:00:00Z");

    @Test
    void aPosixOffsetIdIsRefusedWithTheEtcIdOfTheSameMeaning() {
        // Java reads UTC+2 as two hours ahead; PostgreSQL has no such name and its AT TIME ZONE reads it as behind
        String problem = ScheduleZoneCheck.problem("UTC+2", ZoneId.of("UTC+2"), Optional.empty(), NOW).orElseThrow();
        assertTrue(problem.startsWith("roster.schedule.time-zone=UTC+2 "), problem);
        assertTrue(problem.contains("opposite sign") && problem.contains("Etc/GMT-2") && problem.contains("region id"), problem);
        String west = ScheduleZoneCheck.problem("-05:00", ZoneId.of("-05:00"), Optional.empty(), NOW).orElseThrow();
        assertTrue(west.contains("Etc/GMT+5"), west);
    }

    @Test
    void aNameUnknownToPostgresIsRefusedAndAKnownOneOfTheSameMeaningPasses() {
        assertTrue(ScheduleZoneCheck.problem("America/Nuuk", ZoneId.of("America/Nuuk"), Optional.empty(), NOW).orElseThrow()
                .contains("Use a region id"));
        assertEquals(Optional.empty(), ScheduleZoneCheck.problem("Etc/GMT-2", ZoneId.of("Etc/GMT-2"),
                Optional.of(Duration.ofHours(2)), NOW));
        assertEquals(Optional.empty(), ScheduleZoneCheck.problem("Europe/Berlin", ZoneId.of("Europe/Berlin"),
                Optional.of(Duration.ofHours(1)), NOW));
        assertEquals(Optional.empty(), ScheduleZoneCheck.problem("UTC", ZoneId.of("UTC"), Optional.of(Duration.ZERO), NOW));
    }

    @Test
    void aNameBothKnowButReadDifferentlyIsRefused() {
        String problem = ScheduleZoneCheck.problem("Europe/Berlin", ZoneId.of("Europe/Berlin"), Optional.of(Duration.ofHours(-1)),
                NOW).orElseThrow();
        assertTrue(problem.contains("UTC+01:00 to Roster") && problem.contains("UTC-01:00 to PostgreSQL"), problem);
    }

    @Test
    void theSuggestionKeepsPosixSigns() {
        assertEquals("Etc/GMT-2", ScheduleZoneCheck.suggestion(ZoneOffset.ofHours(2)));
        assertEquals("Etc/GMT+11", ScheduleZoneCheck.suggestion(ZoneOffset.ofHours(-11)));
        assertEquals("UTC", ScheduleZoneCheck.suggestion(ZoneOffset.UTC));
    }
}
