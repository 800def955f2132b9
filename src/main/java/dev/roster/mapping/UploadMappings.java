package dev.roster.mapping;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.csv.ColumnMapping;
import dev.roster.csv.CsvFileReader;
import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import dev.roster.csv.HeaderRecognition;
import dev.roster.csv.MappedColumn;
import dev.roster.csv.PasswordColumns;
import dev.roster.csv.UnplacedColumnsException;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.Planner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Reads an upload's header before it is stored: how it will be read (Roster's format, a vendor template, a profile
 * or an inline mapping), or that it needs a mapping, with Roster's proposal. Only the header is read.
 */
@ApplicationScoped
public class UploadMappings {

    /**
     * How an upload's header reads.
     *
     * @param mapping  how planning will read it; null when it needs a mapping or is refused for another reason
     * @param unplaced columns Roster cannot place (and the proposal), when no mapping was given
     * @param choice   the chosen mapping planning applies, or null to read the header on its own
     */
    public record Decision(ColumnMapping mapping, UnplacedColumnsException unplaced, HeaderRecognition.Choice choice,
            UUID profileId) {

        public boolean needsMapping() {
            return unplaced != null;
        }
    }

    private static final TypeReference<Map<String, String>> TARGETS = new TypeReference<>() {
    };

    @Inject
    MappingProfiles profiles;
    @Inject
    ObjectMapper json;

    /**
     * @param profile an explicit profile (id or name), or null
     * @param inline  an inline mapping as JSON {"column": "target", ...}, or null
     * @throws MappingRefused when an explicit profile or mapping does not fit the file
     */
    public Decision decide(Supplier<InputStream> file, String fileName, CsvLimits limits, Operation op, MatchKey matchBy,
            String profile, String inline) {
        HeaderRecognition.Choice choice = null;
        UUID profileId = null;
        if (profile != null && !profile.isBlank()) {
            MappingProfiles.Profile found = profiles.byIdOrName(profile).orElseThrow(() -> new MappingRefused(
                    "No mapping profile \"" + profile.strip() + "\". GET /api/mapping-profiles lists them.",
                    List.of("unknown profile \"" + profile.strip() + "\""), null));
            choice = found.choice();
            profileId = found.id();
        } else if (inline != null && !inline.isBlank()) {
            choice = new HeaderRecognition.Choice(parseInline(inline), null);
        }
        if (choice != null) {
            ColumnMapping mapping = read(file, fileName, limits, choice);
            if (mapping == null) {
                return new Decision(null, null, choice, profileId);
            }
            checkRequired(mapping, op, matchBy);
            return new Decision(mapping, null, choice, profileId);
        }
        try {
            return new Decision(read(file, fileName, limits, null), null, null, null);
        } catch (MappingRefused e) {
            if (!(e.getCause() instanceof UnplacedColumnsException unplaced)) {
                throw e;
            }
            List<String> header = unplaced.proposal().stream().map(MappedColumn::written).toList();
            var saved = profiles.forHeader(header);
            if (saved.isPresent()) {
                try {
                    ColumnMapping mapping = read(file, fileName, limits, saved.get().choice());
                    if (mapping != null) {
                        checkRequired(mapping, op, matchBy);
                        return new Decision(mapping, null, saved.get().choice(), saved.get().id());
                    }
                } catch (MappingRefused notAnyMore) {
                    // the profile no longer fits (its targets changed meaning): ask
                }
            }
            return new Decision(null, nearProfile(unplaced), null, null);
        }
    }

    /**
     * A profile made for a header that differs only a little (it shares at least half of its columns): its targets
     * become the proposal for the columns both have, and the differences are named, so a changed header is one
     * confirmation away instead of a fresh mapping.
     */
    UnplacedColumnsException nearProfile(UnplacedColumnsException unplaced) {
        List<String> header = unplaced.proposal().stream().map(MappedColumn::written).toList();
        Set<String> names = new HashSet<>();
        header.forEach(h -> names.add(h.strip().toLowerCase(java.util.Locale.ROOT)));
        MappingProfiles.Profile best = null;
        int bestShared = 0;
        for (MappingProfiles.Profile p : profiles.list()) {
            int shared = (int) p.columns().stream().filter(e -> names.contains(e.column().strip().toLowerCase(java.util.Locale.ROOT)))
                    .count();
            if (shared * 2 >= p.columns().size() && shared > bestShared) {
                best = p;
                bestShared = shared;
            }
        }
        if (best == null) {
            return unplaced;
        }
        Map<String, String> targets = new java.util.HashMap<>();
        best.columns().forEach(e -> targets.put(e.column().strip().toLowerCase(java.util.Locale.ROOT), e.target()));
        List<MappedColumn> proposal = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (MappedColumn c : unplaced.proposal()) {
            String target = targets.get(c.written().strip().toLowerCase(java.util.Locale.ROOT));
            proposal.add(target != null && (target.equals(dev.roster.csv.ColumnNames.IGNORE) || taken.add(target))
                    ? new MappedColumn(c.index(), c.written(), target, "mapping profile \"" + best.name() + "\"", c.rule())
                    : c);
        }
        List<String> added = header.stream().filter(h -> !targets.containsKey(h.strip().toLowerCase(java.util.Locale.ROOT))).toList();
        List<String> gone = best.columns().stream().map(MappingProfiles.Entry::column)
                .filter(c -> !names.contains(c.strip().toLowerCase(java.util.Locale.ROOT))).toList();
        List<String> problems = new ArrayList<>(unplaced.problems());
        problems.add("the mapping profile \"" + best.name() + "\" no longer fits this header"
                + (added.isEmpty() ? "" : "; new columns: " + String.join(", ", added))
                + (gone.isEmpty() ? "" : "; columns no longer in the file: " + String.join(", ", gone))
                + ". Its targets are proposed for the columns both have");
        return new UnplacedColumnsException(unplaced.fileName(), unplaced.line(), unplaced.column(), unplaced.problem(),
                proposal, problems);
    }

    /** The mapping, or null when the file is refused for a reason planning reports as always (encoding, no header). */
    public static ColumnMapping read(Supplier<InputStream> file, String fileName, CsvLimits limits,
            HeaderRecognition.Choice choice) {
        try (CsvFileReader reader = CsvFileReader.open(file.get(), fileName, limits, choice)) {
            ColumnMapping mapping = reader.mapping();
            if (choice != null && mapping.readsPasswords()) {
                // A chosen mapping with an ignored password column: a filled cell is refused now (422, the mapping page),
                // naming its line, not later by planning.
                scanPasswordCells(reader);
            }
            return mapping;
        } catch (UnplacedColumnsException e) {
            MappingRefused refused = new MappingRefused(e.getMessage(), e.problems(), columnsJson(e.proposal()));
            refused.initCause(e);
            throw refused;
        } catch (PasswordColumns.PasswordColumnRefused e) {
            if (choice == null) {
                return null; // Roster's format or a template: planning refuses the file by name, line and column, as always
            }
            MappingRefused refused = new MappingRefused(e.getMessage(), List.of(e.getMessage()), null);
            refused.initCause(e);
            throw refused;
        } catch (CsvRefusedException e) {
            return null;
        }
    }

    private static void scanPasswordCells(CsvFileReader reader) {
        try {
            while (reader.hasNext()) {
                reader.next();
            }
        } catch (PasswordColumns.PasswordColumnRefused e) {
            throw e;
        } catch (CsvRefusedException e) {
            // another problem of the file: planning reports it with every other
        }
    }

    /** A chosen mapping must give every field the operation requires. */
    public static void checkRequired(ColumnMapping mapping, Operation op, MatchKey matchBy) {
        if (!mapping.format().equals("mapping") && !mapping.format().equals("profile")) {
            return;
        }
        Set<String> targets = new HashSet<>();
        mapping.columns().forEach(c -> targets.add(c.target()));
        List<String> problems = new ArrayList<>();
        for (String required : Planner.requiredColumns(op, matchBy)) {
            if (!targets.contains(required)) {
                problems.add("the " + op.urlName() + " operation needs \"" + required + "\", and no column is mapped to it");
            }
        }
        if (!problems.isEmpty()) {
            throw new MappingRefused("The mapping leaves required fields unmapped: " + String.join("; ", problems) + ".",
                    problems, columnsJson(mapping.columns()));
        }
    }

    public Map<String, String> parseInline(String inline) {
        try {
            Map<String, String> targets = json.readValue(inline, TARGETS);
            if (targets == null || targets.isEmpty()) {
                throw new MappingRefused("The mapping is empty: give {\"column as written\": \"target\", ...}.",
                        List.of("empty mapping"), null);
            }
            return targets;
        } catch (JsonProcessingException e) {
            throw new MappingRefused("The mapping is not a JSON object of column names to targets, like "
                    + "{\"Cost Center\": \"attr.costCenter\", \"Notes\": \"ignore\"}.", List.of("mapping is not a JSON object"), null);
        }
    }

    /** Columns as stored and shown: [{index, column, target, reason}]. */
    public static List<Map<String, Object>> columnsJson(List<MappedColumn> columns) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (MappedColumn c : columns) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", c.index());
            m.put("column", c.written());
            m.put("target", c.target());
            m.put("reason", c.reason());
            out.add(m);
        }
        return out;
    }

    /** The stored form of a chosen mapping: {targets, profile}. */
    public static Map<String, Object> choiceJson(HeaderRecognition.Choice choice) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("targets", choice.targets());
        m.put("profile", choice.profile());
        return m;
    }

    @SuppressWarnings("unchecked")
    public HeaderRecognition.Choice parseChoice(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            Map<String, Object> m = json.readValue(stored, new TypeReference<Map<String, Object>>() {
            });
            return new HeaderRecognition.Choice((Map<String, String>) m.get("targets"), (String) m.get("profile"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("batch.mapping_choice is not a mapping", e);
        }
    }
}
