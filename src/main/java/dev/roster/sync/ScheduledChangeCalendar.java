package dev.roster.sync;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.directory.ScheduleSettings;
import dev.roster.directory.ScheduledChanges;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;

/** The calendar of dated changes (#26 item 4): what is pending by day, and an operator's cancel or move of one. */
@ApplicationScoped
public class ScheduledChangeCalendar {

    /** One dated change as the calendar, the user page and GET /api/scheduled-changes show it. */
    public record Entry(UUID id, UUID userId, String email, String kind, LocalDate dueOn, Instant dueAt, String status,
            UUID batchId, String batchFile, UUID runBatchId, String closedReason, String origin) {

        public String verb() {
            return switch (kind) {
                case "ACTIVATE" -> "activates";
                case "SUSPEND" -> "leaves (suspended at the end of the day)";
                default -> "is deleted (leaver policy; restorable for the delete retention)";
            };
        }
    }

    /** A day of the calendar with its counts. */
    public record Day(LocalDate day, long activations, long suspensions, long deletions, List<Entry> entries) {
    }

    private static final String SELECT = """
            SELECT s.id, s.user_id, u.email, s.kind, s.due_on, s.due_at, s.status, s.batch_id, b.file_name, s.run_batch_id,
                   s.closed_reason, s.origin
              FROM scheduled_change s JOIN directory_user u ON u.id = s.user_id LEFT JOIN batch b ON b.id = s.batch_id
            """;

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    Clock clock;
    @Inject
    ScheduleSettings settings;

    /** Changes by filter: status (default PENDING), kind (ACTIVATE/SUSPEND/DELETE), from/to due dates, a user; at most 1,000. */
    public List<Entry> list(String status, String kind, LocalDate from, LocalDate to, UUID userId) {
        String s = status == null || status.isBlank() ? "PENDING" : status.strip().toUpperCase();
        if (!List.of("PENDING", "DONE", "CANCELLED", "ALL").contains(s)) {
            throw new BadRequestException("Unknown status \"" + status + "\": use PENDING, DONE, CANCELLED or ALL.");
        }
        String k = kind == null || kind.isBlank() ? null : kind.strip().toUpperCase();
        if (k != null && !List.of("ACTIVATE", "SUSPEND", "DELETE").contains(k)) {
            throw new BadRequestException("Unknown kind \"" + kind + "\": use ACTIVATE, SUSPEND or DELETE.");
        }
        return jdbc.inTransaction(c -> Jdbc.list(c, SELECT + """
                 WHERE (? = 'ALL' OR s.status = ?) AND (?::text IS NULL OR s.kind = ?)
                   AND (?::date IS NULL OR s.due_on >= ?) AND (?::date IS NULL OR s.due_on <= ?) AND (?::uuid IS NULL OR s.user_id = ?)
                 ORDER BY s.due_at, lower(u.email) LIMIT 1000""", ScheduledChangeCalendar::entry, s, s, k, k, from, from, to, to, userId, userId));
    }

    /** The pending changes grouped by day, with counts. */
    public List<Day> days(String kind, LocalDate from, LocalDate to) {
        List<Day> days = new ArrayList<>();
        for (Entry e : list("PENDING", kind, from, to, null)) {
            if (days.isEmpty() || !days.get(days.size() - 1).day().equals(e.dueOn())) {
                days.add(new Day(e.dueOn(), 0, 0, 0, new ArrayList<>()));
            }
            Day d = days.remove(days.size() - 1);
            d.entries().add(e);
            days.add(new Day(d.day(), d.activations() + (e.kind().equals("ACTIVATE") ? 1 : 0),
                    d.suspensions() + (e.kind().equals("SUSPEND") ? 1 : 0), d.deletions() + (e.kind().equals("DELETE") ? 1 : 0),
                    d.entries()));
        }
        return days;
    }

    /** An operator cancels a pending change; audited on the user. */
    public void cancel(UUID id, Operator who) {
        jdbc.runInTransaction(c -> {
            Entry e = pending(c, id);
            ScheduledChanges.cancel(c, id, who.name(), clock.instant());
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.USER_UPDATED, e.userId(), e.email(), e.batchId(),
                    Map.of("scheduledChange", id.toString(), "cancelled", e.kind() + " on " + e.dueOn())));
        });
    }

    /** An operator moves a pending change to another day (today or later); audited on the user. */
    public void move(UUID id, LocalDate dueOn, Operator who) {
        if (dueOn == null) {
            throw new BadRequestException("Give the new date as YYYY-MM-DD.");
        }
        Instant now = clock.instant();
        if (dueOn.isBefore(LocalDate.ofInstant(now, settings.timeZone()))) {
            throw new BadRequestException("The new date " + dueOn + " has passed; choose today or a later day.");
        }
        jdbc.runInTransaction(c -> {
            Entry e = pending(c, id);
            ScheduledChanges.move(c, id, dueOn, settings.at(now));
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.USER_UPDATED, e.userId(), e.email(), e.batchId(),
                    Map.of("scheduledChange", id.toString(), "moved", e.kind() + " " + e.dueOn() + " -> " + dueOn)));
        });
    }

    private Entry pending(java.sql.Connection c, UUID id) throws java.sql.SQLException {
        Entry e = Jdbc.one(c, SELECT + " WHERE s.id = ? FOR UPDATE OF s", ScheduledChangeCalendar::entry, id)
                .orElseThrow(() -> new jakarta.ws.rs.NotFoundException("No scheduled change " + id + "."));
        if (!e.status().equals("PENDING")) {
            throw new ClientErrorException("The change is " + e.status() + " already; only a pending change can be changed.", 409);
        }
        return e;
    }

    private static Entry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Entry(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getObject(5, LocalDate.class), rs.getTimestamp(6).toInstant(), rs.getString(7), rs.getObject(8, UUID.class),
                rs.getString(9), rs.getObject(10, UUID.class), rs.getString(11), rs.getString(12));
    }
}
