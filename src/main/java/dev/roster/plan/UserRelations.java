package dev.roster.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.roster.csv.ColumnNames.*;

/**
 * The groups and manager of a user row: the complete sets before and after (a FieldDiff "groups" such as
 * {@code Interns|Sales -> Sales|Support}) and the manager's email before and after, with the rules that apply to
 * them. A revert swaps before and after like for any other field.
 */
final class UserRelations {

    /** The columns handled here rather than as profile fields. */
    static final Set<String> COLUMNS = Set.of(GROUPS, ADD_GROUPS, REMOVE_GROUPS, MANAGER);

    private final RowReader rows;
    private final GroupCatalog catalog;
    private final ManagerGraph managers;
    private final DirectoryView directory;
    private Map<UUID, List<String>> chunkGroups = Map.of();
    private Map<UUID, UserSnapshot> chunkManagers = Map.of();

    /** @param managers null when the file has no manager column */
    UserRelations(RowReader rows, GroupCatalog catalog, ManagerGraph managers, DirectoryView directory) {
        this.rows = rows;
        this.catalog = catalog;
        this.managers = managers;
        this.directory = directory;
    }

    /** Reads the current groups and managers of a chunk's users, one set-based lookup each. */
    void loadChunk(Collection<UserSnapshot> users) {
        Set<UUID> ids = new HashSet<>();
        Set<UUID> managerIds = new HashSet<>();
        for (UserSnapshot user : users) {
            ids.add(user.id());
            if (user.managerId() != null) {
                managerIds.add(user.managerId());
            }
        }
        chunkGroups = rows.hasGroupColumns() && !ids.isEmpty() ? directory.groupsOf(ids) : Map.of();
        chunkManagers = managers != null && !managerIds.isEmpty() ? managers.users(directory, managerIds) : Map.of();
    }

    /** Adds the "groups" and "manager" changes of a row creating (existing null) or updating a user. */
    void addDiffs(RowInput row, UserSnapshot existing, List<FieldDiff> fields, List<PlanMessage> messages) {
        groups(row, existing, fields, messages);
        manager(row, existing, fields, messages);
    }

    /** The groups a user is in now (names of live groups). */
    List<String> currentGroups(UserSnapshot user) {
        return chunkGroups.getOrDefault(user.id(), List.of());
    }

    private void groups(RowInput row, UserSnapshot existing, List<FieldDiff> fields, List<PlanMessage> messages) {
        Map<String, String> values = row.values();
        List<String> current = existing == null ? List.of() : currentGroups(existing);
        List<String> target;
        if (values.containsKey(GROUPS)) {
            String cell = values.get(GROUPS);
            target = RowReader.CLEAR.equals(cell) ? List.of() : resolve(cell, GROUPS, true, messages);
        } else if (values.containsKey(ADD_GROUPS) || values.containsKey(REMOVE_GROUPS)) {
            target = new ArrayList<>(current);
            if (values.containsKey(ADD_GROUPS)) {
                target.addAll(GroupNames.minus(resolve(values.get(ADD_GROUPS), ADD_GROUPS, true, messages), current));
            }
            if (values.containsKey(REMOVE_GROUPS)) {
                List<String> removes = resolve(values.get(REMOVE_GROUPS), REMOVE_GROUPS, false, messages);
                List<String> notIn = GroupNames.minus(removes, current);
                if (!notIn.isEmpty() && existing != null) {
                    messages.add(PlanMessage.note(rows.written(REMOVE_GROUPS), "the user is not in " + quoted(notIn)
                            + "; nothing to remove there"));
                }
                target = GroupNames.minus(target, removes);
            }
        } else {
            return;
        }
        if (!GroupNames.minus(target, current).isEmpty() || !GroupNames.minus(current, target).isEmpty()) {
            fields.add(new FieldDiff(GROUPS, GroupNames.join(current), GroupNames.join(target)));
        }
    }

    /** The groups of a cell under their stored names; unknown ones are errors (or notes, for removals). */
    private List<String> resolve(String cell, String column, boolean wanted, List<PlanMessage> messages) {
        List<String> resolved = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String name : GroupNames.parse(cell)) {
            GroupSnapshot group = catalog.existing(name);
            String created = group == null ? catalog.created(name) : null;
            if (group != null) {
                if (!group.name().equals(name)) {
                    messages.add(PlanMessage.note(rows.written(column), "\"" + name + "\" matches the existing group \""
                            + group.name() + "\" (group names are compared ignoring case)"));
                }
                resolved.add(group.name());
            } else if (created != null) {
                resolved.add(created);
            } else {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            if (wanted) {
                messages.add(PlanMessage.error(rows.written(column), "no group named " + quoted(unknown)
                        + "; correct the name, create the group first (a groups file or the Groups page), or upload "
                        + "again with \"create missing groups\""));
            } else {
                messages.add(PlanMessage.note(rows.written(column), "no group named " + quoted(unknown) + "; nothing to remove"));
            }
        }
        return resolved;
    }

    private void manager(RowInput row, UserSnapshot existing, List<FieldDiff> fields, List<PlanMessage> messages) {
        if (managers == null || !row.values().containsKey(MANAGER)) {
            return;
        }
        String ref = row.values().get(MANAGER);
        UserSnapshot currentManager = existing == null || existing.managerId() == null ? null : chunkManagers.get(existing.managerId());
        // A deleted manager is no manager: a live user given its old address is a change, by id (decisions/0031).
        UUID beforeId = currentManager == null || currentManager.status() == UserStatus.DELETED ? null : currentManager.id();
        String before = beforeId == null ? null : (currentManager.email() != null ? currentManager.email()
                : currentManager.username()).toLowerCase(Locale.ROOT);
        String after = null;
        UUID afterId = null;
        if (!RowReader.CLEAR.equals(ref)) {
            String problem = row.key() == null ? null : managers.problem(row.key(), ref);
            if (problem != null) {
                messages.add(PlanMessage.error(rows.written(MANAGER), problem));
                return;
            }
            after = managers.email(ref);
            afterId = managers.id(ref);
        }
        // a manager this file creates (no id yet) is never the current one
        boolean same = after == null ? beforeId == null : afterId != null && afterId.equals(beforeId);
        if (!same) {
            fields.add(new FieldDiff(MANAGER, before, after));
        }
    }

    private static String quoted(List<String> names) {
        return "\"" + String.join("\", \"", names) + "\"";
    }
}
