package dev.roster.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys that occur more than once in a file, found in a first pass that keeps only a hash and a line per key.
 * Only repeated hashes keep their values, and values are compared again in the second pass, so a hash collision
 * can never report a false duplicate.
 */
final class DuplicateKeys {

    /** Another row claiming the same value. */
    record Occurrence(long line, String column, String value) {
    }

    private static final class Repeated {
        final long firstLine;
        Occurrence first; // known once the second pass reaches firstLine
        final List<Occurrence> later = new ArrayList<>(2);

        Repeated(long firstLine) {
            this.firstLine = firstLine;
        }
    }

    private final KeyHashTable seen = new KeyHashTable();
    private final Map<Long, Repeated> repeated = new HashMap<>();

    /** First pass: record one use. */
    void add(long line, RowReader.KeyUse use) {
        long hash = KeyHashTable.hash(use.namespace(), use.value());
        long firstLine = seen.putIfAbsent(hash, line);
        if (firstLine >= 0 && firstLine != line) {
            repeated.computeIfAbsent(hash, h -> new Repeated(firstLine)).later.add(new Occurrence(line, use.column(), use.value()));
        }
    }

    boolean isEmpty() {
        return repeated.isEmpty();
    }

    /** Second pass, in file order: the other rows that claim the same value as this use. */
    List<Occurrence> others(long line, RowReader.KeyUse use) {
        Repeated group = repeated.get(KeyHashTable.hash(use.namespace(), use.value()));
        if (group == null) {
            return List.of();
        }
        List<Occurrence> others = new ArrayList<>();
        if (line == group.firstLine) {
            if (group.first == null) {
                group.first = new Occurrence(line, use.column(), use.value());
            }
        } else if (group.first != null && group.first.value().equals(use.value())) {
            others.add(group.first);
        }
        for (Occurrence occurrence : group.later) {
            if (occurrence.line() != line && occurrence.value().equals(use.value())) {
                others.add(occurrence);
            }
        }
        if (line == group.firstLine && others.isEmpty()) {
            return List.of();
        }
        return others;
    }
}
