package dev.roster.plan;

import java.util.Map;
import java.util.UUID;

/**
 * A directory user as the planner sees it; {@code version} is the optimistic-lock version planned against.
 * {@code extended} holds the SCIM attributes of issue #24 by canonical column name (middle_name ... division, and the
 * SCIM-only formatted_name and JSON lists; ColumnNames.EXTENDED and SCIM_ONLY), absent when empty.
 */
public record UserSnapshot(UUID id, String email, String externalId, String username, String givenName, String familyName,
                           String displayName, String phone, String department, String title, String locale,
                           UserStatus status, Map<String, String> attributes, long version, UUID managerId,
                           Map<String, String> extended) {

    public UserSnapshot {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        extended = extended == null ? Map.of() : Map.copyOf(extended);
    }

    /** A user without the SCIM attributes of issue #24. */
    public UserSnapshot(UUID id, String email, String externalId, String username, String givenName, String familyName,
                        String displayName, String phone, String department, String title, String locale,
                        UserStatus status, Map<String, String> attributes, long version, UUID managerId) {
        this(id, email, externalId, username, givenName, familyName, displayName, phone, department, title, locale, status,
                attributes, version, managerId, null);
    }

    /** A user without a manager. */
    public UserSnapshot(UUID id, String email, String externalId, String username, String givenName, String familyName,
                        String displayName, String phone, String department, String title, String locale,
                        UserStatus status, Map<String, String> attributes, long version) {
        this(id, email, externalId, username, givenName, familyName, displayName, phone, department, title, locale, status,
                attributes, version, null, null);
    }

    public UserSnapshot withManager(UUID manager) {
        return new UserSnapshot(id, email, externalId, username, givenName, familyName, displayName, phone, department,
                title, locale, status, attributes, version, manager, extended);
    }
}
