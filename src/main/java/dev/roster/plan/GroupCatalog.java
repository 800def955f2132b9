package dev.roster.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every group a file names, collected in the first pass (names only: a file names few groups), looked up once
 * before the second pass; with "create missing groups" the unknown ones become GROUP_CREATE changes, listed first.
 */
final class GroupCatalog {

    private record Named(String spelling, long line, boolean wanted) {
    }

    private final Map<String, Named> named = new LinkedHashMap<>();
    private final Map<String, GroupSnapshot> existing = new LinkedHashMap<>();
    private final Map<String, String> created = new LinkedHashMap<>();
    private final Map<String, Long> createdLines = new LinkedHashMap<>();

    /** A name seen on a line; wanted when a user should end up in it (groups, add_groups, a membership add). */
    void note(String name, long line, boolean wanted) {
        String lower = GroupNames.lower(name);
        Named before = named.get(lower);
        if (before == null) {
            named.put(lower, new Named(name, line, wanted));
        } else if (wanted && !before.wanted()) {
            named.put(lower, new Named(before.spelling(), before.line(), true));
        }
    }

    boolean isEmpty() {
        return named.isEmpty();
    }

    /** Looks the names up; returns the GROUP_CREATE changes (lines -1, -2, ...) when missing groups are to be created. */
    List<PlannedChange> resolve(DirectoryView directory, boolean createMissing) {
        List<String> lowers = new ArrayList<>(named.keySet());
        for (int from = 0; from < lowers.size(); from += Planner.DEFAULT_CHUNK_SIZE) {
            existing.putAll(directory.findGroups(lowers.subList(from, Math.min(lowers.size(), from + Planner.DEFAULT_CHUNK_SIZE))));
        }
        List<PlannedChange> creates = new ArrayList<>();
        if (!createMissing) {
            return creates;
        }
        for (Map.Entry<String, Named> entry : named.entrySet()) {
            Named n = entry.getValue();
            if (existing.containsKey(entry.getKey()) || !n.wanted()) {
                continue;
            }
            long line = -(creates.size() + 1);
            created.put(entry.getKey(), n.spelling());
            createdLines.put(entry.getKey(), line);
            creates.add(new PlannedChange(line, ChangeKind.GROUP_CREATE, entry.getKey(), null, null,
                    List.of(new FieldDiff("name", null, n.spelling())),
                    List.of(PlanMessage.note(null, "the group \"" + n.spelling() + "\" does not exist and is created, because "
                            + "the upload asks to create missing groups (first named on line " + n.line() + ")")),
                    false, null, List.of(), null));
        }
        return creates;
    }

    /** The live group of that name (ignoring case), or null. */
    GroupSnapshot existing(String name) {
        return existing.get(GroupNames.lower(name));
    }

    /** The spelling a group this plan creates gets, or null when this plan does not create it. */
    String created(String name) {
        return created.get(GroupNames.lower(name));
    }
}
