package dev.roster.csv;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The header of a CSV file: names as written and their canonical forms ("email", "given_name", "attr.costCenter",
 * or {@link ColumnNames#IGNORE} for a column a mapping leaves out). A lenient column comes from a vendor template,
 * which carries every column of the template: the operation may leave it unused as long as its cells are empty.
 */
public record CsvHeader(List<String> originalNames, List<String> canonicalNames, List<Boolean> lenient) {

    public CsvHeader {
        originalNames = List.copyOf(originalNames);
        canonicalNames = List.copyOf(canonicalNames);
        lenient = List.copyOf(lenient);
        if (originalNames.size() != canonicalNames.size() || lenient.size() != canonicalNames.size()) {
            throw new IllegalArgumentException("original and canonical names differ in count");
        }
    }

    public CsvHeader(List<String> originalNames, List<String> canonicalNames) {
        this(originalNames, canonicalNames, Collections.nCopies(canonicalNames.size(), Boolean.FALSE));
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

    public boolean ignored(int index) {
        return ColumnNames.IGNORE.equals(canonicalNames.get(index));
    }

    public boolean lenient(int index) {
        return lenient.get(index);
    }

    /** The name as written in the file for a canonical column. */
    public Optional<String> originalNameOf(String canonicalName) {
        int index = indexOf(canonicalName);
        return index < 0 ? Optional.empty() : Optional.of(originalNames.get(index));
    }
}
