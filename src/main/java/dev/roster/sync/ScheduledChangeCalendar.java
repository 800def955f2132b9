package dev.roster.sync;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** The most changes one answer (API or page) holds; the rest is paged. */
    public static final int MAX_LIMIT = 1000;
    /** Changes per calendar page. */
    public static final int PAGE_SIZE = 200;

    /** The filter of a listing, checked: status (default PENDING, or DONE, CANCELLED, ALL), kind, due dates, a user. */
    public record Filter(String status, String kind, LocalDate from, LocalDate to, UUID userId) {

        public static Filter of(String status, String kind, LocalDate from, LocalDate to, UUID userId) {
            String s = status == null || status.isBlank() ? "PENDING" : status.strip().toUpperCase();
            if (!List.of("PENDING", "DONE", "CANCELLED", "ALL").contains(s)) {
                throw new BadRequestException("Unknown status \"" + status + "\": use PENDING, DONE, CANCELLED or ALL.");
            }
            String k = kind == null || kind.isBlank() ? null : kind.strip().toUpperCase();
            if (k != null && !List.of("ACTIVATE", "SUSPEND", "DELETE").contains(k)) {
                throw new BadRequestException("Unknown kind \"" + kind + "\": use ACTIVATE, SUSPEND or DELETE.");
            }
            return new Filter(s, k, from, to, userId);
        }

        Object[] args() {
            return new Object[] { status, status, kind, kind, from, from, to, to, userId, userId };
        }
    }

    private static final String WHERE = """
             WHERE (? = 'ALL' OR s.status = ?) AND (?::text IS NULL OR s.kind = ?)
               AND (?::date IS NULL OR s.due_on >= ?) AND (?::date IS NULL OR s.due_on <= ?) AND (?::uuid IS NULL OR s.user_id = ?)
            """;

    /** One page of a listing: the changes from offset, and how many match in all. */
    public record Page(List<Entry> entries, long total, int offset, int limit) {

        /** The offset of the next page, or -1 on the last. */
        public int nextOffset() {
            return offset + entries.size() < total ? offset + entries.size() : -1;
        }

        public int previousOffset() {
            return offset == 0 ? -1 : Math.max(0, offset - limit);
        }
    }

    /** Changes by filter, in due order, limit (1 to 1,000) from offset, with the total count. */
    public Page list(Filter filter, int limit, int offset) {
        if (limit < 1 || limit > MAX_LIMIT || offset < 0) {
            throw new BadRequestException("limit is 1 to " + MAX_LIMIT + " and offset 0 or more.");
        }
        Object[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(filter.args()), java.util.stream.Stream.of(limit, offset))
                .toArray();
        return jdbc.snapshot(c -> new Page(Jdbc.list(c, SELECT + WHERE + " ORDER BY s.due_at, lower(u.email), s.id LIMIT ? OFFSET ?",
                ScheduledChangeCalendar::entry, args), Jdbc.one(c, "SELECT count(*) FROM scheduled_change s" + WHERE,
                        rs -> rs.getLong(1), filter.args()).orElse(0L), offset, limit));
    }

    /** The calendar's page: pending changes by day from offset, each day with its counts (over the whole day). */
    public record Days(List<Day> days, Page page) {
    }

    /** The pending changes grouped by day, one page of them; a day cut by the page keeps its whole-day counts. */
    public Days days(String kind, LocalDate from, LocalDate to, int offset) {
        Filter filter = Filter.of("PENDING", kind, from, to, null);
        Page page = list(filter, PAGE_SIZE, offset);
        if (page.entries().isEmpty()) {
            return new Days(List.of(), page);
        }
        LocalDate first = page.entries().get(0).dueOn();
        LocalDate last = page.entries().get(page.entries().size() - 1).dueOn();
        Map<LocalDate, long[]> counts = new java.util.HashMap<>();
        Filter shown = new Filter(filter.status(), filter.kind(), first, last, null);
        jdbc.readOnly(c -> Jdbc.list(c, "SELECT s.due_on, count(*) FILTER (WHERE s.kind = 'ACTIVATE'), "
                + "count(*) FILTER (WHERE s.kind = 'SUSPEND'), count(*) FILTER (WHERE s.kind = 'DELETE') FROM scheduled_change s"
                + WHERE + " GROUP BY s.due_on",
                rs -> counts.put(rs.getObject(1, LocalDate.class), new long[] { rs.getLong(2), rs.getLong(3), rs.getLong(4) }),
                shown.args()));
        List<Day> days = new ArrayList<>();
        for (Entry e : page.entries()) {
            if (days.isEmpty() || !days.get(days.size() - 1).day().equals(e.dueOn())) {
                long[] n = counts.getOrDefault(e.dueOn(), new long[3]);
                days.add(new Day(e.dueOn(), n[0], n[1], n[2], new ArrayList<>()));
            }
            days.get(days.size() - 1).entries().add(e);
        }
        return new Days(days, page);
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

    /**
     * An operator moves a pending change to another day, today or later in the user's own zone (the organisation's
     * when they have none: the day the change falls on is theirs); audited on the user.
     */
    public void move(UUID id, LocalDate dueOn, Operator who) {
        if (dueOn == null) {
            throw new BadRequestException("Give the new date as YYYY-MM-DD.");
        }
        Instant now = clock.instant();
        jdbc.runInTransaction(c -> {
            Entry e = pending(c, id);
            ZoneId zone = zoneOf(c, e.userId());
            LocalDate today = LocalDate.ofInstant(now, zone);
            if (dueOn.isBefore(today)) {
                throw new BadRequestException("The new date " + dueOn + " has passed for " + e.email() + " (today is "
                        + today + " in " + zone.getId() + "); choose today or a later day.");
            }
            ScheduledChanges.move(c, id, dueOn, settings.at(now));
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.USER_UPDATED, e.userId(), e.email(), e.batchId(),
                    Map.of("scheduledChange", id.toString(), "moved", e.kind() + " " + e.dueOn() + " -> " + dueOn)));
        });
    }

    /** The user's zone, or the organisation's when they have none (or one Java cannot read). */
    private ZoneId zoneOf(java.sql.Connection c, UUID userId) throws java.sql.SQLException {
        Optional<String> own = Jdbc.one(c, "SELECT timezone FROM directory_user WHERE id = ? AND timezone IS NOT NULL",
                rs -> rs.getString(1), userId);
        try {
            return own.map(ZoneId::of).orElse(settings.timeZone());
        } catch (DateTimeException e) {
            return settings.timeZone();
        }
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
