package dev.roster.plan;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a whole upload does; lower case in URLs and the API ("onboard", "mixed"). */
public enum Operation {
    ONBOARD, UPDATE, DELETE, RESET, MIXED,
    /** One membership per row: group, member, action add|remove. */
    MEMBERSHIP,
    /** One group per row: create, rename, describe, delete. */
    GROUPS,
    /** Desired state: every row an upsert; users in the batch's scope absent from the file get its absent policy. */
    SYNC,
    /** A day's due dated changes (#26): made by Roster from scheduled_change, never uploaded. */
    SCHEDULED;

    /** The operations a person may upload a file for (a scheduled batch is Roster's own). */
    public static java.util.List<Operation> uploadable() {
        return Arrays.stream(values()).filter(op -> op != SCHEDULED).toList();
    }

    /** A file of users (with profile columns, groups and manager), not a group file. */
    public boolean userFile() {
        return this != MEMBERSHIP && this != GROUPS;
    }

    /** Parses "onboard", "Update", ...; throws IllegalArgumentException listing the valid names. */
    public static Operation parse(String value) {
        if (value != null) {
            for (Operation op : uploadable()) {
                if (op.name().equalsIgnoreCase(value.strip())) {
                    return op;
                }
            }
        }
        throw new IllegalArgumentException("unknown operation \"" + value + "\"; use one of "
                + uploadable().stream().map(Operation::urlName).collect(Collectors.joining(", ")));
    }

    public String urlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
