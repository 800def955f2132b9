package dev.roster.directory;

import java.time.Instant;
import java.time.ZoneId;

import dev.roster.plan.Schedule;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.schedule.*: when users' start and end dates act (#26, decision 0037). */
@ConfigMapping(prefix = "roster.schedule")
public interface ScheduleSettings {

    /** roster.schedule.time-zone: the organisation's IANA zone, for users without a time_zone of their own. */
    @WithDefault("UTC")
    ZoneId timeZone();

    /** roster.schedule.activation-hour: the hour (0-23, local to the user) a start date activates the user. */
    @WithDefault("8")
    int activationHour();

    /** roster.schedule.check-interval: how often the clustered job looks for due changes (and catches up after downtime). */
    @WithDefault("5m")
    java.time.Duration checkInterval();

    /** roster.schedule.max-activations / max-suspensions: a day's run over either is held for approval (unset: none). */
    java.util.Optional<Double> maxActivations();

    java.util.Optional<Double> maxSuspensions();

    /** roster.schedule.max-deletions: a run deleting more leavers than this is held for approval (unset: none). */
    java.util.Optional<Double> maxDeletions();

    /**
     * roster.schedule.leaver-delete-after-days: the leaver policy (decision 0039). Set, a user whose end date
     * suspends them is also deleted at the end of the day this many days after the end date (restorable for
     * roster.users.delete-retention); unset, leavers are only suspended.
     */
    java.util.OptionalInt leaverDeleteAfterDays();

    /** roster.schedule.max-percent: a run changing more than this share of the live users is held (unset: none). */
    java.util.Optional<Double> maxPercent();

    default Schedule at(Instant now) {
        java.util.OptionalInt days = leaverDeleteAfterDays();
        if (days.isPresent() && days.getAsInt() < 0) {
            throw new IllegalStateException("roster.schedule.leaver-delete-after-days must be 0 or more, not " + days.getAsInt());
        }
        return new Schedule(timeZone(), activationHour(), now, days.isPresent() ? days.getAsInt() : null);
    }
}
