package dev.roster.plan;

import dev.roster.csv.CsvHeader;
import dev.roster.csv.CsvRecord;
import dev.roster.csv.SpreadsheetSafeCell;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static dev.roster.csv.ColumnNames.*;

/**
 * Rows of the two group files: {@code membership} (group, member, action add|remove) and {@code groups} (name,
 * description, external_id, new_name, action create|update|delete). One planned change per row.
 */
final class GroupFileRows {

    static final int MAX_DESCRIPTION = 1000;

    private final CsvHeader header;
    private final Operation op;
    private final MatchKey matchBy;
    private final GroupCatalog catalog;
    private final DirectoryView directory;
    private final int nameIndex;
    private final int memberIndex;
    private final int actionIndex;

    GroupFileRows(CsvHeader header, Operation op, MatchKey matchBy, GroupCatalog catalog, DirectoryView directory) {
        this.header = header;
        this.op = op;
        this.matchBy = matchBy;
        this.catalog = catalog;
        this.directory = directory;
        this.nameIndex = header.has(GROUP) ? header.indexOf(GROUP) : header.indexOf(DISPLAY_NAME);
        this.memberIndex = header.indexOf(MEMBER);
        this.actionIndex = header.indexOf(ACTION);
    }

    String written(String canonical) {
        return header.originalNameOf(canonical).orElse(canonical);
    }

    private String nameColumn() {
        return header.originalNames().get(nameIndex);
    }

    private String cell(CsvRecord record, String canonical) {
        int index = header.indexOf(canonical);
        return index < 0 ? "" : SpreadsheetSafeCell.restore(record.cell(index));
    }

    private String member(CsvRecord record) {
        String raw = record.cell(memberIndex).strip();
        return matchBy.ignoresCase() ? raw.toLowerCase(Locale.ROOT) : raw;
    }

    private String action(CsvRecord record) {
        return actionIndex < 0 ? "" : record.cell(actionIndex).strip().toLowerCase(Locale.ROOT);
    }

    /** The values that may not repeat: a (group, member) pair in a membership file; a name in a groups file. */
    List<RowReader.KeyUse> keyUses(CsvRecord record) {
        List<RowReader.KeyUse> uses = new ArrayList<>(2);
        String name = SpreadsheetSafeCell.restore(record.cell(nameIndex)).strip();
        if (name.isEmpty()) {
            return uses;
        }
        if (op == Operation.MEMBERSHIP) {
            String member = member(record);
            if (!member.isEmpty()) {
                uses.add(new RowReader.KeyUse('m', nameColumn() + " and " + written(MEMBER),
                        GroupNames.lower(name) + " / " + member));
            }
        } else {
            uses.add(new RowReader.KeyUse('g', nameColumn(), GroupNames.lower(name)));
            String newName = cell(record, NEW_NAME).strip();
            if (!newName.isEmpty() && !newName.equalsIgnoreCase(name)) {
                uses.add(new RowReader.KeyUse('g', written(NEW_NAME), GroupNames.lower(newName)));
            }
        }
        return uses;
    }

    /** First pass of a membership file: the groups it names (only adds may create missing ones). */
    void noteGroups(CsvRecord record) {
        if (op != Operation.MEMBERSHIP) {
            return;
        }
        String name = SpreadsheetSafeCell.restore(record.cell(nameIndex));
        if (GroupNames.problem(name) == null) {
            String action = action(record);
            catalog.note(name, record.line(), action.isEmpty() || action.equals("add"));
        }
    }

    List<PlannedChange> planChunk(List<CsvRecord> chunk, Function<CsvRecord, List<PlanMessage>> duplicates) {
        return op == Operation.MEMBERSHIP ? memberships(chunk, duplicates) : groups(chunk, duplicates);
    }

    // --- membership files

    private List<PlannedChange> memberships(List<CsvRecord> chunk, Function<CsvRecord, List<PlanMessage>> duplicates) {
        Set<String> keys = new LinkedHashSet<>();
        for (CsvRecord record : chunk) {
            String member = member(record);
            if (!member.isEmpty()) {
                keys.add(member);
            }
        }
        Map<String, UserSnapshot> users = keys.isEmpty() ? Map.of()
                : directory.findByKeys(matchBy, keys);
        Set<UUID> ids = new HashSet<>();
        users.values().forEach(u -> ids.add(u.id()));
        Map<UUID, List<String>> current = ids.isEmpty() ? Map.of() : directory.groupsOf(ids);
        List<PlannedChange> changes = new ArrayList<>(chunk.size());
        for (CsvRecord record : chunk) {
            changes.add(membership(record, users, current, duplicates.apply(record)));
        }
        return changes;
    }

    private PlannedChange membership(CsvRecord record, Map<String, UserSnapshot> users, Map<UUID, List<String>> current,
                                     List<PlanMessage> duplicates) {
        List<PlanMessage> messages = new ArrayList<>(duplicates);
        cellCount(record, messages);
        String memberColumn = written(MEMBER);
        String name = SpreadsheetSafeCell.restore(record.cell(nameIndex));
        String key = member(record);
        String action = action(record);
        boolean add = action.isEmpty() || action.equals("add");
        if (!add && !action.equals("remove")) {
            messages.add(PlanMessage.error(written(ACTION), "unknown action \"" + record.cell(actionIndex).strip()
                    + "\"; use add or remove (empty means add)"));
        }
        String nameProblem = name.isBlank() ? "group is empty; every row names a group" : GroupNames.problem(name);
        if (nameProblem != null) {
            messages.add(PlanMessage.error(nameColumn(), nameProblem));
        }
        UserSnapshot user = null;
        if (key.isEmpty()) {
            messages.add(PlanMessage.error(memberColumn, "member is empty; every row names a member by "
                    + matchBy.column().replace('_', ' ')));
        } else if (matchBy == MatchKey.EMAIL && !CellRules.email(key).valid()) {
            messages.add(PlanMessage.error(memberColumn, CellRules.email(key).problem()));
        } else {
            user = users.get(key);
            if (user == null) {
                messages.add(PlanMessage.error(memberColumn, "no user with " + matchBy.column() + " " + key
                        + "; check the value, or create the user first"));
            } else if (user.status() == UserStatus.DELETED) {
                messages.add(PlanMessage.error(memberColumn, "user " + ChangeDecider.describe(user)
                        + " is deleted; restore the user before changing their groups"));
            }
        }
        GroupSnapshot group = null;
        String groupName = null;
        if (nameProblem == null) {
            group = catalog.existing(name);
            groupName = group != null ? group.name() : catalog.created(name);
            if (group != null && !group.name().equals(name)) {
                messages.add(PlanMessage.note(nameColumn(), "\"" + name + "\" matches the existing group \"" + group.name()
                        + "\" (group names are compared ignoring case)"));
            }
            if (groupName == null && add) {
                messages.add(PlanMessage.error(nameColumn(), "no group named \"" + name + "\"; correct the name, create "
                        + "the group first (a groups file or the Groups page), or upload again with \"create missing groups\""));
            }
        }
        String line = key.isEmpty() ? null : key;
        if (hasErrors(messages)) {
            return change(record, ChangeKind.ERROR, line, user, group, List.of(), messages);
        }
        if (groupName == null) {
            messages.add(PlanMessage.note(nameColumn(), "no group named \"" + name + "\"; nothing to remove"));
            return change(record, ChangeKind.UNCHANGED, line, user, null, List.of(), messages);
        }
        boolean member = current.getOrDefault(user.id(), List.of()).stream().anyMatch(groupName::equalsIgnoreCase);
        if (add == member) {
            messages.add(PlanMessage.note(null, "the user is " + (member ? "already" : "not") + " in \"" + groupName
                    + "\"; nothing to do"));
            return change(record, ChangeKind.UNCHANGED, line, user, group, List.of(), messages);
        }
        return change(record, add ? ChangeKind.MEMBER_ADD : ChangeKind.MEMBER_REMOVE, line, user, group,
                List.of(add ? new FieldDiff(GROUP, null, groupName) : new FieldDiff(GROUP, groupName, null)), messages);
    }

    private PlannedChange change(CsvRecord record, ChangeKind kind, String key, UserSnapshot user, GroupSnapshot group,
                                 List<FieldDiff> fields, List<PlanMessage> messages) {
        return new PlannedChange(record.line(), kind, key, user == null ? null : user.id(),
                user == null ? null : user.version(), fields, messages, false, null, record.cells(),
                group == null ? null : group.id());
    }

    // --- groups files

    private record GroupRow(String name, String newName, String description, String externalId, String action) {
    }

    private List<PlannedChange> groups(List<CsvRecord> chunk, Function<CsvRecord, List<PlanMessage>> duplicates) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> externalIds = new LinkedHashSet<>();
        for (CsvRecord record : chunk) {
            names.add(GroupNames.lower(SpreadsheetSafeCell.restore(record.cell(nameIndex)).strip()));
            String newName = cell(record, NEW_NAME).strip();
            if (!newName.isEmpty()) {
                names.add(GroupNames.lower(newName));
            }
            String externalId = cell(record, EXTERNAL_ID).strip();
            if (!externalId.isEmpty() && !externalId.equalsIgnoreCase(RowReader.CLEAR)) {
                externalIds.add(externalId);
            }
        }
        Map<String, GroupSnapshot> byName = directory.findGroups(names);
        Map<String, GroupSnapshot> byExternalId = externalIds.isEmpty() ? Map.of() : directory.findGroupsByExternalIds(externalIds);
        List<PlannedChange> changes = new ArrayList<>(chunk.size());
        for (CsvRecord record : chunk) {
            changes.add(group(record, byName, byExternalId, duplicates.apply(record)));
        }
        return changes;
    }

    private PlannedChange group(CsvRecord record, Map<String, GroupSnapshot> byName, Map<String, GroupSnapshot> byExternalId,
                                List<PlanMessage> duplicates) {
        List<PlanMessage> messages = new ArrayList<>(duplicates);
        cellCount(record, messages);
        GroupRow row = readGroup(record, messages);
        GroupSnapshot existing = row.name() == null ? null : byName.get(GroupNames.lower(row.name()));
        String action = row.action() != null ? row.action() : existing == null ? "create" : "update";
        String key = row.name() == null ? null : GroupNames.lower(row.name());
        List<FieldDiff> fields = new ArrayList<>();
        ChangeKind kind;
        switch (action) {
            case "create" -> {
                kind = ChangeKind.GROUP_CREATE;
                if (existing != null) {
                    messages.add(PlanMessage.error(nameColumn(), "a group named \"" + existing.name() + "\" exists already "
                            + "(names are compared ignoring case); use action update to change it"));
                }
                if (row.newName() != null) {
                    messages.add(PlanMessage.error(written(NEW_NAME), "new_name renames an existing group; put the name "
                            + "in the " + nameColumn() + " column to create a group"));
                }
                if (row.name() != null) {
                    fields.add(new FieldDiff("name", null, row.name()));
                }
                addIfSet(fields, "description", null, row.description());
                addIfSet(fields, "external_id", null, row.externalId());
                externalIdFree(row.externalId(), null, byExternalId, messages);
            }
            case "update" -> {
                kind = ChangeKind.GROUP_UPDATE;
                if (existing == null) {
                    if (row.name() != null) {
                        messages.add(PlanMessage.error(nameColumn(), "no group named \"" + row.name() + "\"; check the name, "
                                + "or use action create"));
                    }
                    break;
                }
                if (!existing.name().equals(row.name()) && row.newName() == null) {
                    messages.add(PlanMessage.note(nameColumn(), "\"" + row.name() + "\" matches the existing group \""
                            + existing.name() + "\" (group names are compared ignoring case)"));
                }
                if (row.newName() != null && !row.newName().equals(existing.name())) {
                    GroupSnapshot other = byName.get(GroupNames.lower(row.newName()));
                    if (other != null && !other.id().equals(existing.id())) {
                        messages.add(PlanMessage.error(written(NEW_NAME), "a group named \"" + other.name()
                                + "\" exists already; choose another new name"));
                    }
                    fields.add(new FieldDiff("name", existing.name(), row.newName()));
                }
                change(fields, "description", existing.description(), row.description());
                change(fields, "external_id", existing.externalId(), row.externalId());
                externalIdFree(row.externalId(), existing.id(), byExternalId, messages);
                if (fields.isEmpty() && !hasErrors(messages)) {
                    messages.add(PlanMessage.note(null, "nothing to change: the values in this row match the group"));
                    kind = ChangeKind.UNCHANGED;
                }
            }
            default -> {
                kind = ChangeKind.GROUP_DELETE;
                if (existing == null) {
                    if (row.name() != null) {
                        messages.add(PlanMessage.note(nameColumn(), "no group named \"" + row.name() + "\"; nothing to delete"));
                        kind = ChangeKind.UNCHANGED;
                    }
                    break;
                }
                fields.add(new FieldDiff("name", existing.name(), null));
                fields.add(new FieldDiff("members", Long.toString(existing.members()), null));
                messages.add(PlanMessage.note(null, "the group has " + existing.members() + (existing.members() == 1
                        ? " member" : " members") + "; their memberships are kept with the deleted group (a revert "
                        + "brings them back)" + (existing.members() > 0 ? ". Confirm by typing the number of memberships" : "")));
            }
        }
        if (hasErrors(messages)) {
            kind = ChangeKind.ERROR;
            fields = List.of();
        }
        boolean targetsGroup = existing != null && kind != ChangeKind.ERROR && kind != ChangeKind.GROUP_CREATE;
        return new PlannedChange(record.line(), kind, key, null, targetsGroup ? existing.version() : null, fields, messages,
                false, null, record.cells(), targetsGroup ? existing.id() : null);
    }

    private GroupRow readGroup(CsvRecord record, List<PlanMessage> messages) {
        String rawName = SpreadsheetSafeCell.restore(record.cell(nameIndex));
        String name = null;
        if (rawName.isBlank()) {
            messages.add(PlanMessage.error(nameColumn(), "the group name is empty; every row names a group"));
        } else if (GroupNames.problem(rawName) != null) {
            messages.add(PlanMessage.error(nameColumn(), GroupNames.problem(rawName)));
        } else {
            name = rawName;
        }
        String newName = cell(record, NEW_NAME);
        if (newName.isBlank()) {
            newName = null;
        } else if (GroupNames.problem(newName) != null) {
            messages.add(PlanMessage.error(written(NEW_NAME), GroupNames.problem(newName)));
            newName = null;
        }
        String description = text(record, DESCRIPTION, MAX_DESCRIPTION, messages);
        String externalId = text(record, EXTERNAL_ID, CellRules.MAX_TEXT, messages);
        String action = action(record);
        if (action.isEmpty()) {
            action = null;
        } else if (!action.equals("create") && !action.equals("update") && !action.equals("delete")) {
            messages.add(PlanMessage.error(written(ACTION), "unknown action \"" + record.cell(actionIndex).strip()
                    + "\"; use create, update or delete (empty creates a missing group and updates an existing one)"));
            action = "update";
        }
        return new GroupRow(name, newName, description, externalId, action);
    }

    /** A trimmed value, CLEAR, or null when blank; too long is an error. */
    private String text(CsvRecord record, String column, int max, List<PlanMessage> messages) {
        String value = cell(record, column).strip();
        if (value.isEmpty()) {
            return null;
        }
        if (value.length() > max) {
            messages.add(PlanMessage.error(written(column), column + " is " + value.length() + " characters long; at most "
                    + max + " are allowed"));
            return null;
        }
        return value.equalsIgnoreCase(RowReader.CLEAR) ? RowReader.CLEAR : value;
    }

    private void externalIdFree(String externalId, UUID self, Map<String, GroupSnapshot> byExternalId, List<PlanMessage> messages) {
        if (externalId == null || externalId.equals(RowReader.CLEAR)) {
            return;
        }
        GroupSnapshot owner = byExternalId.get(externalId);
        if (owner != null && !owner.id().equals(self)) {
            messages.add(PlanMessage.error(written(EXTERNAL_ID), "external id " + externalId + " belongs to the group \""
                    + owner.name() + "\"; each group needs an external id of its own"));
        }
    }

    private static void addIfSet(List<FieldDiff> fields, String name, String before, String value) {
        if (value != null && !value.equals(RowReader.CLEAR)) {
            fields.add(new FieldDiff(name, before, value));
        }
    }

    private static void change(List<FieldDiff> fields, String name, String before, String value) {
        if (value == null) {
            return;
        }
        String after = value.equals(RowReader.CLEAR) ? null : value;
        if (!Objects.equals(before, after)) {
            fields.add(new FieldDiff(name, before, after));
        }
    }

    private void cellCount(CsvRecord record, List<PlanMessage> messages) {
        List<String> cells = record.cells();
        boolean extraBlank = cells.size() <= header.size()
                || cells.subList(header.size(), cells.size()).stream().allMatch(String::isBlank);
        if (cells.size() < header.size() || !extraBlank) {
            messages.add(PlanMessage.error(null, "this line has " + cells.size() + (cells.size() == 1 ? " cell" : " cells")
                    + " but the header has " + header.size() + " columns; check the separators and quotes on this line"));
        }
    }

    private static boolean hasErrors(List<PlanMessage> messages) {
        return messages.stream().anyMatch(m -> m.severity() == Severity.ERROR);
    }
}
