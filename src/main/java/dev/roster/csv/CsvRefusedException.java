package dev.roster.csv;

/** A whole file refused: says what is wrong, where, and how to fix it. */
public class CsvRefusedException extends RuntimeException {

    private final String fileName;
    private final Long line;
    private final String column;
    private final String problem;

    public CsvRefusedException(String fileName, Long line, String column, String problem) {
        super(format(fileName, line, column, problem));
        this.fileName = fileName;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    /** Formats a user-facing message like {@code people.csv, line 4, column "email": ...}. */
    public static String format(String fileName, Long line, String column, String text) {
        StringBuilder out = new StringBuilder(fileName == null ? "file" : fileName);
        if (line != null) {
            out.append(", line ").append(line);
        }
        if (column != null) {
            out.append(", column \"").append(column).append('"');
        }
        return out.append(": ").append(text).toString();
    }

    public String fileName() {
        return fileName;
    }

    /** Physical line (1-based) where the problem is, or null when it concerns the whole file. */
    public Long line() {
        return line;
    }

    /** Column name as written in the file, or null. */
    public String column() {
        return column;
    }

    /** The message without the file/line/column prefix. */
    public String problem() {
        return problem;
    }
}
