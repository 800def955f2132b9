package dev.roster.plan;

import java.util.List;
import java.util.UUID;

/**
 * The change planned for one row.
 *
 * <p>For CREATE {@code fields} holds every non-blank field (before null); for UPDATE only the fields that differ.
 * {@code userId} and {@code plannedVersion} are set whenever the row targets an existing user.
 * {@code passwordHash} is for applying only and must never be shown.
 *
 * @param key the normalised match key (lower-cased email or username, or the external id), or null when the row has none
 */
public record PlannedChange(long line, ChangeKind kind, String key, UUID userId, Long plannedVersion,
                            List<FieldDiff> fields, List<PlanMessage> messages, boolean sendInvite, String passwordHash,
                            List<String> originalCells, UUID groupId) {

    /** A change to a user (no group of its own). */
    public PlannedChange(long line, ChangeKind kind, String key, UUID userId, Long plannedVersion, List<FieldDiff> fields,
                         List<PlanMessage> messages, boolean sendInvite, String passwordHash, List<String> originalCells) {
        this(line, kind, key, userId, plannedVersion, fields, messages, sendInvite, passwordHash, originalCells, null);
    }

    public PlannedChange {
        fields = List.copyOf(fields);
        messages = List.copyOf(messages);
        originalCells = List.copyOf(originalCells);
    }

    /** The value this change gives a field, if it sets it. */
    public java.util.Optional<FieldDiff> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public List<PlanMessage> messages(Severity severity) {
        return messages.stream().filter(m -> m.severity() == severity).toList();
    }

    @Override
    public String toString() {
        // keeps the password hash out of logs
        return "PlannedChange[line=" + line + ", kind=" + kind + ", key=" + key + ", userId=" + userId
                + ", plannedVersion=" + plannedVersion + ", fields=" + fields + ", messages=" + messages
                + ", sendInvite=" + sendInvite + ", passwordHash=" + (passwordHash == null ? "null" : "[hidden]")
                + (groupId == null ? "" : ", groupId=" + groupId) + "]";
    }

}
