package dev.roster.plan;

import java.util.Locale;

import dev.roster.csv.ColumnNames;

/**
 * Which column identifies existing users, chosen at upload. USERNAME matches a user's login name: its username, or
 * its email when it has none (SCIM's userName); a row whose username cell is empty is matched by its email cell
 * (decisions/0031).
 */
public enum MatchKey {
    EMAIL(ColumnNames.EMAIL), EXTERNAL_ID(ColumnNames.EXTERNAL_ID), USERNAME(ColumnNames.USERNAME);

    /** The words a form, the API and a sync source accept, for messages. */
    public static final String WORDS = "email, external_id or username";

    private final String column;

    MatchKey(String column) {
        this.column = column;
    }

    /** The canonical column holding the key. */
    public String column() {
        return column;
    }

    /** Whether keys compare case-insensitively (emails and usernames), so they are lower-cased. */
    public boolean ignoresCase() {
        return this != EXTERNAL_ID;
    }

    /** The key named by a form field or JSON value ("email", "external_id", "externalId", "username"); EMAIL when blank, null when unknown. */
    public static MatchKey parse(String value) {
        if (value == null || value.isBlank()) {
            return EMAIL;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "email" -> EMAIL;
            case "external_id", "externalid" -> EXTERNAL_ID;
            case "username", "user_name" -> USERNAME;
            default -> null;
        };
    }
}
