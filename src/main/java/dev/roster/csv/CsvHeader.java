package dev.roster.csv;

import java.util.List;
import java.util.Optional;

/**
 * The header of a CSV file: names as written and their canonical forms ("email", "given_name", "attr.costCenter").
 */
public record CsvHeader(List<String> originalNames, List<String> canonicalNames) {

    public CsvHeader {
        originalNames = List.copyOf(originalNames);
        canonicalNames = List.copyOf(canonicalNames);
        if (originalNames.size() != canonicalNames.size()) {
            throw new IllegalArgumentException("original and canonical names differ in count");
        }
    }

    public int size() {
        return canonicalNames.size();
    }

    /** Index of a canonical column, or -1. */
    public int indexOf(String canonicalName) {
        return canonicalNames.indexOf(canonicalName);
    }

    public boolean has(String canonicalName) {
        return indexOf(canonicalName) >= 0;
    }

    /** The name as written in the file for a canonical column. */
    public Optional<String> originalNameOf(String canonicalName) {
        int index = indexOf(canonicalName);
        return index < 0 ? Optional.empty() : Optional.of(originalNames.get(index));
    }
}
