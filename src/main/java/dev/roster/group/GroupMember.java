package dev.roster.group;

import java.time.Instant;
import java.util.UUID;

/** One live member of a group, as the members table, the API and the CSV show them. */
public record GroupMember(UUID userId, String email, String externalId, String name, String status, Instant addedAt,
        String addedBy) {
}
