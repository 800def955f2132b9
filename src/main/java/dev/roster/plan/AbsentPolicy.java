package dev.roster.plan;

import java.util.Locale;

/** What a sync does with users in its scope who are absent from the file (lower case in URLs and JSON). */
public enum AbsentPolicy {
    LEAVE, SUSPEND, DELETE;

    /** Parses "leave", "Suspend", ...; blank is LEAVE; throws IllegalArgumentException naming the valid words. */
    public static AbsentPolicy parse(String value) {
        if (value == null || value.isBlank()) {
            return LEAVE;
        }
        for (AbsentPolicy p : values()) {
            if (p.name().equalsIgnoreCase(value.strip())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown absent policy \"" + value + "\"; use leave, suspend or delete");
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
