package dev.roster.plan;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Set-based read access to current users and groups; the planner calls each method at most once per chunk of rows. */
public interface DirectoryView {

    /**
     * Users not deleted, by email; keys of the result are lower-cased emails. A deleted user holds none of its
     * identifiers (decisions/0031), so it is never found by one.
     */
    Map<String, UserSnapshot> findByEmails(Collection<String> lowercasedEmails);

    /** Users not deleted, by external id; keys of the result are the external ids as given. */
    Map<String, UserSnapshot> findByExternalIds(Collection<String> externalIds);

    /**
     * Users not deleted, by login name: the username, or the email of a user without one (SCIM's userName); keys
     * are lower-cased. Where a username and another user's email are the same, the username's holder is found.
     */
    default Map<String, UserSnapshot> findByLogins(Collection<String> lowercasedLogins) {
        return Map.of();
    }

    /** Users not deleted, by the match key's values (lower-cased for email and username). */
    default Map<String, UserSnapshot> findByKeys(MatchKey matchBy, Collection<String> keys) {
        return switch (matchBy) {
            case EMAIL -> findByEmails(keys);
            case EXTERNAL_ID -> findByExternalIds(keys);
            case USERNAME -> findByLogins(keys);
        };
    }

    /** Users by id (managers and their managers). Deleted users are included. */
    default Map<UUID, UserSnapshot> findByIds(Collection<UUID> ids) {
        return Map.of();
    }

    /** Live (not deleted) groups by name; keys of the result are lower-cased names. */
    default Map<String, GroupSnapshot> findGroups(Collection<String> lowercasedNames) {
        return Map.of();
    }

    /** Live groups by external id; keys are the external ids as given. */
    default Map<String, GroupSnapshot> findGroupsByExternalIds(Collection<String> externalIds) {
        return Map.of();
    }

    /** The names of the live groups each user is in; users in no group are absent from the result. */
    default Map<UUID, List<String>> groupsOf(Collection<UUID> userIds) {
        return Map.of();
    }

    /** The start and end dates of users that have one (#26); users without dates may be absent. */
    default Map<UUID, UserDates> datesOf(Collection<UUID> userIds) {
        return Map.of();
    }
}
