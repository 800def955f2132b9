package dev.roster.csv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.roster.csv.VendorTemplates.Vendor;

/**
 * Reads a header line: Roster's own names and aliases, a vendor's template, or a mapping chosen by an admin (a
 * profile or a mapping confirmed on the mapping page). Produces a {@link ColumnMapping}, or refuses with a proposal
 * for every column ({@link UnplacedColumnsException}).
 */
public final class HeaderRecognition {

    private HeaderRecognition() {
    }

    /** A mapping chosen by an admin: source column name (any case) -> target; null profile for an inline mapping. */
    public record Choice(Map<String, String> targets, String profile) {
        public Choice {
            Map<String, String> copy = new LinkedHashMap<>();
            targets.forEach((k, v) -> copy.put(k.strip(), v == null ? "" : v.strip()));
            targets = copy;
        }
    }

    public static ColumnMapping recognise(List<String> written, boolean entraVersionLine, Choice choice, String fileName,
            long line) {
        return choice == null ? auto(written, entraVersionLine, fileName, line)
                : chosen(written, entraVersionLine, choice, fileName, line);
    }

    private static ColumnMapping auto(List<String> written, boolean versionLine, String fileName, long line) {
        List<MappedColumn> roster = new ArrayList<>();
        CsvRefusedException firstRefusal = null;
        for (int i = 0; i < written.size(); i++) {
            String name = written.get(i);
            try {
                String canonical = ColumnNames.canonicalise(name, fileName, line);
                roster.add(new MappedColumn(i, name, canonical, rosterReason(name, canonical), CellRule.PLAIN));
            } catch (CsvRefusedException e) {
                roster.add(null);
                if (firstRefusal == null) {
                    firstRefusal = e;
                }
            }
        }
        Vendor vendor = null;
        List<MappedColumn> vendorMapping = null;
        List<Vendor> tied = new ArrayList<>();
        int best = -1;
        for (Vendor v : Vendor.values()) {
            List<MappedColumn> mapping = vendorMapping(v, written, versionLine);
            if (mapping == null) {
                continue;
            }
            int score = VendorTemplates.score(v, written);
            if (score > best) {
                best = score;
                vendor = v;
                vendorMapping = mapping;
                tied.clear();
            } else if (score == best && !sameTargets(mapping, vendorMapping)) {
                tied.add(v);
            }
        }
        if (firstRefusal == null && (!versionLine || vendor == null) && !(vendor != null && mixesUserAndGroupFiles(roster))) {
            // Roster's own format, as always; named after a template only when that template reads it the same way.
            checkDuplicates(roster, fileName, line);
            if (vendor != null && tied.isEmpty() && sameTargets(roster, vendorMapping)) {
                return new ColumnMapping(vendor.id(), vendor.label(), PasswordColumns.enforce(roster, fileName, line), null, false);
            }
            return new ColumnMapping(ColumnMapping.ROSTER, "Roster CSV", PasswordColumns.enforce(roster, fileName, line), null,
                    false);
        }
        if (vendor != null && !tied.isEmpty()) {
            String names = vendor.label() + " and " + tied.get(0).label();
            String problem = "the header fits both the " + names + " templates equally, and they read it differently. "
                    + "Choose the mapping on the mapping page, or rename a column to the template's exact spelling.";
            throw new UnplacedColumnsException(fileName, line, null, problem, proposal(written, roster, vendorMapping),
                    List.of(problem));
        }
        if (vendor != null) {
            checkDuplicates(vendorMapping, fileName, line);
            vendorMapping = PasswordColumns.enforce(vendorMapping, fileName, line);
            if (vendor == Vendor.ENTRA && vendorMapping.size() == 1 && ColumnNames.EMAIL.equals(vendorMapping.get(0).target())) {
                return new ColumnMapping(VendorTemplates.ENTRA_DELETE_ID, VendorTemplates.ENTRA_DELETE_LABEL, vendorMapping, null, true);
            }
            return new ColumnMapping(vendor.id(), vendor.label(), vendorMapping, null, true);
        }
        if (!(firstRefusal.problem().startsWith("unknown column"))) {
            throw firstRefusal; // a plaintext password column, a malformed attr. name: refused as always
        }
        List<MappedColumn> proposal = proposal(written, roster, partialVendor(written, versionLine));
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            if (roster.get(i) == null) {
                problems.add("Roster cannot place column \"" + written.get(i).strip() + "\"");
            }
        }
        throw new UnplacedColumnsException(fileName, firstRefusal.line(), firstRefusal.column(), firstRefusal.problem(),
                proposal, problems);
    }

    private static ColumnMapping chosen(List<String> written, boolean versionLine, Choice choice, String fileName, long line) {
        Map<String, String> byName = new HashMap<>();
        choice.targets().forEach((k, v) -> byName.put(k.toLowerCase(Locale.ROOT), v));
        List<String> problems = new ArrayList<>();
        Map<String, Boolean> present = new HashMap<>();
        for (String name : written) {
            present.put(name.strip().toLowerCase(Locale.ROOT), Boolean.TRUE);
        }
        for (String source : choice.targets().keySet()) {
            if (!present.containsKey(source.toLowerCase(Locale.ROOT))) {
                problems.add("the mapping names column \"" + source + "\", which this file's header does not have");
            }
        }
        String reason = choice.profile() == null ? "chosen mapping" : "mapping profile \"" + choice.profile() + "\"";
        List<MappedColumn> columns = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            String name = written.get(i).strip();
            String target = byName.get(name.toLowerCase(Locale.ROOT));
            if (target != null) {
                if (!ColumnNames.isValidTarget(target)) {
                    problems.add("column \"" + name + "\" is mapped to \"" + target + "\", which is not a Roster field; use one of "
                            + String.join(", ", ColumnNames.TARGETS) + ", attr.<name> or ignore");
                }
                columns.add(new MappedColumn(i, name, target, reason, CellRule.PLAIN));
                continue;
            }
            try {
                String canonical = ColumnNames.canonicalise(name, fileName, line);
                columns.add(new MappedColumn(i, name, canonical, rosterReason(name, canonical), CellRule.PLAIN));
            } catch (CsvRefusedException e) {
                problems.add("column \"" + name + "\" is not in the " + (choice.profile() == null ? "mapping"
                        : "profile \"" + choice.profile() + "\"") + " and Roster cannot place it");
                columns.add(new MappedColumn(i, name, ColumnNames.IGNORE, reason, CellRule.PLAIN));
            }
        }
        for (Duplicate d : duplicates(columns)) {
            problems.add("columns \"" + d.earlier() + "\" and \"" + d.later() + "\" both map to \"" + d.target()
                    + "\"; map one of them elsewhere or ignore it");
        }
        if (!problems.isEmpty()) {
            String problem = (choice.profile() == null ? "the mapping does not fit this file: "
                    : "the mapping profile \"" + choice.profile() + "\" does not fit this file: ") + String.join("; ", problems) + ".";
            List<MappedColumn> proposal;
            try {
                proposal = auto(written, versionLine, fileName, line).columns();
            } catch (UnplacedColumnsException e) {
                proposal = e.proposal();
            } catch (CsvRefusedException e) {
                proposal = columns;
            }
            throw new UnplacedColumnsException(fileName, line, null, problem, proposal, problems);
        }
        // Whoever chose the mapping, a password column is read only as ignored-and-empty or as hashes.
        columns = PasswordColumns.enforce(columns, fileName, line);
        return choice.profile() == null
                ? new ColumnMapping("mapping", "Mapping chosen for this file", columns, null, false)
                : new ColumnMapping("profile", "Mapping profile \"" + choice.profile() + "\"", columns, choice.profile(), false);
    }

    private static String rosterReason(String written, String canonical) {
        return written.strip().equalsIgnoreCase(canonical) ? "Roster column" : "alias of " + canonical;
    }

    /** The template's reading of every column, or null when it lacks its mark or cannot place a column. */
    private static List<MappedColumn> vendorMapping(Vendor vendor, List<String> written, boolean versionLine) {
        if (!VendorTemplates.signature(vendor, written, versionLine)) {
            return null;
        }
        List<MappedColumn> columns = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            VendorTemplates.Target target = VendorTemplates.place(vendor, written.get(i));
            if (target == null) {
                return null;
            }
            columns.add(new MappedColumn(i, written.get(i).strip(), target.target(), vendor.label() + " template",
                    target.rule()));
        }
        return columns;
    }

    /** The template whose mark the header has and that places most of its columns, for proposals. */
    private static List<MappedColumn> partialVendor(List<String> written, boolean versionLine) {
        List<MappedColumn> best = null;
        int bestPlaced = 0;
        for (Vendor vendor : Vendor.values()) {
            if (!VendorTemplates.signature(vendor, written, versionLine)) {
                continue;
            }
            List<MappedColumn> columns = new ArrayList<>();
            int placed = 0;
            for (int i = 0; i < written.size(); i++) {
                VendorTemplates.Target target = VendorTemplates.place(vendor, written.get(i));
                columns.add(target == null ? null : new MappedColumn(i, written.get(i).strip(), target.target(),
                        vendor.label() + " template", target.rule()));
                placed += target == null ? 0 : 1;
            }
            if (placed > bestPlaced) {
                bestPlaced = placed;
                best = columns;
            }
        }
        return best;
    }

    private static final java.util.Set<String> GROUP_FILE_ONLY = java.util.Set.of(ColumnNames.GROUP, ColumnNames.MEMBER,
            ColumnNames.DESCRIPTION, ColumnNames.NEW_NAME);
    private static final java.util.Set<String> USER_PROFILE = java.util.stream.Stream.concat(java.util.stream.Stream.of(
            ColumnNames.GIVEN_NAME, ColumnNames.FAMILY_NAME, ColumnNames.USERNAME, ColumnNames.PHONE, ColumnNames.DEPARTMENT,
            ColumnNames.TITLE, ColumnNames.LOCALE), ColumnNames.EXTENDED.stream()).collect(java.util.stream.Collectors.toSet());

    /**
     * Whether Roster's reading puts group-file columns (description, member, ...) beside user profile columns: no
     * operation takes both, so such a header is not a Roster file, and a vendor template that reads it wins (JumpCloud's
     * Description is a user attribute there, not a group's description).
     */
    private static boolean mixesUserAndGroupFiles(List<MappedColumn> roster) {
        boolean group = false;
        boolean user = false;
        for (MappedColumn column : roster) {
            group |= GROUP_FILE_ONLY.contains(column.target());
            user |= USER_PROFILE.contains(column.target());
        }
        return group && user;
    }

    /** A target for every column: Roster's name or alias, else a template's, else a similar name, else an attribute. */
    static List<MappedColumn> proposal(List<String> written, List<MappedColumn> roster, List<MappedColumn> vendor) {
        List<MappedColumn> out = new ArrayList<>();
        Map<String, String> taken = new HashMap<>();
        for (int i = 0; i < written.size(); i++) {
            String name = written.get(i).strip();
            MappedColumn column = roster.get(i);
            if (column == null && vendor != null) {
                column = vendor.get(i);
            }
            if ((column == null || column.rule() == CellRule.PLAIN) && PasswordColumns.passwordLike(name)
                    && !(column != null && ColumnNames.PASSWORD_HASH.equals(column.target()))) {
                column = new MappedColumn(i, name, ColumnNames.IGNORE, "holds passwords: ignored, and its cells must be "
                        + "empty (or map it to password_hash for bcrypt or Argon2id hashes)", CellRule.MUST_BE_EMPTY);
            }
            if (column == null) {
                String similar = ColumnNames.suggest(name);
                column = similar != null
                        ? new MappedColumn(i, name, similar, "similar name to \"" + similar + "\"", CellRule.PLAIN)
                        : new MappedColumn(i, name, ColumnNames.attributeFor(name),
                                "no Roster field matches: kept as a custom attribute", CellRule.PLAIN);
            }
            if (!column.ignored() && taken.containsKey(column.target())) {
                column = new MappedColumn(i, name, ColumnNames.attributeFor(name), "\"" + column.target()
                        + "\" already comes from column \"" + taken.get(column.target()) + "\": kept as a custom attribute",
                        CellRule.PLAIN);
            }
            taken.putIfAbsent(column.target(), name);
            out.add(column);
        }
        return out;
    }

    private static boolean sameTargets(List<MappedColumn> a, List<MappedColumn> b) {
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).target().equals(b.get(i).target()) || a.get(i).rule() != b.get(i).rule()) {
                return false;
            }
        }
        return true;
    }

    /** Two columns that map to one target. */
    record Duplicate(String earlier, String later, String target) {
    }

    static List<Duplicate> duplicates(List<MappedColumn> columns) {
        List<Duplicate> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (MappedColumn column : columns) {
            if (column.ignored()) {
                continue;
            }
            String earlier = seen.putIfAbsent(column.target(), column.written());
            if (earlier != null) {
                out.add(new Duplicate(earlier, column.written(), column.target()));
            }
        }
        return out;
    }

    private static void checkDuplicates(List<MappedColumn> columns, String fileName, long line) {
        for (Duplicate d : duplicates(columns)) {
            String both = d.earlier().equals(d.later()) ? "appears twice"
                    : "and column \"" + d.earlier() + "\" both mean \"" + d.target() + "\"";
            throw new CsvRefusedException(fileName, line, d.later(), "duplicate column: \"" + d.later() + "\" " + both
                    + ". Keep only one of them.");
        }
    }
}
