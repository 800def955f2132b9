package dev.roster.csv;

/**
 * Size limits checked while a file streams in.
 *
 * @param maxBytes       file size in bytes
 * @param maxRows        data rows (header and blank lines not counted)
 * @param maxCellChars   characters in one cell
 * @param maxColumns     columns in the header and cells in any row
 * @param maxRecordChars characters in one record: stops a 10 MB single line or a stray quote swallowing the file
 * @param maxRecordLines physical lines one record may span (line breaks inside quoted cells)
 */
public record CsvLimits(long maxBytes, long maxRows, int maxCellChars, int maxColumns,
                        int maxRecordChars, int maxRecordLines) {

    public static final long DEFAULT_MAX_BYTES = 100L * 1024 * 1024;
    public static final long DEFAULT_MAX_ROWS = 1_000_000;
    public static final int DEFAULT_MAX_CELL_CHARS = 4_096;
    public static final int DEFAULT_MAX_COLUMNS = 200;
    public static final int DEFAULT_MAX_RECORD_CHARS = 1_048_576;
    public static final int DEFAULT_MAX_RECORD_LINES = 1_000;

    public CsvLimits {
        if (maxBytes <= 0 || maxRows <= 0 || maxCellChars <= 0 || maxColumns <= 0
                || maxRecordChars <= 0 || maxRecordLines <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** The four limits of the issue; the record guards keep their defaults. */
    public CsvLimits(long maxBytes, long maxRows, int maxCellChars, int maxColumns) {
        this(maxBytes, maxRows, maxCellChars, maxColumns, DEFAULT_MAX_RECORD_CHARS, DEFAULT_MAX_RECORD_LINES);
    }

    public static CsvLimits defaults() {
        return new CsvLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, DEFAULT_MAX_CELL_CHARS, DEFAULT_MAX_COLUMNS);
    }

    public CsvLimits withMaxBytes(long value) {
        return new CsvLimits(value, maxRows, maxCellChars, maxColumns, maxRecordChars, maxRecordLines);
    }

    public CsvLimits withMaxRows(long value) {
        return new CsvLimits(maxBytes, value, maxCellChars, maxColumns, maxRecordChars, maxRecordLines);
    }

    public CsvLimits withMaxCellChars(int value) {
        return new CsvLimits(maxBytes, maxRows, value, maxColumns, maxRecordChars, maxRecordLines);
    }
}
