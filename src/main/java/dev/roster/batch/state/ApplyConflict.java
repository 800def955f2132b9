package dev.roster.batch.state;

import java.util.UUID;

/** A row of a plan the directory has moved away from since planning. */
public record ApplyConflict(long line, String kind, String key, UUID userId, Long plannedVersion, Long currentVersion,
        String reason) {
}
