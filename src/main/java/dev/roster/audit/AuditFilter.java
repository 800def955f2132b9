package dev.roster.audit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.BadRequestException;

/**
 * What to show or download: a time range (from inclusive, to exclusive; a bare date for "to" means
 * the whole day), an actor (id, "system", or part of the name), an action (exact, or a family such as
 * "batch"), a batch, a target user (id) and a target email (exact, any case). Keeps the raw values
 * for re-showing the form and building links.
 */
public record AuditFilter(String fromText, String toText, String actorText, String actionText, String batchText,
        String userText, String emailText, Instant from, Instant to, UUID batch, UUID user, UUID group) {

    /** The actions whose details name a group; the same list as the partial index audit_event_group_idx (V18). */
    static final String GROUP_ACTIONS = "('group.created', 'group.updated', 'group.deleted', 'group.restored', "
            + "'membership.added', 'membership.removed')";

    /** A WHERE clause (never empty: "true" at least) with its positional parameters. */
    public record Sql(String where, List<Object> params) {
    }

    public static AuditFilter none() {
        return parse(null, null, null, null, null, null, null);
    }

    public static AuditFilter parse(String from, String to, String actor, String action, String batch, String user,
            String email) {
        return new AuditFilter(trim(from), trim(to), trim(actor), trim(action), trim(batch), trim(user), trim(email),
                instant(trim(from), false, "from"), instant(trim(to), true, "to"), uuid(trim(batch), "batch"),
                uuid(trim(user), "user"), null);
    }

    /** A group's history: its group and membership events (details.groupId), served by audit_event_group_idx. */
    public static AuditFilter ofGroup(UUID group) {
        AuditFilter none = none();
        return new AuditFilter(none.fromText, none.toText, none.actorText, none.actionText, none.batchText,
                none.userText, none.emailText, null, null, null, null, group);
    }

    public static AuditFilter ofUser(UUID user) {
        return parse(null, null, null, null, null, user.toString(), null);
    }

    public static AuditFilter ofBatch(UUID batch) {
        return parse(null, null, null, null, batch.toString(), null, null);
    }

    public Sql sql() {
        StringBuilder where = new StringBuilder("true");
        List<Object> params = new ArrayList<>();
        if (from != null) {
            where.append(" AND occurred_at >= ?");
            params.add(from.atOffset(ZoneOffset.UTC));
        }
        if (to != null) {
            where.append(" AND occurred_at < ?");
            params.add(to.atOffset(ZoneOffset.UTC));
        }
        if (!actorText.isEmpty()) {
            UUID actorId = tryUuid(actorText);
            if (actorId != null) {
                where.append(" AND actor_id = ?");
                params.add(actorId);
            } else if (actorText.equalsIgnoreCase(AuditActor.SYSTEM)) {
                where.append(" AND actor_kind = 'system'");
            } else {
                where.append(" AND lower(actor_name) LIKE ? ESCAPE '\\'");
                params.add("%" + escapeLike(actorText.toLowerCase(Locale.ROOT)) + "%");
            }
        }
        if (!actionText.isEmpty()) {
            if (actionText.contains(".")) {
                where.append(" AND action = ?");
                params.add(actionText);
            } else {
                where.append(" AND action LIKE ? ESCAPE '\\'");
                params.add(escapeLike(actionText) + ".%");
            }
        }
        if (batch != null) {
            where.append(" AND batch_id = ?");
            params.add(batch);
        }
        if (user != null) {
            where.append(" AND target_user_id = ?");
            params.add(user);
        }
        if (group != null) {
            where.append(" AND action IN ").append(GROUP_ACTIONS).append(" AND (details::jsonb ->> 'groupId') = ?");
            params.add(group.toString());
        }
        if (!emailText.isEmpty()) {
            where.append(" AND lower(target_email) = ?");
            params.add(emailText.toLowerCase(Locale.ROOT));
        }
        return new Sql(where.toString(), params);
    }

    /** The filter as query parameters (without leading ? or &), for links that keep it. */
    public String query() {
        StringBuilder q = new StringBuilder();
        asMap().forEach((k, v) -> q.append(q.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return q.toString();
    }

    /** The non-empty filter values, as recorded in audit.exported. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "from", fromText);
        put(m, "to", toText);
        put(m, "actor", actorText);
        put(m, "action", actionText);
        put(m, "batch", batchText);
        put(m, "user", userText);
        put(m, "email", emailText);
        return m;
    }

    /** The range part of a download's file name, e.g. 2026-11-01_2026-11-26 ("start" when open). */
    public String fileRange(Instant now) {
        String start = from == null ? "start" : LocalDate.ofInstant(from, ZoneOffset.UTC).toString();
        Instant end = to == null ? now : to.minusNanos(1000);
        return start + "_" + LocalDate.ofInstant(end, ZoneOffset.UTC);
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (!value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static String trim(String value) {
        return value == null ? "" : value.trim();
    }

    /** Accepts 2026-11-26, 2026-11-26T10:15 (a datetime-local input; UTC) or 2026-11-26T10:15:00Z. */
    static Instant instant(String value, boolean endOfDay, String name) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            if (value.endsWith("Z") || value.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(value).toInstant();
            }
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new BadRequestException("\"" + value + "\" is not a date or time for " + name
                    + ": use 2026-11-26, 2026-11-26T10:15 (UTC) or 2026-11-26T10:15:00Z.");
        }
    }

    private static UUID uuid(String value, String name) {
        if (value.isEmpty()) {
            return null;
        }
        UUID id = tryUuid(value);
        if (id == null) {
            throw new BadRequestException("\"" + value + "\" is not an id for " + name + ".");
        }
        return id;
    }

    private static UUID tryUuid(String value) {
        try {
            return value.length() == 36 ? UUID.fromString(value) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
