package dev.roster.plan;

import dev.roster.csv.CsvFileReader;
import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRecord;
import dev.roster.csv.CsvRefusedException;
import dev.roster.csv.HeaderRecognition;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static dev.roster.csv.ColumnNames.EMAIL;

/**
 * Turns a CSV file and a view of the current users into planned changes, one per row.
 *
 * <p>Two passes over the file: the first checks its structure and finds repeated keys keeping only hashes; the
 * second plans rows in chunks, asking the {@link DirectoryView} once per chunk. A refusal therefore happens in the
 * first pass, before any change reaches the sink.
 */
public final class Planner {

    public static final int DEFAULT_CHUNK_SIZE = 1_000;

    private final Operation op;
    private final MatchKey matchBy;
    private final DirectoryView directory;
    private final int chunkSize;
    private HeaderRecognition.Choice mapping;

    public Planner(Operation op, MatchKey matchBy, DirectoryView directory) {
        this(op, matchBy, directory, DEFAULT_CHUNK_SIZE);
    }

    public Planner(Operation op, MatchKey matchBy, DirectoryView directory, int chunkSize) {
        this.op = Objects.requireNonNull(op);
        this.matchBy = Objects.requireNonNull(matchBy);
        this.directory = Objects.requireNonNull(directory);
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive");
        }
        this.chunkSize = chunkSize;
    }

    /** Reads the header through a chosen mapping (a profile, or one confirmed on the mapping page). */
    public Planner withMapping(HeaderRecognition.Choice choice) {
        this.mapping = choice;
        return this;
    }

    /** The columns an operation requires, for the mapping page. */
    public static List<String> requiredColumns(Operation op, MatchKey matchBy) {
        return OperationColumns.required(op, matchBy);
    }

    /**
     * Streams the file through the sink. Opens the source twice: pass 1 finds duplicate keys, pass 2 plans.
     *
     * @throws CsvRefusedException when the file cannot be used at all
     */
    public PlanResult plan(Supplier<InputStream> source, String fileName, CsvLimits limits, PlanSink sink) {
        DuplicateKeys duplicates = new DuplicateKeys();
        List<String> fileWarnings;
        try (CsvFileReader reader = CsvFileReader.open(source.get(), fileName, limits, mapping)) {
            OperationColumns.check(reader.header(), op, matchBy, fileName, reader.headerLine());
            RowReader rows = new RowReader(reader.header(), op, matchBy);
            long count = 0;
            while (reader.hasNext()) {
                CsvRecord record = reader.next();
                count++;
                for (RowReader.KeyUse use : rows.keyUses(record)) {
                    duplicates.add(record.line(), use);
                }
            }
            if (count == 0) {
                throw new CsvRefusedException(fileName, null, null, "the file has a header but no rows. "
                        + "Add one row per user below the header line.");
            }
            fileWarnings = reader.warnings();
        }

        Map<ChangeKind, Long> counts = new EnumMap<>(ChangeKind.class);
        for (ChangeKind kind : ChangeKind.values()) {
            counts.put(kind, 0L);
        }
        long warnings = 0;
        long rowsPlanned = 0;
        try (CsvFileReader reader = CsvFileReader.open(source.get(), fileName, limits, mapping)) {
            RowReader rows = new RowReader(reader.header(), op, matchBy);
            ChangeDecider decider = new ChangeDecider(rows, matchBy);
            List<CsvRecord> chunk = new ArrayList<>(chunkSize);
            while (reader.hasNext()) {
                chunk.add(reader.next());
                if (chunk.size() < chunkSize && reader.hasNext()) {
                    continue;
                }
                for (PlannedChange change : planChunk(chunk, rows, decider, duplicates)) {
                    counts.merge(change.kind(), 1L, Long::sum);
                    warnings += change.messages(Severity.WARNING).size();
                    sink.accept(change);
                }
                rowsPlanned += chunk.size();
                chunk.clear();
                sink.progress(rowsPlanned);
            }
        }
        return new PlanResult(rowsPlanned, counts, warnings, fileWarnings);
    }

    private List<PlannedChange> planChunk(List<CsvRecord> chunk, RowReader rows, ChangeDecider decider, DuplicateKeys duplicates) {
        List<RowInput> inputs = new ArrayList<>(chunk.size());
        Set<String> keys = new LinkedHashSet<>();
        Set<String> emails = new LinkedHashSet<>();
        for (CsvRecord record : chunk) {
            RowInput input = rows.read(record);
            List<PlanMessage> messages = new ArrayList<>(input.messages());
            for (RowReader.KeyUse use : rows.keyUses(record)) {
                List<DuplicateKeys.Occurrence> others = duplicates.others(record.line(), use);
                if (!others.isEmpty()) {
                    messages.add(PlanMessage.error(rows.written(use.column()), duplicateMessage(use, others)));
                }
            }
            input = new RowInput(input.line(), input.action(), input.key(), input.values(), input.newEmail(), messages,
                    input.sendInvite(), input.passwordHash(), input.originalCells());
            inputs.add(input);
            if (input.key() != null) {
                keys.add(input.key());
            }
            if (input.newEmail() != null) {
                emails.add(input.newEmail());
            }
            String email = input.values().get(EMAIL);
            if (matchBy == MatchKey.EXTERNAL_ID && email != null && !email.equals(RowReader.CLEAR)) {
                emails.add(email);
            }
        }
        Map<String, UserSnapshot> byKey;
        Map<String, UserSnapshot> byEmail;
        if (matchBy == MatchKey.EMAIL) {
            emails.addAll(keys);
            byKey = emails.isEmpty() ? Map.of() : directory.findByEmails(emails);
            byEmail = byKey;
        } else {
            byKey = keys.isEmpty() ? Map.of() : directory.findByExternalIds(keys);
            byEmail = emails.isEmpty() ? Map.of() : directory.findByEmails(emails);
        }
        List<PlannedChange> changes = new ArrayList<>(inputs.size());
        for (RowInput input : inputs) {
            changes.add(decider.decide(input, byKey, byEmail));
        }
        return changes;
    }

    private static String duplicateMessage(RowReader.KeyUse use, List<DuplicateKeys.Occurrence> others) {
        String lines = others.stream().map(o -> Long.toString(o.line())).collect(Collectors.joining(", "));
        StringBuilder text = new StringBuilder(use.column()).append(' ').append(use.value())
                .append(" also on line").append(others.size() > 1 ? "s " : " ").append(lines);
        List<String> elsewhere = others.stream().filter(o -> !o.column().equals(use.column()))
                .map(o -> o.column() + " on line " + o.line()).toList();
        if (!elsewhere.isEmpty()) {
            text.append(" (as ").append(String.join(", ", elsewhere)).append(')');
        }
        return text.append("; each user may appear only once in a file").toString();
    }

}
