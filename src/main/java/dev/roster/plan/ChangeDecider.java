package dev.roster.plan;

import dev.roster.csv.ColumnNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static dev.roster.csv.ColumnNames.*;

/** Decides the change for one checked row, given the users found for its chunk. */
final class ChangeDecider {

    /** How each profile column reads from a snapshot. */
    private static final Map<String, Function<UserSnapshot, String>> SNAPSHOT_FIELDS = Map.ofEntries(
            Map.entry(EMAIL, UserSnapshot::email),
            Map.entry(EXTERNAL_ID, UserSnapshot::externalId),
            Map.entry(USERNAME, UserSnapshot::username),
            Map.entry(GIVEN_NAME, UserSnapshot::givenName),
            Map.entry(FAMILY_NAME, UserSnapshot::familyName),
            Map.entry(DISPLAY_NAME, UserSnapshot::displayName),
            Map.entry(PHONE, UserSnapshot::phone),
            Map.entry(DEPARTMENT, UserSnapshot::department),
            Map.entry(TITLE, UserSnapshot::title),
            Map.entry(LOCALE, UserSnapshot::locale),
            Map.entry(STATUS, u -> u.status().name()));

    /** How a note or error about a user without email begins. */
    static final String NO_MAIL = "no email address, so ";

    private final RowReader rows;
    private final MatchKey matchBy;
    private final UserRelations relations;
    /** Whether an unchanged row says so in a note; a sync file's rows are mostly unchanged, and stay cheap. */
    private final boolean noteUnchanged;

    /** Dates of the file's rows (#26); null where no dates are read. */
    private DatedChanges dated;

    ChangeDecider withDates(DatedChanges dated) {
        this.dated = dated;
        return this;
    }

    void loadDates(java.util.Collection<UserSnapshot> users) {
        if (dated != null) {
            dated.loadChunk(users);
        }
    }

    ChangeDecider(RowReader rows, MatchKey matchBy, UserRelations relations) {
        this(rows, matchBy, relations, true);
    }

    ChangeDecider(RowReader rows, MatchKey matchBy, UserRelations relations, boolean noteUnchanged) {
        this.rows = rows;
        this.matchBy = matchBy;
        this.relations = relations;
        this.noteUnchanged = noteUnchanged;
    }

    /**
     * The users a chunk's rows name, all not deleted: by the row's key, by the emails rows would give, by the
     * usernames rows would give (login names, lower-cased).
     */
    record Found(Map<String, UserSnapshot> byKey, Map<String, UserSnapshot> byEmail, Map<String, UserSnapshot> byLogin) {
    }

    PlannedChange decide(RowInput row, Found found) {
        Map<String, UserSnapshot> byKey = found.byKey();
        List<PlanMessage> messages = new ArrayList<>(row.messages());
        UserSnapshot existing = row.key() == null ? null : byKey.get(row.key());
        RowAction action = row.action();
        if (action == RowAction.UPSERT) {
            action = existing == null ? RowAction.CREATE : RowAction.UPDATE;
        }
        if (action == null) {
            return change(row, ChangeKind.ERROR, existing, List.of(), messages);
        }
        if (!action.writesProfile() && row.passwordHash() != null) {
            messages.add(PlanMessage.note(rows.written(PASSWORD_HASH), "password_hash is used only when a user is created; ignored"));
        }
        return switch (action) {
            case CREATE -> create(row, existing, found, messages);
            case UPDATE -> update(row, existing, found, messages);
            case DELETE -> delete(row, existing, messages);
            case RESET -> reset(row, existing, messages);
            case UPSERT -> throw new IllegalStateException("upsert is resolved above");
        };
    }

    private PlannedChange create(RowInput row, UserSnapshot existing, Found found, List<PlanMessage> messages) {
        String keyColumn = rows.written(matchBy.column());
        if (existing != null) {
            messages.add(PlanMessage.error(keyColumn, matchBy.column() + " " + row.key() + " already belongs to user "
                    + describe(existing) + "; use the update operation (or action upsert in a mixed file) to change it"));
        }
        if (row.newEmail() != null) {
            messages.add(PlanMessage.error(rows.written(NEW_EMAIL), "new_email only changes existing users; "
                    + "put the address in the email column to create a user"));
        }
        for (String required : List.of(GIVEN_NAME, FAMILY_NAME)) {
            if (!isSet(row.values().get(required)) && !hasErrorFor(messages, rows.written(required))) {
                messages.add(PlanMessage.error(rows.written(required), required + " is required to create a user"));
            }
        }
        String email = row.values().get(EMAIL);
        boolean hasEmail = isSet(email);
        if (!hasEmail && !isSet(row.values().get(USERNAME)) && !hasErrorFor(messages, rows.written(EMAIL))
                && !hasErrorFor(messages, rows.written(USERNAME))) {
            messages.add(PlanMessage.error(rows.written(EMAIL), "email is required to create a user (or a username, for a "
                    + "user without email)"));
        }
        if (matchBy != MatchKey.EMAIL && hasEmail) {
            UserSnapshot owner = found.byEmail().get(email);
            if (owner != null) {
                messages.add(PlanMessage.error(rows.written(EMAIL), "email " + email + " already belongs to user "
                        + describe(owner) + "; each user needs an address of their own"));
            }
        }
        usernameTaken(row.values().get(USERNAME), null, found, messages);
        if (hasEmail) {
            emailIsUsername(email, null, rows.written(EMAIL), found, messages);
        }
        List<FieldDiff> fields = new ArrayList<>();
        row.values().forEach((column, value) -> {
            if (isSet(value) && !column.equals(REASON) && !column.equals(STATUS) && !UserRelations.COLUMNS.contains(column)
                    && !DatedChanges.COLUMNS.contains(column)) {
                fields.add(new FieldDiff(column, null, value));
            }
        });
        createdStatus(row, hasEmail, fields, messages);
        relations.addDiffs(row, null, fields, messages);
        if (dated != null) {
            dated.addDiffs(row, null, fields, messages);
        }
        if (hasErrors(messages)) {
            return change(row, ChangeKind.ERROR, existing, List.of(), messages);
        }
        boolean invite = row.sendInvite();
        if (!hasEmail && invite && row.passwordHash() == null) {
            invite = false;
            messages.add(PlanMessage.note(rows.written(EMAIL), NO_MAIL + "no invitation is sent; the user sets a password "
                    + "once given an email address and a reset link"));
        }
        return new PlannedChange(row.line(), ChangeKind.CREATE, row.key(), null, null, fields, messages,
                invite, row.passwordHash(), row.originalCells());
    }

    /**
     * A new user is ACTIVE or INVITED as usual, or SUSPENDED when the row says so (decision 0037): then a status field
     * says it, and the invitation waits for the activation.
     */
    private void createdStatus(RowInput row, boolean hasEmail, List<FieldDiff> fields, List<PlanMessage> messages) {
        String status = row.values().get(STATUS);
        if (status == null || status.equals("ACTIVE")) {
            return;
        }
        if (!status.equals("SUSPENDED")) {
            messages.add(PlanMessage.error(rows.written(STATUS), "a new user cannot be created " + status
                    + "; leave status empty (or ACTIVE), or write SUSPENDED to create the user suspended"));
            return;
        }
        fields.add(new FieldDiff(STATUS, null, "SUSPENDED"));
        messages.add(PlanMessage.note(rows.written(STATUS), row.sendInvite() && row.passwordHash() == null && hasEmail
                ? "created suspended: no invitation now; it is sent when the user is activated"
                : "created suspended"));
    }

    private PlannedChange update(RowInput row, UserSnapshot existing, Found found, List<PlanMessage> messages) {
        Map<String, UserSnapshot> byEmail = found.byEmail();
        String keyColumn = rows.written(matchBy.column());
        if (existing == null) {
            if (row.key() != null) {
                messages.add(PlanMessage.error(keyColumn, "no user with " + matchBy.column() + " " + row.key()
                        + "; check the value, or create the user with onboard (or action upsert in a mixed file)"));
            }
            return change(row, ChangeKind.ERROR, null, List.of(), messages);
        }
        if (existing.status() == UserStatus.DELETED) {
            messages.add(PlanMessage.error(keyColumn, "user " + describe(existing) + " is deleted; restore it before updating it"));
            return change(row, ChangeKind.ERROR, existing, List.of(), messages);
        }
        if (row.values().containsKey(REASON)) {
            messages.add(PlanMessage.note(rows.written(REASON), "reason is used only for delete and reset; ignored"));
        }
        List<FieldDiff> fields = new ArrayList<>();
        for (Map.Entry<String, String> entry : row.values().entrySet()) {
            String column = entry.getKey();
            if (column.equals(matchBy.column()) || column.equals(REASON) || UserRelations.COLUMNS.contains(column)
                    || DatedChanges.COLUMNS.contains(column)) {
                continue;
            }
            String before = ColumnNames.isAttribute(column)
                    ? existing.attributes().get(ColumnNames.attributeName(column))
                    : isExtended(column) ? existing.extended().get(column)
                    : SNAPSHOT_FIELDS.get(column).apply(existing);
            String after = RowReader.CLEAR.equals(entry.getValue()) ? null : entry.getValue();
            boolean same = column.equals(EMAIL) ? after != null && after.equalsIgnoreCase(before) : Objects.equals(before, after);
            if (column.equals(USERNAME) && before == null && after != null && after.equalsIgnoreCase(existing.email())) {
                same = true; // a user without username logs in with its email (SCIM's userName, Okta's login)
            }
            if (!same && column.equals(STATUS)) {
                // Only suspending and reactivating are updates; the other moves have their own operations.
                if (!(Objects.equals(after, "ACTIVE") || Objects.equals(after, "SUSPENDED"))) {
                    messages.add(PlanMessage.error(rows.written(STATUS), "status cannot be set to " + after
                            + " by an update; use ACTIVE or SUSPENDED (delete users with the delete operation)"));
                } else if (existing.status() == UserStatus.INVITED && after.equals("ACTIVE")) {
                    messages.add(PlanMessage.error(rows.written(STATUS), "user " + describe(existing)
                            + " is INVITED and becomes ACTIVE by setting a password; send a reset or leave status as INVITED"));
                }
            }
            if (!same) {
                fields.add(new FieldDiff(column, before, after));
            }
        }
        relations.addDiffs(row, existing, fields, messages);
        if (dated != null) {
            dated.addDiffs(row, existing, fields, messages);
        }
        String newEmail = row.newEmail();
        if (newEmail != null && !newEmail.equalsIgnoreCase(existing.email())) {
            fields.add(new FieldDiff(EMAIL, existing.email(), newEmail));
        }
        for (FieldDiff diff : fields) {
            if (diff.name().equals(USERNAME) && diff.after() == null && existing.email() == null
                    && fields.stream().noneMatch(f -> f.name().equals(EMAIL) && f.after() != null)) {
                // directory_user_email_or_username (V26): a user signs in with one of them.
                messages.add(PlanMessage.error(rows.written(USERNAME), "user " + describe(existing) + " has " + NO_MAIL
                        + "its username cannot be cleared; give the user an email address in the same row, "
                        + "or leave username as it is"));
            }
            if (diff.name().equals(USERNAME)) {
                usernameTaken(diff.after(), existing, found, messages);
            }
            if (diff.name().equals(EMAIL) && diff.after() != null) {
                emailIsUsername(diff.after(), existing, newEmail != null ? rows.written(NEW_EMAIL) : rows.written(EMAIL), found,
                        messages);
            }
            if (diff.name().equals(EMAIL)) {
                UserSnapshot owner = byEmail.get(diff.after());
                if (owner != null && !owner.id().equals(existing.id())) {
                    String column = newEmail != null ? rows.written(NEW_EMAIL) : rows.written(EMAIL);
                    messages.add(PlanMessage.error(column, "email " + diff.after() + " already belongs to user "
                            + describe(owner) + "; each user needs an address of their own"));
                }
            }
        }
        if (hasErrors(messages)) {
            return change(row, ChangeKind.ERROR, existing, List.of(), messages);
        }
        if (fields.isEmpty()) {
            if (noteUnchanged) {
                messages.add(PlanMessage.note(null, "nothing to change: the values in this row match the current user"));
            }
            return change(row, ChangeKind.UNCHANGED, existing, List.of(), messages);
        }
        return change(row, ChangeKind.UPDATE, existing, fields, messages);
    }

    private PlannedChange delete(RowInput row, UserSnapshot existing, List<PlanMessage> messages) {
        if (!hasErrors(messages)) {
            if (existing == null) {
                messages.add(PlanMessage.note(rows.written(matchBy.column()), "no user with " + matchBy.column() + " "
                        + row.key() + "; nothing to delete"));
                return change(row, ChangeKind.UNCHANGED, null, List.of(), messages);
            }
            if (existing.status() == UserStatus.DELETED) {
                messages.add(PlanMessage.note(null, "user " + describe(existing) + " is already deleted; nothing to do"));
                return change(row, ChangeKind.UNCHANGED, existing, List.of(), messages);
            }
        }
        crossCheck(row, existing, messages);
        return change(row, hasErrors(messages) ? ChangeKind.ERROR : ChangeKind.DELETE, existing, List.of(), messages);
    }

    private PlannedChange reset(RowInput row, UserSnapshot existing, List<PlanMessage> messages) {
        String keyColumn = rows.written(matchBy.column());
        if (existing == null) {
            if (row.key() != null) {
                messages.add(PlanMessage.error(keyColumn, "no user with " + matchBy.column() + " " + row.key()
                        + "; check the value"));
            }
        } else if (existing.email() == null) {
            messages.add(PlanMessage.error(keyColumn, "user " + describe(existing) + " has " + NO_MAIL
                    + "no reset link can be sent; give the user an email address first (an update with an email column)"));
        } else if (existing.status() == UserStatus.DELETED || existing.status() == UserStatus.SUSPENDED) {
            String state = existing.status() == UserStatus.DELETED ? "deleted" : "suspended";
            messages.add(PlanMessage.error(keyColumn, "user " + describe(existing) + " is " + state
                    + ", so its password cannot be reset; " + (existing.status() == UserStatus.DELETED
                    ? "restore the user first" : "reactivate the user first")));
        }
        crossCheck(row, existing, messages);
        return change(row, hasErrors(messages) ? ChangeKind.ERROR : ChangeKind.RESET, existing, List.of(), messages);
    }

    /** In delete and reset files the other identity column, when filled in, must match the user found. */
    private void crossCheck(RowInput row, UserSnapshot existing, List<PlanMessage> messages) {
        if (existing == null) {
            return;
        }
        String other = matchBy == MatchKey.EMAIL ? EXTERNAL_ID : EMAIL;
        String value = row.values().get(other);
        if (!isSet(value)) {
            return;
        }
        String actual = SNAPSHOT_FIELDS.get(other).apply(existing);
        boolean same = other.equals(EMAIL) ? value.equalsIgnoreCase(actual) : value.equals(actual);
        if (!same) {
            messages.add(PlanMessage.error(rows.written(other), other + " " + value + " does not match user "
                    + describe(existing) + ", whose " + other + " is " + (actual == null ? "empty" : actual)
                    + "; check that this row names the right user"));
        }
    }

    private PlannedChange change(RowInput row, ChangeKind kind, UserSnapshot existing, List<FieldDiff> fields, List<PlanMessage> messages) {
        return new PlannedChange(row.line(), kind, row.key(), existing == null ? null : existing.id(),
                existing == null ? null : existing.version(), fields, messages, false, null, row.originalCells());
    }

    /** A username another user (not deleted) already logs in with: an error on the username column. */
    private void usernameTaken(String username, UserSnapshot self, Found found, List<PlanMessage> messages) {
        if (!isSet(username) || matchBy == MatchKey.USERNAME && self == null) {
            return; // a username-keyed create's key is checked above
        }
        UserSnapshot owner = found.byLogin().get(username.toLowerCase(java.util.Locale.ROOT));
        if (owner != null && (self == null || !owner.id().equals(self.id()))) {
            messages.add(PlanMessage.error(rows.written(USERNAME), "username " + username + " already belongs to user "
                    + describe(owner) + "; each user needs a username of their own"));
        }
    }

    /** An address that is another live user's username would give two users one sign-in name (decisions/0031). */
    private void emailIsUsername(String email, UserSnapshot self, String column, Found found, List<PlanMessage> messages) {
        UserSnapshot owner = found.byLogin().get(email.toLowerCase(java.util.Locale.ROOT));
        if (owner != null && owner.username() != null && owner.username().equalsIgnoreCase(email)
                && (self == null || !owner.id().equals(self.id()))) {
            messages.add(PlanMessage.error(column, "email " + email + " already belongs to user " + describe(owner)
                    + " as its username; both sign a user in, so give this user another address or rename that user"));
        }
    }

    static String describe(UserSnapshot user) {
        String status = user.status() == UserStatus.DELETED ? ", deleted" : user.status() == UserStatus.SUSPENDED ? ", suspended" : "";
        return user.id() + " (" + (user.email() != null ? user.email() : "username " + user.username()) + status + ")";
    }

    /** The SCIM attributes of issue #24, read from the snapshot's extended map. */
    private static boolean isExtended(String column) {
        return EXTENDED.contains(column) || SCIM_ONLY.contains(column);
    }

    private static boolean isSet(String value) {
        return value != null && !value.equals(RowReader.CLEAR);
    }

    private static boolean hasErrors(List<PlanMessage> messages) {
        return messages.stream().anyMatch(m -> m.severity() == Severity.ERROR);
    }

    private static boolean hasErrorFor(List<PlanMessage> messages, String column) {
        return messages.stream().anyMatch(m -> m.severity() == Severity.ERROR && column.equals(m.column()));
    }
}
