package dev.roster.plan;

import dev.roster.csv.ColumnNames;

/** Which column identifies existing users, chosen at upload. */
public enum MatchKey {
    EMAIL(ColumnNames.EMAIL), EXTERNAL_ID(ColumnNames.EXTERNAL_ID);

    private final String column;

    MatchKey(String column) {
        this.column = column;
    }

    /** The canonical column holding the key. */
    public String column() {
        return column;
    }
}
