package dev.roster.plan;

import dev.roster.csv.CsvFileReader;
import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRecord;
import dev.roster.csv.CsvRefusedException;
import dev.roster.csv.HeaderRecognition;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static dev.roster.csv.ColumnNames.EMAIL;
import static dev.roster.csv.ColumnNames.USERNAME;

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
    private boolean createMissingGroups;
    private HeaderRecognition.Choice mapping;
    private Schedule schedule;

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

    /** When dated changes fall due, and the instant the plan is made at (#26); without one, UTC at 08:00, now. */
    public Planner withSchedule(Schedule schedule) {
        this.schedule = schedule;
        return this;
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

    /** Whether groups a user file or membership file names but the directory lacks are created (GROUP_CREATE rows). */
    public Planner createMissingGroups(boolean create) {
        this.createMissingGroups = create;
        return this;
    }

    /**
     * Streams the file through the sink. Opens the source twice: pass 1 finds duplicate keys, pass 2 plans.
     *
     * @throws CsvRefusedException when the file cannot be used at all
     */
    public PlanResult plan(Supplier<InputStream> source, String fileName, CsvLimits limits, PlanSink sink) {
        DuplicateKeys duplicates = new DuplicateKeys();
        List<String> fileWarnings;
        GroupCatalog catalog = new GroupCatalog();
        ManagerGraph managers = null;
        try (CsvFileReader reader = CsvFileReader.open(source.get(), fileName, limits, mapping)) {
            OperationColumns.check(reader.header(), op, matchBy, fileName, reader.headerLine());
            RowReader rows = op.userFile() ? new RowReader(reader.header(), op, matchBy, limits.maxCellChars()) : null;
            GroupFileRows groupRows = op.userFile() ? null : new GroupFileRows(reader.header(), op, matchBy, catalog, directory);
            boolean groupColumns = rows != null && rows.hasGroupColumns();
            managers = rows != null && rows.hasManagerColumn() ? new ManagerGraph(matchBy) : null;
            long count = 0;
            while (reader.hasNext()) {
                CsvRecord record = reader.next();
                count++;
                for (RowReader.KeyUse use : rows != null ? rows.keyUses(record) : groupRows.keyUses(record)) {
                    duplicates.add(record.line(), use);
                }
                if (groupRows != null) {
                    groupRows.noteGroups(record);
                }
                if (groupColumns) {
                    rows.noteGroups(record, catalog);
                }
                if (managers != null) {
                    rows.noteManager(record, managers);
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
        Totals totals = new Totals();
        List<PlannedChange> groupCreates = catalog.isEmpty() ? List.of() : catalog.resolve(directory, createMissingGroups);
        if (managers != null) {
            managers.resolve(directory);
        }
        for (PlannedChange change : groupCreates) {
            counts.merge(change.kind(), 1L, Long::sum);
            sink.accept(change);
        }
        try (CsvFileReader reader = CsvFileReader.open(source.get(), fileName, limits, mapping)) {
            RowReader rows = op.userFile() ? new RowReader(reader.header(), op, matchBy, limits.maxCellChars()) : null;
            GroupFileRows groupRows = op.userFile() ? null : new GroupFileRows(reader.header(), op, matchBy, catalog, directory);
            UserRelations relations = rows == null ? null : new UserRelations(rows, catalog, managers, directory);
            ChangeDecider decider = rows == null ? null : new ChangeDecider(rows, matchBy, relations, op != Operation.SYNC)
                    .withDates(new DatedChanges(rows, directory, schedule == null ? Schedule.utc(java.time.Instant.now()) : schedule));
            List<CsvRecord> chunk = new ArrayList<>(chunkSize);
            while (reader.hasNext()) {
                chunk.add(reader.next());
                if (chunk.size() < chunkSize && reader.hasNext()) {
                    continue;
                }
                List<PlannedChange> planned = rows != null ? planChunk(chunk, rows, decider, relations, duplicates)
                        : groupRows.planChunk(chunk, record -> duplicateMessages(record, groupRows.keyUses(record),
                                groupRows::written, duplicates));
                for (PlannedChange change : planned) {
                    counts.merge(change.kind(), 1L, Long::sum);
                    warnings += change.messages(Severity.WARNING).size();
                    totals.add(change);
                    sink.accept(change);
                }
                rowsPlanned += chunk.size();
                chunk.clear();
                sink.progress(rowsPlanned);
            }
        }
        return new PlanResult(rowsPlanned, counts, warnings, fileWarnings, totals.result());
    }

    /** Membership totals: adds and removes of user rows' group sets and of membership rows, deleted groups' members. */
    private static final class Totals {
        long adds;
        long removes;
        long deletedMemberships;
        long managers;

        void add(PlannedChange change) {
            if (change.field(dev.roster.csv.ColumnNames.MANAGER).isPresent()) {
                managers++;
            }
            switch (change.kind()) {
                case CREATE, UPDATE -> change.field(dev.roster.csv.ColumnNames.GROUPS).ifPresent(f -> {
                    List<String> before = GroupNames.parse(f.before());
                    List<String> after = GroupNames.parse(f.after());
                    adds += GroupNames.minus(after, before).size();
                    removes += GroupNames.minus(before, after).size();
                });
                case MEMBER_ADD -> adds++;
                case MEMBER_REMOVE -> removes++;
                case GROUP_DELETE -> change.field("members").ifPresent(f -> deletedMemberships += Long.parseLong(f.before()));
                default -> {
                }
            }
        }

        PlanResult.GroupTotals result() {
            return new PlanResult.GroupTotals(adds, removes, deletedMemberships, managers);
        }
    }

    private List<PlanMessage> duplicateMessages(CsvRecord record, List<RowReader.KeyUse> uses,
                                                java.util.function.Function<String, String> written, DuplicateKeys duplicates) {
        List<PlanMessage> messages = new ArrayList<>();
        for (RowReader.KeyUse use : uses) {
            List<DuplicateKeys.Occurrence> others = duplicates.others(record.line(), use);
            if (!others.isEmpty()) {
                messages.add(PlanMessage.error(written.apply(use.column()), duplicateMessage(use, others)));
            }
        }
        return messages;
    }

    private List<PlannedChange> planChunk(List<CsvRecord> chunk, RowReader rows, ChangeDecider decider, UserRelations relations,
                                          DuplicateKeys duplicates) {
        List<RowInput> inputs = new ArrayList<>(chunk.size());
        Set<String> keys = new LinkedHashSet<>();
        Set<String> emails = new LinkedHashSet<>();
        Set<String> logins = new LinkedHashSet<>();
        // the addresses rows give users: none may be another user's username (both are sign-in names)
        Set<String> emailLogins = new LinkedHashSet<>();
        for (CsvRecord record : chunk) {
            RowInput input = rows.read(record);
            List<PlanMessage> messages = new ArrayList<>(input.messages());
            messages.addAll(duplicateMessages(record, rows.keyUses(record), rows::written, duplicates));
            input = new RowInput(input.line(), input.action(), input.key(), input.values(), input.newEmail(), messages,
                    input.sendInvite(), input.passwordHash(), input.originalCells());
            inputs.add(input);
            if (input.key() != null) {
                keys.add(input.key());
            }
            if (input.newEmail() != null) {
                emails.add(input.newEmail());
                emailLogins.add(input.newEmail().toLowerCase(Locale.ROOT));
            }
            String email = input.values().get(EMAIL);
            if (matchBy != MatchKey.EMAIL && email != null && !email.equals(RowReader.CLEAR)) {
                emails.add(email);
                emailLogins.add(email.toLowerCase(Locale.ROOT));
            }
            if (matchBy == MatchKey.EMAIL && input.key() != null
                    && (input.action() == RowAction.CREATE || input.action() == RowAction.UPSERT)) {
                emailLogins.add(input.key());
            }
            String username = input.values().get(USERNAME);
            if (matchBy != MatchKey.USERNAME && username != null && !username.equals(RowReader.CLEAR)) {
                logins.add(username.toLowerCase(Locale.ROOT));
            }
        }
        Map<String, UserSnapshot> byKey;
        Map<String, UserSnapshot> byEmail;
        if (matchBy == MatchKey.EMAIL) {
            emails.addAll(keys);
            byKey = emails.isEmpty() ? Map.of() : directory.findByEmails(emails);
            byEmail = byKey;
        } else {
            byKey = keys.isEmpty() ? Map.of() : directory.findByKeys(matchBy, keys);
            byEmail = emails.isEmpty() ? Map.of() : directory.findByEmails(emails);
        }
        Map<String, UserSnapshot> byLogin;
        if (matchBy == MatchKey.USERNAME) {
            emailLogins.removeAll(keys);
            byLogin = byKey;
            if (!emailLogins.isEmpty()) {
                byLogin = new HashMap<>(byKey);
                byLogin.putAll(directory.findByLogins(emailLogins));
            }
        } else {
            logins.addAll(emailLogins);
            byLogin = logins.isEmpty() ? Map.of() : directory.findByLogins(logins);
        }
        ChangeDecider.Found found = new ChangeDecider.Found(byKey, byEmail, byLogin);
        if (rows.hasGroupColumns() || rows.hasManagerColumn() || rows.hasDateColumns()) {
            List<UserSnapshot> targeted = new ArrayList<>();
            for (RowInput input : inputs) {
                UserSnapshot user = input.key() == null ? null : byKey.get(input.key());
                if (user != null) {
                    targeted.add(user);
                }
            }
            relations.loadChunk(targeted);
            decider.loadDates(targeted);
        }
        List<PlannedChange> changes = new ArrayList<>(inputs.size());
        for (RowInput input : inputs) {
            changes.add(decider.decide(input, found));
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
        String tail = switch (use.namespace()) {
            case 'm' -> "; each membership may appear only once in a file";
            case 'g' -> "; each group may appear only once in a file";
            default -> "; each user may appear only once in a file";
        };
        return text.append(tail).toString();
    }

}
