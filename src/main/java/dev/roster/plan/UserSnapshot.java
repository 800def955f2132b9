package dev.roster.plan;

import java.util.Map;
import java.util.UUID;

/** A directory user as the planner sees it; {@code version} is the optimistic-lock version planned against. */
public record UserSnapshot(UUID id, String email, String externalId, String username, String givenName, String familyName,
                           String displayName, String phone, String department, String title, String locale,
                           UserStatus status, Map<String, String> attributes, long version) {

    public UserSnapshot {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
