package dev.roster.plan;

/** One field a change sets: canonical column name ("given_name", "attr.costCenter"), before and after; null = absent. */
public record FieldDiff(String name, String before, String after) {
}
