package dev.roster.plan;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * When dated changes fall due (#26, decisions 0037 and 0039): an activation at {@code activationHour} on the start
 * date, a suspension at the end of the end date (midnight after it), both in the user's zone or the organisation's;
 * {@code now} is the instant the plan is made at. {@code leaverDeleteAfterDays}: the leaver policy, a suspended leaver
 * is deleted at the end of the day that many days after the end date (null: never).
 */
public record Schedule(ZoneId zone, int activationHour, Instant now, Integer leaverDeleteAfterDays) {

    public Schedule(ZoneId zone, int activationHour, Instant now) {
        this(zone, activationHour, now, null);
    }

    public static Schedule utc(Instant now) {
        return new Schedule(ZoneId.of("UTC"), 8, now);
    }

    ZoneId zoneOf(String timeZone) {
        return timeZone == null ? zone : ZoneId.of(timeZone);
    }

    public Instant activationAt(LocalDate day, String timeZone) {
        return day.atTime(activationHour, 0).atZone(zoneOf(timeZone)).toInstant();
    }

    public Instant suspensionAt(LocalDate day, String timeZone) {
        return day.plusDays(1).atStartOfDay(zoneOf(timeZone)).toInstant();
    }

    /** The day a leaver with this end date is deleted (the policy's N days later), or null when the policy is unset. */
    public LocalDate leaverDeletedOn(LocalDate endDate) {
        return leaverDeleteAfterDays == null ? null : endDate.plusDays(leaverDeleteAfterDays);
    }
}
