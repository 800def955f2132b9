package dev.roster.plan;

import dev.roster.csv.ColumnNames;
import dev.roster.csv.CsvHeader;
import dev.roster.csv.CsvRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.roster.csv.ColumnNames.*;

import dev.roster.csv.SpreadsheetSafeCell;

/** Turns a CSV record into a checked {@link RowInput}, reporting every problem of the row, not just the first. */
final class RowReader {

    /** The cell token that clears a field in updates. */
    static final String CLEAR = "#clear";

    private final CsvHeader header;
    private final Operation op;
    private final MatchKey matchBy;
    private final int keyIndex;
    private final int actionIndex;
    private final int emailIndex;
    /** A username-keyed row with an empty username cell is matched by its email cell (decisions/0031); else -1. */
    private final int fallbackIndex;
    private final int usernameIndex;
    private final int newEmailIndex;
    private final int managerIndex;
    private final int maxCellChars;
    /** Columns read from nothing: ignored by a mapping, or template columns this operation does not use. */
    private final boolean[] unused;

    RowReader(CsvHeader header, Operation op, MatchKey matchBy) {
        this(header, op, matchBy, dev.roster.csv.CsvLimits.DEFAULT_MAX_CELL_CHARS);
    }

    RowReader(CsvHeader header, Operation op, MatchKey matchBy, int maxCellChars) {
        this.maxCellChars = maxCellChars;
        this.managerIndex = header.indexOf(MANAGER);
        this.header = header;
        this.op = op;
        this.matchBy = matchBy;
        this.keyIndex = header.indexOf(matchBy.column());
        this.actionIndex = header.indexOf(ACTION);
        this.emailIndex = header.indexOf(EMAIL);
        this.usernameIndex = header.indexOf(USERNAME);
        this.fallbackIndex = matchBy == MatchKey.USERNAME ? emailIndex : -1;
        this.newEmailIndex = header.indexOf(NEW_EMAIL);
        this.unused = new boolean[header.size()];
        for (int i = 0; i < header.size(); i++) {
            unused[i] = header.ignored(i) || !OperationColumns.uses(header, i, op, matchBy);
        }
    }

    /** A template column the operation does not use must be empty; an ignored column is never read. */
    private void unusedTemplateCell(int i, CsvRecord record, List<PlanMessage> messages) {
        if (header.ignored(i) || record.cell(i).isBlank()) {
            return;
        }
        String column = header.canonicalNames().get(i);
        messages.add(PlanMessage.error(header.originalNames().get(i), "this column (" + column + ") is not used by the "
                + op.urlName() + " operation; leave it empty, or upload the file with an operation that uses it"));
    }

    String written(String canonical) {
        return header.originalNameOf(canonical).orElse(canonical);
    }

    /** A value that should not repeat within a file: a match key, or an email address a row would give a user. */
    record KeyUse(char namespace, String column, String value) {
    }

    /** The values this row claims, cheaply, for the duplicate pass: no validation, only trimming and lower-casing. */
    List<KeyUse> keyUses(CsvRecord record) {
        List<KeyUse> uses = new ArrayList<>(2);
        String key = rawKey(record);
        if (!key.isEmpty() && !key.equalsIgnoreCase(CLEAR)) {
            uses.add(new KeyUse('k', matchBy.column(), key));
        }
        if (matchBy == MatchKey.EMAIL) {
            String newEmail = newEmailIndex < 0 ? "" : record.cell(newEmailIndex).strip().toLowerCase(Locale.ROOT);
            if (!newEmail.isEmpty() && !newEmail.equals(key) && !newEmail.equalsIgnoreCase(CLEAR) && writesProfile(record)) {
                uses.add(new KeyUse('k', NEW_EMAIL, newEmail));
            }
        } else if (emailIndex >= 0 && writesProfile(record)) {
            String email = record.cell(emailIndex).strip().toLowerCase(Locale.ROOT);
            if (!email.isEmpty() && !email.equalsIgnoreCase(CLEAR)) {
                uses.add(new KeyUse('e', EMAIL, email));
            }
        }
        if (matchBy != MatchKey.USERNAME && usernameIndex >= 0 && writesProfile(record)) {
            String username = record.cell(usernameIndex).strip().toLowerCase(Locale.ROOT);
            if (!username.isEmpty() && !username.equalsIgnoreCase(CLEAR)) {
                uses.add(new KeyUse('u', USERNAME, username));
            }
        }
        return uses;
    }

    /** The key cell, normalised; for a username-keyed row with an empty username, its email cell. */
    private String rawKey(CsvRecord record) {
        String key = normaliseKey(record.cell(keyIndex).strip());
        if (key.isEmpty() && fallbackIndex >= 0) {
            key = normaliseKey(record.cell(fallbackIndex).strip());
        }
        return key;
    }

    /** Notes the row's manager fact for the first pass (no validation); nothing when the file has no manager column. */
    void noteManager(CsvRecord record, ManagerGraph graph) {
        if (managerIndex < 0) {
            return;
        }
        String key = rawKey(record);
        if (key.isEmpty()) {
            return;
        }
        RowAction action = op == Operation.MIXED ? RowAction.parse(record.cell(actionIndex)) : RowAction.of(op);
        String ref = null;
        if (action != null && action.writesProfile()) {
            String cell = SpreadsheetSafeCell.restore(record.cell(managerIndex).strip());
            ref = cell.isEmpty() ? null : cell.equalsIgnoreCase(CLEAR) ? CLEAR : normaliseKey(cell);
        }
        String email = null;
        if (matchBy != MatchKey.EMAIL && emailIndex >= 0) {
            email = record.cell(emailIndex).strip().toLowerCase(Locale.ROOT);
        }
        graph.note(key, new ManagerGraph.Fact(record.line(), ref, action, email == null || email.isEmpty() ? null : email));
    }

    /** Notes the groups a row names (first pass): groups and add_groups are wanted, remove_groups only looked up. */
    void noteGroups(CsvRecord record, GroupCatalog catalog) {
        for (String column : List.of(GROUPS, ADD_GROUPS, REMOVE_GROUPS)) {
            int index = header.indexOf(column);
            if (index < 0 || index >= record.cells().size()) {
                continue;
            }
            String cell = record.cell(index).strip();
            if (cell.isEmpty() || cell.equalsIgnoreCase(CLEAR) || cell.length() > maxCellChars) {
                continue;
            }
            for (String name : GroupNames.split(SpreadsheetSafeCell.restore(cell), new ArrayList<>())) {
                catalog.note(name, record.line(), !column.equals(REMOVE_GROUPS));
            }
        }
    }

    boolean hasGroupColumns() {
        return header.has(GROUPS) || header.has(ADD_GROUPS) || header.has(REMOVE_GROUPS);
    }

    boolean hasDateColumns() {
        return header.has(START_DATE) || header.has(END_DATE) || header.has(TIMEZONE);
    }

    boolean hasManagerColumn() {
        return managerIndex >= 0;
    }

    private boolean writesProfile(CsvRecord record) {
        if (op != Operation.MIXED) {
            return op == Operation.ONBOARD || op == Operation.UPDATE || op == Operation.SYNC;
        }
        RowAction action = RowAction.parse(record.cell(actionIndex));
        return action != null && action.writesProfile();
    }

    private String normaliseKey(String raw) {
        return matchBy.ignoresCase() ? raw.toLowerCase(Locale.ROOT) : raw;
    }

    RowInput read(CsvRecord record) {
        List<PlanMessage> messages = new ArrayList<>();
        List<String> cells = record.cells();
        List<String> shown = hidePasswordHash(cells);
        int extra = cells.size() - header.size();
        boolean extraBlank = extra <= 0 || cells.subList(header.size(), cells.size()).stream().allMatch(String::isBlank);
        if (extra < 0 || !extraBlank) {
            messages.add(PlanMessage.error(null, "this line has " + cells.size() + (cells.size() == 1 ? " cell" : " cells") + " but the header has "
                    + header.size() + " columns; check the separators and quotes on this line"));
            String key = rawKey(record);
            return new RowInput(record.line(), null, key.isEmpty() ? null : key, Map.of(), null, messages, false, null, shown);
        }

        RowAction action;
        if (op == Operation.MIXED) {
            String cell = record.cell(actionIndex).strip();
            action = RowAction.parse(cell);
            if (cell.isEmpty()) {
                messages.add(PlanMessage.error(written(ACTION), "action is empty; use one of " + RowAction.VALID));
            } else if (action == null) {
                messages.add(PlanMessage.error(written(ACTION), "unknown action \"" + cell + "\"; use one of " + RowAction.VALID));
            }
        } else {
            action = RowAction.of(op);
        }

        Map<String, String> values = new LinkedHashMap<>();
        String key = null;
        String newEmail = null;
        boolean sendInvite = true;
        String passwordHash = null;
        for (int i = 0; i < header.size(); i++) {
            if (unused[i]) {
                unusedTemplateCell(i, record, messages);
                continue;
            }
            String column = header.canonicalNames().get(i);
            String name = header.originalNames().get(i);
            // An apostrophe before a formula character is how exports neutralise formulas: read the value itself.
            String value = SpreadsheetSafeCell.restore(record.cell(i).strip());
            if (value.isEmpty()) {
                if (i == keyIndex && (fallbackIndex < 0 || record.cell(fallbackIndex).isBlank())) {
                    messages.add(PlanMessage.error(name, column + " is empty; every row needs its " + column
                            + (fallbackIndex >= 0 ? " (or, for a user without one, its email)" : "")));
                }
                continue;
            }
            if (value.equalsIgnoreCase(CLEAR)) {
                if (i == keyIndex) {
                    messages.add(PlanMessage.error(name, column + " is the match key and cannot be cleared"));
                } else if (column.equals(EMAIL) || column.equals(NEW_EMAIL) || column.equals(GIVEN_NAME) || column.equals(FAMILY_NAME)) {
                    messages.add(PlanMessage.error(name, column + " is required and cannot be cleared"));
                } else if (column.equals(ADD_GROUPS) || column.equals(REMOVE_GROUPS)) {
                    messages.add(PlanMessage.error(name, CLEAR + " does not apply to " + column + "; to take a user out of "
                            + "every group write " + CLEAR + " in a groups column"));
                } else if (column.equals(ACTION) || column.equals(SEND_INVITE) || column.equals(PASSWORD_HASH) || column.equals(REASON)
                        || column.equals(STATUS)) {
                    messages.add(PlanMessage.error(name, CLEAR + " only clears profile fields and attributes"));
                } else {
                    values.put(column, CLEAR);
                }
                continue;
            }
            if (CellRules.looksLikeFormula(value) && !(column.equals(PHONE) && CellRules.phone(value).valid())) {
                messages.add(PlanMessage.warning(name, "starts with \"" + value.charAt(0) + "\", which spreadsheet programs "
                        + "may run as a formula; it is kept as data"));
            }
            String checked = check(column, name, value, messages);
            if (checked == null) {
                continue;
            }
            switch (column) {
                case ACTION -> {
                }
                case SEND_INVITE -> sendInvite = Boolean.parseBoolean(checked);
                case PASSWORD_HASH -> passwordHash = checked;
                case NEW_EMAIL -> newEmail = checked;
                case REASON -> values.put(column, checked);
                default -> values.put(column, checked);
            }
            if (i == keyIndex) {
                key = normaliseKey(checked);
            }
        }
        if (key == null && fallbackIndex >= 0 && values.get(EMAIL) != null && !values.get(EMAIL).equals(CLEAR)) {
            key = normaliseKey(values.get(EMAIL));
        }
        if (newEmail != null && newEmail.equals(key)) {
            newEmail = null;
        }
        if (values.containsKey(GROUPS) && (values.containsKey(ADD_GROUPS) || values.containsKey(REMOVE_GROUPS))) {
            messages.add(PlanMessage.error(written(GROUPS), "groups sets the complete list of groups and cannot be combined "
                    + "with add_groups or remove_groups on the same row; fill in either groups, or add_groups/remove_groups"));
        }
        return new RowInput(record.line(), action, key, values, newEmail, messages, sendInvite, passwordHash, shown);
    }

    /** The normalised value, or null after adding an error. */
    private String check(String column, String name, String value, List<PlanMessage> messages) {
        int max = switch (column) {
            case GROUPS, ADD_GROUPS, REMOVE_GROUPS, EMAILS, PHONE_NUMBERS, ADDRESSES -> maxCellChars;
            case GIVEN_NAME, FAMILY_NAME, DISPLAY_NAME, MIDDLE_NAME, HONORIFIC_PREFIX, HONORIFIC_SUFFIX, NICK_NAME -> CellRules.MAX_NAME;
            case LOCALE, PREFERRED_LANGUAGE -> CellRules.MAX_LOCALE;
            case PROFILE_URL -> CellRules.MAX_URL;
            case EMAIL, NEW_EMAIL -> Integer.MAX_VALUE; // the email rule reports length itself
            default -> ColumnNames.isAttribute(column) || column.equals(PASSWORD_HASH) ? Integer.MAX_VALUE : CellRules.MAX_TEXT;
        };
        if (value.length() > max) {
            String fix = ColumnNames.GROUP_LISTS.contains(column)
                    ? "; split the groups over several rows of a membership file, or use add_groups on a second upload" : "";
            messages.add(PlanMessage.error(name, column + " is " + value.length() + " characters long; at most " + max
                    + " are allowed" + fix));
            return null;
        }
        return switch (column) {
            case EMAIL, NEW_EMAIL -> problemOrValue(CellRules.email(value), name, messages);
            case MANAGER -> matchBy == MatchKey.EMAIL ? problemOrValue(CellRules.email(value), name, messages)
                    : normaliseKey(value);
            case GROUPS, ADD_GROUPS, REMOVE_GROUPS -> {
                List<String> problems = new ArrayList<>();
                List<String> names = GroupNames.split(value, problems);
                problems.forEach(problem -> messages.add(PlanMessage.error(name, problem)));
                yield problems.isEmpty() && !names.isEmpty() ? String.join("|", names) : null;
            }
            case PHONE -> problemOrValue(CellRules.phone(value), name, messages);
            case LOCALE, PREFERRED_LANGUAGE -> problemOrValue(CellRules.locale(value), name, messages);
            case TIMEZONE -> problemOrValue(CellRules.timezone(value), name, messages);
            case PROFILE_URL -> problemOrValue(CellRules.url(value), name, messages);
            case START_DATE, END_DATE -> problemOrValue(CellRules.date(value), name, messages);
            case SEND_INVITE -> {
                Boolean b = CellRules.bool(value);
                if (b == null) {
                    messages.add(PlanMessage.error(name, "\"" + value + "\" is not a yes/no value; use true or false (yes/no, y/n, 1/0 work too)"));
                }
                yield b == null ? null : b.toString();
            }
            case STATUS -> {
                String upper = value.toUpperCase(Locale.ROOT);
                boolean known = upper.equals("ACTIVE") || upper.equals("SUSPENDED") || upper.equals("INVITED") || upper.equals("DELETED");
                if (!known) {
                    messages.add(PlanMessage.error(name, "\"" + value + "\" is not a status; use ACTIVE or SUSPENDED"));
                }
                yield known ? upper : null;
            }
            case PASSWORD_HASH -> {
                String problem = CellRules.passwordHashProblem(value);
                if (problem != null) {
                    messages.add(PlanMessage.error(name, "password_hash " + problem));
                }
                yield problem == null ? value : null;
            }
            default -> value;
        };
    }

    private static String problemOrValue(CellRules.Checked checked, String name, List<PlanMessage> messages) {
        if (!checked.valid()) {
            messages.add(PlanMessage.error(name, checked.problem()));
        }
        return checked.value();
    }

    private List<String> hidePasswordHash(List<String> cells) {
        int index = header.indexOf(PASSWORD_HASH);
        if (index < 0 || index >= cells.size() || cells.get(index).isBlank()) {
            return cells;
        }
        List<String> copy = new ArrayList<>(cells);
        copy.set(index, "[hidden]");
        return copy;
    }
}
