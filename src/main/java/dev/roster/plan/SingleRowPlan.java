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
 * the row is built as one line of a mixed file keyed by email (by username for a user without email), read by {@link RowReader} (emails, phones, locales,
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
     * @param currentEmail    the user's current email for an update or delete (the match key); null for a create, whose
     *                        key is its email cell, and for a user without email
     * @param currentUsername the user's current username: the match key of a user without email (decisions/0031)
     */
    public static PlannedChange plan(Action action, String currentEmail, String currentUsername, List<Cell> cells,
                                     DirectoryView directory) {
        return plan(action, currentEmail, currentUsername, cells, directory, null);
    }

    /**
     * As above; with a {@code schedule}, start_date and end_date cells are planned as a file's are (decision 0039):
     * their fields, a new user with a start date ahead created suspended, the notes on what is scheduled or moved.
     */
    public static PlannedChange plan(Action action, String currentEmail, String currentUsername, List<Cell> cells,
                                     DirectoryView directory, Schedule schedule) {
        // keyed by email, as a file would be; a user without email (one of the two it has) by its username
        boolean create = action == Action.CREATE;
        boolean byEmail = create ? cells.stream().anyMatch(c -> c.column().equals(ColumnNames.EMAIL) && c.value() != null
                && !c.value().isBlank()) : currentEmail != null;
        MatchKey matchBy = byEmail ? MatchKey.EMAIL : MatchKey.USERNAME;
        String keyColumn = matchBy.column();
        String current = byEmail ? currentEmail : currentUsername;
        List<String> original = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        List<String> values = new ArrayList<>();
        original.add(ColumnNames.ACTION);
        canonical.add(ColumnNames.ACTION);
        values.add(action.name().toLowerCase(java.util.Locale.ROOT));
        if (!create) {
            original.add(byEmail ? "emails" : "userName");
            canonical.add(keyColumn);
            values.add(current == null ? "" : current);
        }
        String rename = null;
        for (Cell cell : cells) {
            String column = cell.column();
            if (!create && column.equals(keyColumn)) {
                if (cell.value() == null || cell.value().isBlank() || cell.value().equals(current)) {
                    continue;
                }
                if (!byEmail) {
                    rename = cell.value(); // the key column itself: checked by the caller's uniqueness check
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
        RowReader rows = new RowReader(new CsvHeader(original, canonical), Operation.MIXED, matchBy);
        RowInput input = rows.read(new CsvRecord(1, values));
        Set<String> emails = new LinkedHashSet<>();
        if (input.newEmail() != null) {
            emails.add(input.newEmail());
        }
        String email = input.values().get(ColumnNames.EMAIL);
        if (email != null && !email.equals(CLEAR)) {
            emails.add(email);
        }
        if (byEmail && input.key() != null) {
            emails.add(input.key());
        }
        Map<String, UserSnapshot> found = emails.isEmpty() ? Map.of() : directory.findByEmails(emails);
        Set<String> logins = new LinkedHashSet<>();
        String username = input.values().get(ColumnNames.USERNAME);
        if (username != null && !username.equals(CLEAR)) {
            logins.add(username.toLowerCase(java.util.Locale.ROOT));
        }
        if (!byEmail && input.key() != null) {
            logins.add(input.key());
        }
        emails.forEach(e -> logins.add(e.toLowerCase(java.util.Locale.ROOT))); // no address may be another's username
        Map<String, UserSnapshot> byLogin = logins.isEmpty() ? Map.of() : directory.findByLogins(logins);
        // Groups and manager are not cells here (SCIM writes them itself): no catalog entries, no manager graph.
        UserRelations relations = new UserRelations(rows, new GroupCatalog(), null, directory);
        ChangeDecider decider = new ChangeDecider(rows, matchBy, relations);
        if (schedule != null) {
            decider.withDates(new DatedChanges(rows, directory, schedule));
            Set<UserSnapshot> users = new LinkedHashSet<>(found.values());
            users.addAll(byLogin.values());
            decider.loadDates(users);
        }
        PlannedChange change = decider.decide(input, new ChangeDecider.Found(byEmail ? found : byLogin, found, byLogin));
        if (rename == null || change.kind() == ChangeKind.ERROR) {
            return change;
        }
        List<FieldDiff> fields = new ArrayList<>(change.fields());
        fields.add(new FieldDiff(ColumnNames.USERNAME, currentUsername, rename));
        return new PlannedChange(change.line(), ChangeKind.UPDATE, change.key(), change.userId(), change.plannedVersion(),
                fields, change.messages().stream().filter(m -> m.severity() != Severity.NOTE).toList(), false, null,
                change.originalCells());
    }
}
