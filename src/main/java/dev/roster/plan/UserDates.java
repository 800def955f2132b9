package dev.roster.plan;

import java.time.LocalDate;

/** A user's start and end dates and the zone they are in (the user's timezone; null: the
 * organisation's), as stored (#26). */
public record UserDates(LocalDate startDate, LocalDate endDate, String timeZone) {

    String value(String column) {
        return switch (column) {
            case dev.roster.csv.ColumnNames.START_DATE -> startDate == null ? null : startDate.toString();
            case dev.roster.csv.ColumnNames.END_DATE -> endDate == null ? null : endDate.toString();
            default -> timeZone;
        };
    }
}
