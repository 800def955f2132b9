package dev.roster.plan;

import dev.roster.csv.CsvRefusedException;

/**
 * A message about one row.
 *
 * @param column the column as written in the file's header, or null for the whole row
 */
public record PlanMessage(Severity severity, String column, String text) {

    static PlanMessage error(String column, String text) {
        return new PlanMessage(Severity.ERROR, column, text);
    }

    static PlanMessage warning(String column, String text) {
        return new PlanMessage(Severity.WARNING, column, text);
    }

    static PlanMessage note(String column, String text) {
        return new PlanMessage(Severity.NOTE, column, text);
    }

    /** User-facing form: {@code people.csv, line 4, column "email": ...}. */
    public String format(String fileName, long line) {
        return CsvRefusedException.format(fileName, line, column, text);
    }
}
