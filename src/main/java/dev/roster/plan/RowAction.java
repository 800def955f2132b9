package dev.roster.plan;

import java.util.Locale;

/** What one row asks for; a mixed file names it in its action column. */
enum RowAction {
    CREATE, UPDATE, UPSERT, DELETE, RESET;

    static final String VALID = "create, update, upsert, delete, reset";

    static RowAction of(Operation op) {
        return switch (op) {
            case ONBOARD -> CREATE;
            case UPDATE, SCHEDULED -> UPDATE;
            case DELETE -> DELETE;
            case RESET -> RESET;
            case SYNC -> UPSERT;
            case MIXED -> throw new IllegalArgumentException("a mixed file names the action per row");
            case MEMBERSHIP, GROUPS -> throw new IllegalArgumentException("group files are read by GroupFileRows");
        };
    }

    /** The action written in a cell, or null when it is none of the valid words. */
    static RowAction parse(String cell) {
        for (RowAction action : values()) {
            if (action.name().equalsIgnoreCase(cell.strip())) {
                return action;
            }
        }
        return null;
    }

    boolean writesProfile() {
        return this == CREATE || this == UPDATE || this == UPSERT;
    }

    String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
