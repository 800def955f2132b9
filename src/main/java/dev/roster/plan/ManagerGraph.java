package dev.roster.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The manager assignments of a file together with the directory's, for the manager rules: who the manager is,
 * whether they exist, are deleted (or deleted by this file), and whether an assignment closes a cycle.
 *
 * <p>The first pass notes one small fact per row (key, manager cell, action); before the second pass the managers
 * named and their managers up the chain are looked up in sets. A file with a manager column keeps one entry per
 * row in memory (about 100 bytes); files without the column keep nothing.
 */
final class ManagerGraph {

    /** One row: its manager cell (normalised; CLEAR; null when blank or the row writes no profile). */
    record Fact(long line, String ref, RowAction action, String email) {
    }

    private static final int MAX_ROUNDS = 1000;
    private static final int MAX_CACHED = 200_000;

    private final MatchKey matchBy;
    private final Map<String, Fact> rows = new HashMap<>();
    private final Map<String, UserSnapshot> byKey = new HashMap<>();
    private final Map<UUID, UserSnapshot> byId = new HashMap<>();
    private final Set<String> noCycle = new HashSet<>();
    private final Map<UUID, UserSnapshot> currentManagers = new HashMap<>();

    ManagerGraph(MatchKey matchBy) {
        this.matchBy = matchBy;
    }

    void note(String key, Fact fact) {
        rows.putIfAbsent(key, fact);
    }

    /** Looks up every manager named and, set by set, their managers up to the top. */
    void resolve(DirectoryView directory) {
        Set<String> refs = new HashSet<>();
        for (Fact fact : rows.values()) {
            if (fact.ref() != null && !fact.ref().equals(RowReader.CLEAR)) {
                refs.add(fact.ref());
            }
        }
        List<String> list = new ArrayList<>(refs);
        for (int from = 0; from < list.size(); from += Planner.DEFAULT_CHUNK_SIZE) {
            List<String> part = list.subList(from, Math.min(list.size(), from + Planner.DEFAULT_CHUNK_SIZE));
            Map<String, UserSnapshot> found = directory.findByKeys(matchBy, part);
            found.values().forEach(this::remember);
        }
        Set<UUID> frontier = missingManagers(byId.values());
        for (int round = 0; round < MAX_ROUNDS && !frontier.isEmpty(); round++) {
            Map<UUID, UserSnapshot> found = byIds(directory, frontier);
            found.values().forEach(this::remember);
            frontier = missingManagers(found.values());
        }
    }

    /** The users of these ids (the current managers of a chunk's users), from the graph or the directory. */
    Map<UUID, UserSnapshot> users(DirectoryView directory, Collection<UUID> ids) {
        Map<UUID, UserSnapshot> out = new HashMap<>();
        Set<UUID> missing = new HashSet<>();
        for (UUID id : ids) {
            UserSnapshot known = byId.containsKey(id) ? byId.get(id) : currentManagers.get(id);
            if (known != null) {
                out.put(id, known);
            } else {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            if (currentManagers.size() > MAX_CACHED) {
                currentManagers.clear();
            }
            Map<UUID, UserSnapshot> found = byIds(directory, missing);
            currentManagers.putAll(found);
            out.putAll(found);
        }
        return out;
    }

    /** Why a row may not get this manager, or null when it may. */
    String problem(String key, String ref) {
        String column = matchBy.column().replace('_', ' ');
        if (ref.equals(key)) {
            return "a user cannot be their own manager; leave manager empty or name another user";
        }
        Fact managerRow = rows.get(ref);
        if (managerRow != null && managerRow.action() == RowAction.DELETE) {
            return "manager " + ref + " is deleted by line " + managerRow.line() + " of this file; choose another manager";
        }
        UserSnapshot user = byKey.get(ref);
        if (user == null) {
            boolean createdHere = managerRow != null && (managerRow.action() == RowAction.CREATE || managerRow.action() == RowAction.UPSERT);
            if (!createdHere) {
                return "no user with " + column + " " + ref + " to be the manager; check the value, or add the manager "
                        + "to this file (a manager created in the same file is fine)";
            }
        } else if (user.status() == UserStatus.DELETED) {
            return "manager " + ref + " is deleted; restore them first or choose another manager";
        } else if (user.email() == null) {
            return "manager " + ref + " has no email address, and Roster records a manager by email; give the manager "
                    + "one first, or leave manager empty";
        }
        String cycle = cycle(key);
        if (cycle != null) {
            return "this manager makes a cycle: " + cycle + "; a user cannot be above their own manager. Change one of "
                    + "these managers";
        }
        return null;
    }

    /** The id of the existing user a manager cell names, or null (unknown, or created by this file). */
    UUID id(String ref) {
        UserSnapshot user = byKey.get(ref);
        return user == null ? null : user.id();
    }

    /** The manager's email as the plan records it (lower case), or null when unknown. */
    String email(String ref) {
        UserSnapshot user = byKey.get(ref);
        if (user != null) {
            return user.email() == null ? null : user.email().toLowerCase(java.util.Locale.ROOT);
        }
        if (matchBy == MatchKey.EMAIL) {
            return ref;
        }
        Fact row = rows.get(ref);
        return row == null ? null : row.email();
    }

    /** The chain "a → b → c → a" when following managers from this row's user comes back to it, else null. */
    private String cycle(String start) {
        List<String> path = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        path.add(start);
        seen.add(start);
        String current = next(start);
        int endOfSafe = -1; // nodes before this index lead to a root or a known safe node
        while (current != null) {
            if (current.equals(start)) {
                path.add(start);
                return String.join(" → ", path);
            }
            if (noCycle.contains(current)) {
                break;
            }
            if (seen.contains(current)) {
                endOfSafe = path.indexOf(current); // a cycle further up, not through this user
                break;
            }
            seen.add(current);
            path.add(current);
            current = next(current);
        }
        noCycle.addAll(endOfSafe < 0 ? path : path.subList(0, endOfSafe));
        return null;
    }

    private String next(String node) {
        Fact fact = rows.get(node);
        if (fact != null && fact.ref() != null) {
            return fact.ref().equals(RowReader.CLEAR) ? null : fact.ref();
        }
        UserSnapshot user = byKey.get(node);
        if (user == null || user.managerId() == null) {
            return null;
        }
        UserSnapshot manager = byId.get(user.managerId());
        return manager == null ? null : keyOf(manager);
    }

    private String keyOf(UserSnapshot user) {
        String key = switch (matchBy) {
            case EMAIL -> user.email();
            case USERNAME -> user.username() != null ? user.username() : user.email();
            case EXTERNAL_ID -> user.externalId();
        };
        return key == null ? "#" + user.id() : matchBy.ignoresCase() ? key.toLowerCase(java.util.Locale.ROOT) : key;
    }

    private void remember(UserSnapshot user) {
        byId.put(user.id(), user);
        byKey.putIfAbsent(keyOf(user), user);
    }

    private Set<UUID> missingManagers(Collection<UserSnapshot> users) {
        Set<UUID> missing = new HashSet<>();
        for (UserSnapshot user : users) {
            if (user.managerId() != null && !byId.containsKey(user.managerId())) {
                missing.add(user.managerId());
            }
        }
        return missing;
    }

    private static Map<UUID, UserSnapshot> byIds(DirectoryView directory, Set<UUID> ids) {
        Map<UUID, UserSnapshot> found = new HashMap<>();
        List<UUID> list = new ArrayList<>(ids);
        for (int from = 0; from < list.size(); from += Planner.DEFAULT_CHUNK_SIZE) {
            found.putAll(directory.findByIds(list.subList(from, Math.min(list.size(), from + Planner.DEFAULT_CHUNK_SIZE))));
        }
        return found;
    }
}
