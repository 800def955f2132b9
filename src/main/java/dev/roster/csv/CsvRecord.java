package dev.roster.csv;

import java.util.List;

/**
 * One record of a CSV file, cells as written (not trimmed).
 *
 * @param line physical line (1-based) where the record starts
 */
public record CsvRecord(long line, List<String> cells) {

    public CsvRecord {
        cells = List.copyOf(cells);
    }

    /** The cell at {@code index}, or "" when the record is shorter. */
    public String cell(int index) {
        return index < cells.size() ? cells.get(index) : "";
    }
}
