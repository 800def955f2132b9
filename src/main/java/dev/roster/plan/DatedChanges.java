package dev.roster.plan;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import static dev.roster.csv.ColumnNames.*;

/**
 * The start and end dates of a user row (#26, decision 0037): their fields before and after, a new user with a start
 * date ahead created suspended, and the notes that say what the plan schedules, moves or cancels ("activates on
 * 4 Jan 2027", "leaves on 31 Mar 2027 → 15 Apr 2027"). The apply stores the dates; the pending changes follow them.
 */
final class DatedChanges {

    /**
     * The columns handled here rather than as profile fields. The user's timezone (the zone the dates are in) is a
     * profile field of its own (decisions/0032); a row changing it moves the user's pending changes too.
     */
    static final Set<String> COLUMNS = Set.of(START_DATE, END_DATE);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);

    private final RowReader rows;
    private final DirectoryView directory;
    private final Schedule schedule;
    private Map<UUID, UserDates> chunkDates = Map.of();

    DatedChanges(RowReader rows, DirectoryView directory, Schedule schedule) {
        this.rows = rows;
        this.directory = directory;
        this.schedule = schedule;
    }

    /** Reads the current dates of a chunk's users, one set-based lookup, when the file has a date column. */
    void loadChunk(Collection<UserSnapshot> users) {
        if (!rows.hasDateColumns() || users.isEmpty()) {
            chunkDates = Map.of();
            return;
        }
        List<UUID> ids = new ArrayList<>(users.size());
        users.forEach(u -> ids.add(u.id()));
        chunkDates = directory.datesOf(ids);
    }

    /** Adds the date fields of a row creating (existing null) or updating a user, and the notes on what they schedule. */
    void addDiffs(RowInput row, UserSnapshot existing, List<FieldDiff> fields, List<PlanMessage> messages) {
        Map<String, String> values = row.values();
        if (!values.containsKey(START_DATE) && !values.containsKey(END_DATE) && !values.containsKey(TIMEZONE)) {
            return;
        }
        UserDates current = existing == null ? null : chunkDates.getOrDefault(existing.id(), new UserDates(null, null, null));
        String[] after = new String[3];
        int i = 0;
        for (String column : List.of(START_DATE, END_DATE)) {
            String before = current == null ? null : current.value(column);
            String value = values.containsKey(column) ? values.get(column) : before;
            after[i++] = RowReader.CLEAR.equals(value) ? null : value;
            if (!Objects.equals(before, after[i - 1])) {
                fields.add(new FieldDiff(column, before, after[i - 1]));
            }
        }
        LocalDate start = after[0] == null ? null : LocalDate.parse(after[0]);
        LocalDate end = after[1] == null ? null : LocalDate.parse(after[1]);
        if (start != null && end != null && end.isBefore(start)) {
            messages.add(PlanMessage.error(rows.written(END_DATE), "end_date " + after[1] + " is before start_date " + after[0]
                    + "; a user leaves on or after their first day"));
            return;
        }
        // the timezone field itself is the profile's (ChangeDecider); here it only says when the dates fall
        String zoneCell = values.containsKey(TIMEZONE) ? values.get(TIMEZONE) : current == null ? null : current.timeZone();
        String zone = RowReader.CLEAR.equals(zoneCell) ? null : zoneCell;
        boolean suspended = existing == null ? fields.stream().anyMatch(f -> f.name().equals(STATUS) && "SUSPENDED".equals(f.after()))
                : existing.status() == UserStatus.SUSPENDED && !"ACTIVE".equals(values.get(STATUS));
        if (start != null && schedule.activationAt(start, zone).isAfter(schedule.now())) {
            if (existing == null && !suspended) {
                fields.add(new FieldDiff(STATUS, null, "SUSPENDED"));
                suspended = true;
            }
            if (suspended) {
                messages.add(PlanMessage.note(rows.written(START_DATE), "activates on " + moved(current == null ? null
                        : current.startDate(), start) + (existing == null && row.sendInvite() && row.passwordHash() == null
                        ? "; the invitation goes out then" : "")));
            }
        } else if (current != null && current.startDate() != null && start == null && suspended) {
            messages.add(PlanMessage.note(rows.written(START_DATE), "the activation on " + DAY.format(current.startDate())
                    + " is cancelled"));
        }
        if (end != null && schedule.suspensionAt(end, zone).isAfter(schedule.now())) {
            LocalDate deleted = schedule.leaverDeletedOn(end);
            messages.add(PlanMessage.note(rows.written(END_DATE), "leaves on " + moved(current == null ? null : current.endDate(), end)
                    + (deleted == null ? "" : "; deleted on " + DAY.format(deleted) + " (leaver policy)")));
        } else if (end != null && values.containsKey(END_DATE)) {
            messages.add(PlanMessage.warning(rows.written(END_DATE), "end_date " + after[1] + " has passed: nothing is "
                    + "scheduled; write status SUSPENDED to suspend the user now"));
        } else if (current != null && current.endDate() != null && end == null) {
            messages.add(PlanMessage.note(rows.written(END_DATE), "the suspension on " + DAY.format(current.endDate())
                    + " is cancelled"));
        }
    }

    private static String moved(LocalDate before, LocalDate after) {
        return before == null || before.equals(after) ? DAY.format(after) : DAY.format(before) + " → " + DAY.format(after);
    }
}
