package dev.roster.csv;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a file's header was read: its source format ("Google Workspace bulk upload") and, for every source column,
 * what it became. A file in Roster's own format maps every column to itself and costs nothing per row; a vendor
 * template may carry cell rules ({@link CellRule}), applied to each record as it is read.
 *
 * @param format      a stable id: roster, entra-create, entra-delete, google, okta, cognito, jumpcloud, mapping, profile
 * @param formatLabel what pages and the API show
 * @param profile     the mapping profile that mapped the file, or null
 * @param lenient     read as a vendor template: a column the operation does not use may stay, empty
 */
public record ColumnMapping(String format, String formatLabel, List<MappedColumn> columns, String profile,
        boolean lenient) {

    public static final String ROSTER = "roster";

    public ColumnMapping {
        columns = List.copyOf(columns);
    }

    public CsvHeader header() {
        List<String> original = new ArrayList<>(columns.size());
        List<String> canonical = new ArrayList<>(columns.size());
        List<Boolean> lenientColumns = new ArrayList<>(columns.size());
        for (MappedColumn column : columns) {
            original.add(column.written());
            canonical.add(column.target());
            lenientColumns.add(lenient);
        }
        return new CsvHeader(original, canonical, lenientColumns);
    }

    /** Whether a column's cells may hold passwords that refuse the file (an ignored password column, Google's Password). */
    public boolean readsPasswords() {
        for (MappedColumn column : columns) {
            if (column.rule() == CellRule.MUST_BE_EMPTY || column.rule() == CellRule.GOOGLE_PASSWORD) {
                return true;
            }
        }
        return false;
    }

    /** Whether records need {@link #apply} (only some vendor columns have rules). */
    public boolean hasRules() {
        for (MappedColumn column : columns) {
            if (column.rule() != CellRule.PLAIN && column.rule() != CellRule.GOOGLE_HASH_FUNCTION) {
                return true;
            }
        }
        return false;
    }

    /**
     * The record as the planner reads it: cells rewritten by their columns' rules.
     *
     * @throws CsvRefusedException when a plaintext password column holds a value, or a password hash is weak
     */
    public CsvRecord apply(CsvRecord record, String fileName) {
        String[] cells = null;
        for (MappedColumn column : columns) {
            if (column.rule() == CellRule.PLAIN || column.rule() == CellRule.GOOGLE_HASH_FUNCTION
                    || column.index() >= record.cells().size()) {
                continue;
            }
            String value = record.cells().get(column.index());
            String read = read(column, value, record, fileName);
            if (!read.equals(value)) {
                if (cells == null) {
                    cells = record.cells().toArray(new String[0]);
                }
                cells[column.index()] = read;
            }
        }
        return cells == null ? record : new CsvRecord(record.line(), List.of(cells));
    }

    private String read(MappedColumn column, String value, CsvRecord record, String fileName) {
        String v = value.strip();
        return switch (column.rule()) {
            case MUST_BE_EMPTY -> {
                if (!v.isEmpty()) {
                    throw new PasswordColumns.PasswordColumnRefused(fileName, record.line(), column.written(),
                            "this column holds a password. Plaintext passwords are not accepted: files get copied, mailed and logged. Empty the "
                            + "column (keep the header if the template needs it); new users get an email with a link to set "
                            + "their own password.");
                }
                yield value;
            }
            case BLOCK_SIGN_IN -> switch (v.toLowerCase(Locale.ROOT)) {
                case "yes", "true", "y" -> "SUSPENDED";
                case "no", "false", "n" -> "ACTIVE";
                default -> value;
            };
            case GOOGLE_PASSWORD -> googlePassword(column, v, record, fileName);
            default -> value;
        };
    }

    private String googlePassword(MappedColumn column, String v, CsvRecord record, String fileName) {
        if (v.isEmpty() || v.chars().allMatch(c -> c == '*')) {
            return ""; // "****" keeps the password as it is (and gives a new user none: they get a link)
        }
        String function = "";
        for (MappedColumn other : columns) {
            if (other.rule() == CellRule.GOOGLE_HASH_FUNCTION) {
                function = record.cell(other.index()).strip();
            }
        }
        if (function.isEmpty()) {
            throw new PasswordColumns.PasswordColumnRefused(fileName, record.line(), column.written(), "this column holds "
                    + "a plaintext password. Plaintext passwords are not accepted: files get copied, mailed and logged. Write **** to "
                    + "keep a password (new users get an email with a link to set their own), or give a bcrypt hash with "
                    + "Password Hash Function \"bcrypt\".");
        }
        String f = function.toLowerCase(Locale.ROOT).replace("-", "");
        boolean bcrypt = v.startsWith("$2a$") || v.startsWith("$2b$") || v.startsWith("$2y$");
        if ((f.equals("bcrypt") || f.equals("crypt")) && bcrypt) {
            return v;
        }
        String why = switch (f) {
            case "md5" -> "MD5 hashes are unsalted and computed billions per second, so they are cracked in minutes";
            case "sha1" -> "SHA-1 hashes are fast to compute, so they are cracked in minutes";
            case "crypt" -> "this crypt hash is not bcrypt ($2a$, $2b$, $2y$); DES, MD5 and SHA crypt are too weak to keep";
            default -> "\"" + function + "\" is not a hash function Roster can verify safely";
        };
        throw new PasswordColumns.PasswordColumnRefused(fileName, record.line(), column.written(), "Roster does not import this password "
                + "hash: " + why + ". Roster keeps only bcrypt or Argon2id hashes. Write **** instead: the user gets an "
                + "email with a link to set a new password.");
    }
}
