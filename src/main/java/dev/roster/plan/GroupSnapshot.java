package dev.roster.plan;

import java.util.UUID;

/**
 * A live group as the planner sees it.
 *
 * @param members the group's members that are not deleted
 */
public record GroupSnapshot(UUID id, String name, String description, String externalId, long version, long members) {
}
