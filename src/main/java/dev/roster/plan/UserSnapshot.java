package dev.roster.plan;

import java.util.Map;
import java.util.UUID;

/** A directory user as the planner sees it; {@code version} is the optimistic-lock version planned against. */
public record UserSnapshot(UUID id, String email, String externalId, String username, String givenName, String familyName,
                           String displayName, String phone, String department, String title, String locale,
                           UserStatus status, Map<String, String> attributes, long version, UUID managerId) {

    public UserSnapshot {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A user without a manager. */
    public UserSnapshot(UUID id, String email, String externalId, String username, String givenName, String familyName,
                        String displayName, String phone, String department, String title, String locale,
                        UserStatus status, Map<String, String> attributes, long version) {
        this(id, email, externalId, username, givenName, familyName, displayName, phone, department, title, locale, status,
                attributes, version, null);
    }

    public UserSnapshot withManager(UUID manager) {
        return new UserSnapshot(id, email, externalId, username, givenName, familyName, displayName, phone, department,
                title, locale, status, attributes, version, manager);
    }
}
