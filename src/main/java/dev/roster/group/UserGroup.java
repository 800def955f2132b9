package dev.roster.group;

import java.time.Instant;
import java.util.UUID;

/** A group as pages and the API show it: its fields, its live member count (deleted users never count), its version. */
public record UserGroup(UUID id, String name, String description, String externalId, long memberCount, long version,
        Instant createdAt, Instant updatedAt, Instant deletedAt) {

    public boolean deleted() {
        return deletedAt != null;
    }

    /** The ETag of this version of the group (If-Match takes it back). */
    public String etag() {
        return "\"" + version + "\"";
    }
}
