package dev.roster.directory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Refuses to start with an organisation zone (roster.schedule.time-zone) that PostgreSQL, which computes the dated
 * changes' instants with AT TIME ZONE, does not know by name or reads differently from Java (decision 0041): POSIX
 * offset ids such as UTC+2 mean two hours <em>behind</em> UTC there.
 */
@ApplicationScoped
public class ScheduleZoneCheck {

    static final String PROPERTY = "roster.schedule.time-zone";

    @Inject
    Jdbc jdbc;
    @Inject
    ScheduleSettings settings;
    @Inject
    Clock clock;
    @ConfigProperty(name = PROPERTY, defaultValue = "UTC")
    String configured;

    void onStart(@Observes StartupEvent event) {
        Instant now = clock.instant(); // also makes the clock now, so a refused roster.clock.offset stops the start
        ZoneId zone = settings.timeZone();
        Optional<Duration> postgres = jdbc.readOnly(c -> Jdbc.one(c,
                "SELECT extract(epoch FROM utc_offset)::bigint FROM pg_timezone_names WHERE name = ?",
                rs -> Duration.ofSeconds(rs.getLong(1)), zone.getId()));
        Optional<String> problem = problem(configured, zone, postgres, now);
        if (problem.isPresent()) {
            Log.error(problem.get());
            throw new IllegalStateException(problem.get());
        }
    }

    /** What is wrong with the configured zone, given PostgreSQL's offset for its id now (empty: PostgreSQL lacks it). */
    static Optional<String> problem(String configured, ZoneId zone, Optional<Duration> postgresOffset, Instant now) {
        ZoneOffset java = zone.getRules().getOffset(now);
        if (postgresOffset.isEmpty()) {
            return Optional.of(PROPERTY + "=" + configured + " is not a time zone PostgreSQL knows by name "
                    + "(pg_timezone_names), and PostgreSQL computes when dated changes are due. "
                    + (zone instanceof ZoneOffset || zone.getId().matches("(UTC|GMT|UT)[+-].*")
                            ? "An offset such as " + configured + " is read with the opposite sign there (POSIX): write "
                                    + suggestion(java) + " for " + java.getId().replace("Z", "UTC") + ", or better a region id "
                                    + "such as Europe/Berlin, which follows daylight saving time."
                            : "Use a region id such as Europe/Berlin or America/New_York, or UTC."));
        }
        if (postgresOffset.get().getSeconds() != java.getTotalSeconds()) {
            return Optional.of(PROPERTY + "=" + configured + " means UTC" + java.getId().replace("Z", "") + " to Roster but "
                    + "UTC" + ZoneOffset.ofTotalSeconds((int) postgresOffset.get().getSeconds()).getId().replace("Z", "")
                    + " to PostgreSQL (pg_timezone_names): dated changes would run at the wrong hour. Write "
                    + suggestion(java) + " or a region id such as Europe/Berlin.");
        }
        return Optional.empty();
    }

    /** The Etc/GMT id of a whole-hour offset, whose sign is POSIX's (Etc/GMT-2 is two hours ahead of UTC). */
    static String suggestion(ZoneOffset offset) {
        int seconds = offset.getTotalSeconds();
        if (seconds == 0) {
            return "UTC";
        }
        if (seconds % 3600 != 0) {
            return "a region id with that offset";
        }
        int hours = seconds / 3600;
        return "Etc/GMT" + (hours > 0 ? "-" : "+") + Math.abs(hours);
    }
}
