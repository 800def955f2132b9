package dev.roster.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What one SCIM write did: its status, the resource after it (null after a delete) or the dry run's diff, its ETag. */
public record ScimOutcome(int status, ObjectNode body, String etag, boolean changed) {
}
