package dev.roster.plan;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which directory users a sync owns: those a source created ({@code source:<id>}), or those with an
 * attribute value ({@code attr.source=workday}). Users in the scope who are absent from the file get
 * the sync's {@link AbsentPolicy}; users outside it are never touched by their absence.
 *
 * @param sourceId  the creating source, for a SOURCE scope
 * @param attribute the attribute name (without "attr."), for an ATTRIBUTE scope
 */
public record SyncScope(Kind kind, UUID sourceId, String attribute, String value) {

    public enum Kind { SOURCE, ATTRIBUTE }

    private static final Pattern ATTR = Pattern.compile("attr[.:]([A-Za-z0-9_.-]+)\\s*=\\s*(.+)");
    private static final Pattern SOURCE = Pattern.compile("source:\\s*([0-9a-fA-F-]{36})");

    public SyncScope {
        Objects.requireNonNull(kind);
        if (kind == Kind.SOURCE) {
            Objects.requireNonNull(sourceId);
        } else if (attribute == null || attribute.isBlank() || value == null || value.isBlank()) {
            throw new IllegalArgumentException("an attribute scope needs a name and a value");
        }
    }

    public static SyncScope createdBy(UUID sourceId) {
        return new SyncScope(Kind.SOURCE, sourceId, null, null);
    }

    public static SyncScope attribute(String name, String value) {
        return new SyncScope(Kind.ATTRIBUTE, null, name, value);
    }

    /**
     * Parses the stored or typed form: {@code attr.source=workday} or {@code source:<uuid>}.
     *
     * @throws IllegalArgumentException saying what a scope looks like
     */
    public static SyncScope parse(String text) {
        String t = text == null ? "" : text.strip();
        Matcher attr = ATTR.matcher(t);
        if (attr.matches()) {
            return attribute(attr.group(1), attr.group(2).strip());
        }
        Matcher source = SOURCE.matcher(t);
        if (source.matches()) {
            return createdBy(UUID.fromString(source.group(1)));
        }
        throw new IllegalArgumentException("scope \"" + t + "\" is not understood; write attr.<name>=<value> "
                + "(e.g. attr.source=workday) for users with that attribute value, or \"created\" on a source for the "
                + "users the source created");
    }

    /** The stored form, which {@link #parse} reads back. */
    public String stored() {
        return kind == Kind.SOURCE ? "source:" + sourceId : "attr." + attribute + "=" + value;
    }

    /** For people: "users created by this source", "users with attr.source = workday". */
    public String describe() {
        return kind == Kind.SOURCE ? "users created by source " + sourceId : "users with attr." + attribute + " = " + value;
    }
}
