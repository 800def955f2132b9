package dev.roster.csv;

/**
 * Neutralises spreadsheet formula injection (OWASP "CSV injection", ASVS 1.2.10): a cell that
 * starts with =, +, -, @, tab or carriage return gets a leading apostrophe, which spreadsheets
 * show as text. Roster's reader removes that apostrophe again, so exports re-upload unchanged.
 */
public final class SpreadsheetSafeCell {

    private SpreadsheetSafeCell() {
    }

    public static boolean isFormulaLike(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    }

    public static String neutralise(String value) {
        return isFormulaLike(value) ? "'" + value : value;
    }

    /** Undoes {@link #neutralise}: an apostrophe followed by a formula character is dropped. */
    public static String restore(String value) {
        if (value != null && value.length() > 1 && value.charAt(0) == '\'' && isFormulaLike(value.substring(1))) {
            return value.substring(1);
        }
        return value;
    }
}
