package dev.roster.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.roster.csv.ColumnNames;
import dev.roster.csv.CsvHeader;
import dev.roster.csv.CsvRecord;

/**
 * Plans one change that does not come from a file (a SCIM write), through the very checks and rules of a CSV row:
 * the row is built as one line of a mixed file keyed by email, read by {@link RowReader} (emails, phones, locales,
 * lengths) and decided by {@link ChangeDecider} (required fields, taken addresses, status moves). Messages name the
 * caller's own attribute names (e.g. "name.givenName").
 */
public final class SingleRowPlan {

    /** The value that clears a field in an update. */
    public static final String CLEAR = RowReader.CLEAR;

    public enum Action {
        CREATE, UPDATE, DELETE
    }

    /**
     * One cell: the canonical column ("given_name", "attr.costCenter", "status"), the name the caller knows it by,
     * and its value ({@link #CLEAR} clears; blank means "not given").
     */
    public record Cell(String column, String name, String value) {
    }

    private SingleRowPlan() {
    }

    /**
     * An email or phone as a row stores it (the address lower-cased, the number in E.164); null when the row would
     * refuse it. Other columns as given.
     */
    public static String normalised(String column, String value) {
        if (value == null) {
            return null;
        }
        return switch (column) {
            case ColumnNames.EMAIL -> CellRules.email(value.strip()).value();
            case ColumnNames.PHONE -> CellRules.phone(value.strip()).value();
            default -> value;
        };
    }

    /**
     * @param currentEmail the user's current email for an update or delete (the match key); null for a create, whose
     *                     key is its email cell
     */
    public static PlannedChange plan(Action action, String currentEmail, List<Cell> cells, DirectoryView directory) {
        List<String> original = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        List<String> values = new ArrayList<>();
        original.add(ColumnNames.ACTION);
        canonical.add(ColumnNames.ACTION);
        values.add(action.name().toLowerCase(java.util.Locale.ROOT));
        if (action != Action.CREATE) {
            original.add("emails");
            canonical.add(ColumnNames.EMAIL);
            values.add(currentEmail == null ? "" : currentEmail);
        }
        for (Cell cell : cells) {
            String column = cell.column();
            if (action != Action.CREATE && column.equals(ColumnNames.EMAIL)) {
                if (cell.value() == null || cell.value().isBlank() || cell.value().equalsIgnoreCase(currentEmail)) {
                    continue;
                }
                column = ColumnNames.NEW_EMAIL;
            }
            if (canonical.contains(column)) {
                throw new IllegalArgumentException("column " + column + " given twice");
            }
            original.add(cell.name());
            canonical.add(column);
            values.add(cell.value() == null ? "" : cell.value());
        }
        RowReader rows = new RowReader(new CsvHeader(original, canonical), Operation.MIXED, MatchKey.EMAIL);
        RowInput input = rows.read(new CsvRecord(1, values));
        Set<String> emails = new LinkedHashSet<>();
        if (input.key() != null) {
            emails.add(input.key());
        }
        if (input.newEmail() != null) {
            emails.add(input.newEmail());
        }
        Map<String, UserSnapshot> byEmail = emails.isEmpty() ? Map.of() : directory.findByEmails(emails);
        // Groups and manager are not cells here (SCIM writes them itself): no catalog entries, no manager graph.
        UserRelations relations = new UserRelations(rows, new GroupCatalog(), null, directory);
        return new ChangeDecider(rows, MatchKey.EMAIL, relations).decide(input, byEmail, byEmail);
    }
}
