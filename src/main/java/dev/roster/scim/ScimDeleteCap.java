package dev.roster.scim;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;

import com.fasterxml.jackson.databind.JsonNode;

import dev.roster.batch.apply.ApplyPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The delete cap of a /Bulk request, the same rule as a batch's ({@link ApplyPolicy}). */
@ApplicationScoped
public class ScimDeleteCap {

    @Inject
    ApplyPolicy policy;

    /**
     * The delete cap (roster.safety.max-delete-fraction) over the request as a whole: refused before anything is
     * written when its user deletions exceed the allowed share of the users that are not deleted, as a batch would be.
     */
    void check(JsonNode ops) {
        // Only deletions of established users count, as for a batch: a user created within the base age (or by this
        // request, "bulkId:...") is not in the base, so deleting it is not against it (docs/security.md).
        Set<UUID> ids = new LinkedHashSet<>();
        for (JsonNode op : ops) {
            Matcher m = ScimBulk.PATH.matcher(op.path("path").asText(""));
            if (op.path("method").asText("").equalsIgnoreCase("DELETE") && m.matches() && m.group(1).equals("Users")
                    && m.group(2) != null) {
                try {
                    ids.add(UUID.fromString(m.group(2)));
                } catch (IllegalArgumentException e) {
                    // not a stored user's id: the operation fails on its own
                }
            }
        }
        long deletes = policy.establishedUsers(ids);
        if (deletes == 0) {
            return;
        }
        long active = policy.activeUsers();
        if (deletes > Math.floor(policy.maxDeleteFraction() * active)) {
            throw ScimException.invalidValue("This request deletes " + deletes + " established users, more than "
                    + Math.round(policy.maxDeleteFraction() * 100) + "% of the " + policy.capBase(active) + " "
                    + "(the delete cap, roster.safety.max-delete-fraction). Nothing was written. Send it to "
                    + "/Bulk?asBatch=true, where an admin can override the cap with a written reason.");
        }
    }

}
