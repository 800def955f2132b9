package dev.roster.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** An in-memory {@link DirectoryView} that counts its calls. */
final class FakeDirectory implements DirectoryView {

    final Map<String, UserSnapshot> users = new HashMap<>();
    /** Live groups by lower-cased name. */
    final Map<String, GroupSnapshot> groups = new HashMap<>();
    /** Group names per user. */
    final Map<UUID, List<String>> memberships = new HashMap<>();
    /** Start and end dates per user (#26). */
    final Map<UUID, UserDates> dates = new HashMap<>();
    final List<Integer> emailCallSizes = new ArrayList<>();
    final List<Integer> externalIdCallSizes = new ArrayList<>();

    FakeDirectory add(UserSnapshot user) {
        users.put(user.id().toString(), user);
        return this;
    }

    UserSnapshot add(String email, String externalId, UserStatus status) {
        UserSnapshot user = user(email, externalId, status);
        add(user);
        return user;
    }

    GroupSnapshot group(String name, String... memberEmails) {
        GroupSnapshot group = new GroupSnapshot(UUID.nameUUIDFromBytes(("g:" + name).getBytes()), name, null, null, 3,
                memberEmails.length);
        groups.put(name.toLowerCase(Locale.ROOT), group);
        for (String email : memberEmails) {
            UserSnapshot user = users.values().stream().filter(u -> email.equals(u.email())).findFirst().orElseThrow();
            memberships.computeIfAbsent(user.id(), k -> new ArrayList<>()).add(name);
        }
        return group;
    }

    /** Gives the user (by email) a manager (by email). */
    void manage(String email, String managerEmail) {
        UserSnapshot user = byEmail(email);
        users.put(user.id().toString(), user.withManager(byEmail(managerEmail).id()));
    }

    UserSnapshot byEmail(String email) {
        return users.values().stream().filter(u -> email.equals(u.email())).findFirst().orElseThrow();
    }

    @Override
    public Map<UUID, UserDates> datesOf(Collection<UUID> ids) {
        Map<UUID, UserDates> found = new HashMap<>();
        ids.forEach(id -> {
            if (dates.containsKey(id)) {
                found.put(id, dates.get(id));
            }
        });
        return found;
    }

    @Override
    public Map<UUID, UserSnapshot> findByIds(Collection<UUID> ids) {
        Map<UUID, UserSnapshot> found = new HashMap<>();
        for (UserSnapshot user : users.values()) {
            if (ids.contains(user.id())) {
                found.put(user.id(), user);
            }
        }
        return found;
    }

    @Override
    public Map<String, GroupSnapshot> findGroups(Collection<String> lowercasedNames) {
        Map<String, GroupSnapshot> found = new HashMap<>();
        for (String name : lowercasedNames) {
            if (groups.containsKey(name)) {
                found.put(name, groups.get(name));
            }
        }
        return found;
    }

    @Override
    public Map<String, GroupSnapshot> findGroupsByExternalIds(Collection<String> externalIds) {
        Map<String, GroupSnapshot> found = new HashMap<>();
        for (GroupSnapshot group : groups.values()) {
            if (group.externalId() != null && externalIds.contains(group.externalId())) {
                found.put(group.externalId(), group);
            }
        }
        return found;
    }

    @Override
    public Map<UUID, List<String>> groupsOf(Collection<UUID> userIds) {
        Map<UUID, List<String>> found = new HashMap<>();
        for (UUID id : userIds) {
            if (memberships.containsKey(id)) {
                found.put(id, memberships.get(id));
            }
        }
        return found;
    }

    static UserSnapshot user(String email, String externalId, UserStatus status) {
        UUID id = UUID.nameUUIDFromBytes(email.getBytes());
        return new UserSnapshot(id, email, externalId, null, "Given", "Family", null, null, null, null, null, status,
                Map.of(), 7);
    }

    @Override
    public Map<String, UserSnapshot> findByEmails(Collection<String> lowercasedEmails) {
        emailCallSizes.add(lowercasedEmails.size());
        Map<String, UserSnapshot> found = new HashMap<>();
        for (UserSnapshot user : users.values()) {
            if (user.email() == null || user.status() == UserStatus.DELETED) {
                continue; // a deleted user holds no identifier (decisions/0031)
            }
            String email = user.email().toLowerCase(Locale.ROOT);
            if (lowercasedEmails.contains(email)) {
                found.put(email, user);
            }
        }
        return found;
    }

    @Override
    public Map<String, UserSnapshot> findByExternalIds(Collection<String> externalIds) {
        externalIdCallSizes.add(externalIds.size());
        Map<String, UserSnapshot> found = new HashMap<>();
        for (UserSnapshot user : users.values()) {
            if (user.externalId() != null && user.status() != UserStatus.DELETED && externalIds.contains(user.externalId())) {
                found.put(user.externalId(), user);
            }
        }
        return found;
    }

    @Override
    public Map<String, UserSnapshot> findByLogins(Collection<String> lowercasedLogins) {
        Map<String, UserSnapshot> found = new HashMap<>();
        for (UserSnapshot user : users.values()) {
            String login = user.username() != null ? user.username() : user.email();
            if (user.status() != UserStatus.DELETED && lowercasedLogins.contains(login.toLowerCase(Locale.ROOT))) {
                found.merge(login.toLowerCase(Locale.ROOT), user, (a, b) -> a.username() != null ? a : b);
            }
        }
        return found;
    }
}
