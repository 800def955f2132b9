package dev.roster.plan;

import dev.roster.csv.ColumnNames;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Rules for group names and the lists of them in one cell ("Sales|Support"). */
public final class GroupNames {

    public static final int MAX = 255;
    private static final String SEPARATOR = String.valueOf(ColumnNames.GROUP_SEPARATOR);

    private GroupNames() {
    }

    public static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** What is wrong with a group name, or null when it is fine. */
    public static String problem(String name) {
        if (name.isEmpty()) {
            return "a group name cannot be empty";
        }
        if (name.length() > MAX) {
            return "the group name is " + name.length() + " characters long; at most " + MAX + " are allowed";
        }
        if (Character.isWhitespace(name.charAt(0)) || Character.isSpaceChar(name.charAt(0))
                || Character.isWhitespace(name.charAt(name.length() - 1)) || Character.isSpaceChar(name.charAt(name.length() - 1))) {
            return "the group name \"" + name + "\" starts or ends with a space; remove the space";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "the group name \"" + name.replaceAll("\\p{Cntrl}", "?") + "\" contains a control character (shown as ?); "
                        + "remove it";
            }
        }
        if (name.contains(SEPARATOR)) {
            return "the group name \"" + name + "\" contains \"" + SEPARATOR + "\", which separates groups in a cell; "
                    + "choose a name without it";
        }
        return null;
    }

    /**
     * The names of a list cell, in file order, each once (ignoring case): "Sales | Support" gives Sales and Support.
     * Plain spaces around a separator are dropped; any other problem is added to {@code problems}.
     */
    public static List<String> split(String cell, List<String> problems) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String part : cell.split("\\|", -1)) {
            String name = stripSpaces(part);
            if (name.isEmpty()) {
                continue;
            }
            String problem = problem(name);
            if (problem != null) {
                problems.add(problem);
            } else {
                names.putIfAbsent(lower(name), name);
            }
        }
        return new ArrayList<>(names.values());
    }

    /** The cell form of a set of names: sorted ignoring case, joined by "|"; null for no names. */
    public static String join(Collection<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(String.CASE_INSENSITIVE_ORDER.thenComparing(String::compareTo));
        return String.join(SEPARATOR, sorted);
    }

    /** The names of a stored set (a FieldDiff's before or after), empty for null. */
    public static List<String> parse(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split("\\|"));
    }

    /** Names in {@code to} but not in {@code from}, ignoring case, in the order of {@code to}. */
    public static List<String> minus(Collection<String> to, Collection<String> from) {
        java.util.Set<String> lowerFrom = new java.util.HashSet<>();
        from.forEach(n -> lowerFrom.add(lower(n)));
        List<String> out = new ArrayList<>();
        for (String name : to) {
            if (!lowerFrom.contains(lower(name))) {
                out.add(name);
            }
        }
        return out;
    }

    private static String stripSpaces(String part) {
        int start = 0;
        int end = part.length();
        while (start < end && part.charAt(start) == ' ') {
            start++;
        }
        while (end > start && part.charAt(end - 1) == ' ') {
            end--;
        }
        return part.substring(start, end);
    }
}
