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
            if (user.externalId() != null && externalIds.contains(user.externalId())) {
                found.put(user.externalId(), user);
            }
        }
        return found;
    }
}
