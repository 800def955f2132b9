package dev.roster.sync;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.mail.TokenCipher;
import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.MatchKey;
import dev.roster.plan.SyncScope;
import dev.roster.sql.Jdbc;
import dev.roster.token.TokensRevoked;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/**
 * Sync sources: checked, stored, changed and removed with their audit events in the same transaction;
 * a URL source's credential encrypted under the mail token key (never in the database in clear, never
 * returned, never logged). Every change is handed to {@link SyncScheduler}.
 */
@ApplicationScoped
public class SyncSources {

    private static final String COLUMNS = """
            id, name, kind, location, schedule, time_zone, on_new_file, format, profile, match_by, scope, absent,
            auto_apply, limits::text, limits_percent::text, min_rows_fraction, paused, auth_kind, auth_username,
            auth_secret IS NOT NULL, created_at, updated_at""";
    /** Namespace of the lock that counts sources at creation (apply uses 7, sync runs 8, planning leases 9). */
    private static final int SOURCE_COUNT_LOCK = 10;
    private static final List<String> LIMIT_KEYS = List.of("create", "update", "suspend", "delete");

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    AuditTrail audit;
    @Inject
    TokenCipher cipher;
    @Inject
    SyncScheduler scheduler;
    @Inject
    SyncSettings settings;

    /** Dev mode only: creates the drop directory, so directory sources work out of the box (docs/sync.md). */
    void devDrop(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && settings.directoryRoot().isPresent()) {
            try {
                Files.createDirectories(Path.of(settings.directoryRoot().get().strip()));
            } catch (IOException | RuntimeException e) {
                Log.warnf("could not create the sync drop directory %s: %s", settings.directoryRoot().get(), e.getMessage());
            }
        }
    }

    public List<SyncSource> list() {
        return jdbc.list("SELECT " + COLUMNS + " FROM sync_source ORDER BY lower(name)", this::map);
    }

    public SyncSource find(UUID id) {
        return jdbc.one("SELECT " + COLUMNS + " FROM sync_source WHERE id = ?", this::map, id)
                .orElseThrow(() -> new NotFoundException("No sync source with id " + id + "."));
    }

    public Optional<SyncSource> findIfAny(UUID id) {
        return jdbc.one("SELECT " + COLUMNS + " FROM sync_source WHERE id = ?", this::map, id);
    }

    public UUID create(SourceInput in, Operator who) {
        UUID id = UUID.randomUUID();
        Checked c = check(in, id, null);
        try {
            jdbc.runInTransaction(conn -> {
                // Counted under a lock, so two saves at once cannot both take the last place.
                Jdbc.one(conn, "SELECT pg_advisory_xact_lock(?, 0)", rs -> 1, SOURCE_COUNT_LOCK);
                long count = Jdbc.one(conn, "SELECT count(*) FROM sync_source", rs -> rs.getLong(1)).orElse(0L);
                if (count >= settings.maxSources()) {
                    throw new ClientErrorException("The source was not saved: this server has " + count + " sources, the "
                            + "most it allows (roster.sync.max-sources = " + settings.maxSources() + "); remove a source "
                            + "you no longer need, or ask the administrator to raise the setting.", 409);
                }
                Jdbc.update(conn, """
                        INSERT INTO sync_source (id, name, kind, location, schedule, time_zone, on_new_file, format, profile,
                                                 match_by, scope, absent, auto_apply, limits, limits_percent,
                                                 min_rows_fraction, paused, auth_kind, auth_username, auth_secret,
                                                 created_by_name, updated_by, created_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        id, c.name, c.kind.name(), c.location, c.schedule, c.timeZone, c.onNewFile, c.format, c.profile,
                        c.matchBy.name(), c.scope, c.absent.name(), c.autoApply, c.limits, c.limitsPercent,
                        c.minRowsFraction, c.paused, c.authType.name(), c.username, c.secret, who.name(), who.id(), who.id());
                event(conn, who, AuditAction.SYNC_SOURCE_CREATED, id, c.name, null);
            });
        } catch (IllegalStateException e) {
            throw nameTaken(e, c.name);
        }
        scheduler.reconcile(find(id));
        return id;
    }

    public void update(UUID id, SourceInput in, Operator who) {
        SyncSource old = find(id);
        Checked c = check(in, id, old);
        try {
            jdbc.runInTransaction(conn -> {
                Jdbc.update(conn, """
                        UPDATE sync_source SET name = ?, kind = ?, location = ?, schedule = ?, time_zone = ?, on_new_file = ?,
                               format = ?, profile = ?, match_by = ?, scope = ?, absent = ?, auto_apply = ?,
                               limits = ?::jsonb, limits_percent = ?::jsonb, min_rows_fraction = ?, paused = ?,
                               auth_kind = ?, auth_username = ?, auth_secret = CASE WHEN ? THEN ? ELSE auth_secret END,
                               updated_at = now(), updated_by = ?
                         WHERE id = ?""",
                        c.name, c.kind.name(), c.location, c.schedule, c.timeZone, c.onNewFile, c.format, c.profile,
                        c.matchBy.name(), c.scope, c.absent.name(), c.autoApply, c.limits, c.limitsPercent,
                        c.minRowsFraction, c.paused, c.authType.name(), c.username, c.secretChanged, c.secret, who.id(), id);
                event(conn, who, AuditAction.SYNC_SOURCE_CHANGED, id, c.name, "settings");
            });
        } catch (IllegalStateException e) {
            throw nameTaken(e, c.name);
        }
        scheduler.reconcile(find(id));
    }

    /** Pauses or resumes a source (its schedule and its polling); a run in progress finishes. */
    public void pause(UUID id, boolean paused, Operator who) {
        SyncSource source = find(id);
        jdbc.runInTransaction(conn -> {
            Jdbc.update(conn, "UPDATE sync_source SET paused = ?, updated_at = now() WHERE id = ?", paused, id);
            event(conn, who, AuditAction.SYNC_SOURCE_CHANGED, id, source.name(), paused ? "paused" : "resumed");
        });
        scheduler.reconcile(find(id));
    }

    /**
     * Revoked tokens stop what they configured: every source a revoked token created or last changed is paused, in
     * the revoking transaction, with a sync.source-changed event; its schedule is withdrawn once that commits.
     */
    void pauseWhatTokensConfigured(@Observes TokensRevoked revoked) {
        try {
            Connection c = revoked.connection();
            UUID[] ids = revoked.tokenIds().toArray(UUID[]::new);
            List<Map<String, Object>> paused = Jdbc.list(c, """
                    UPDATE sync_source SET paused = true, updated_at = now()
                     WHERE NOT paused AND (created_by = ANY (?) OR updated_by = ANY (?))
                    RETURNING id, name""", rs -> Map.of("id", rs.getObject(1, UUID.class), "name", rs.getString(2)),
                    c.createArrayOf("uuid", ids), c.createArrayOf("uuid", ids));
            for (Map<String, Object> source : paused) {
                UUID id = (UUID) source.get("id");
                event(c, revoked.who(), AuditAction.SYNC_SOURCE_CHANGED, id, (String) source.get("name"),
                        "paused: the API token that configured it was revoked");
                revoked.afterCommit().add(() -> findIfAny(id).ifPresent(scheduler::reconcile));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not pause the sources of revoked tokens: " + e.getMessage(), e);
        }
    }

    /** Removes a source and its run history; its batches and the users it created stay. */
    public void delete(UUID id, Operator who) {
        SyncSource source = find(id);
        jdbc.runInTransaction(conn -> {
            Jdbc.update(conn, "DELETE FROM sync_source WHERE id = ?", id);
            event(conn, who, AuditAction.SYNC_SOURCE_DELETED, id, source.name(), null);
        });
        scheduler.forget(id);
    }

    /** The clear credential of a URL source, for its fetch only. */
    Optional<String> secret(UUID id) {
        return jdbc.one("SELECT auth_secret FROM sync_source WHERE id = ? AND auth_secret IS NOT NULL",
                rs -> rs.getString(1), id).flatMap(s -> cipher.decrypt(id, Base64.getDecoder().decode(s)));
    }

    private void event(Connection c, Operator who, String action, UUID id, String name, String change) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sourceId", id.toString());
        details.put("name", name);
        if (change != null) {
            details.put("change", change);
        }
        audit.record(c, who.actor(), new AuditEventDraft(action, null, null, null, details));
    }

    private static RuntimeException nameTaken(IllegalStateException e, String name) {
        if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
            return new ClientErrorException("A source named \"" + name + "\" exists already; choose another name.", 409);
        }
        return e;
    }

    /** A source's settings, checked and in stored form. */
    private record Checked(String name, SyncSource.Kind kind, String location, String schedule, String timeZone,
            boolean onNewFile, String format, String profile, MatchKey matchBy, String scope, AbsentPolicy absent,
            boolean autoApply, String limits, String limitsPercent, double minRowsFraction, boolean paused,
            SyncSource.AuthType authType, String username, boolean secretChanged, String secret) {
    }

    /** Checks every field, saying all that is wrong at once; {@code old} is null for a new source. */
    private Checked check(SourceInput in, UUID id, SyncSource old) {
        if (in == null) {
            throw new BadRequestException("Send the source as JSON: name, kind, location, schedule, matchBy, scope, absent, "
                    + "autoApply, limits, limitsPercent.");
        }
        List<String> problems = new ArrayList<>();
        String name = in.name() == null ? "" : in.name().strip();
        if (name.isEmpty() || name.length() > 100) {
            problems.add("name: give the source a name of 1 to 100 characters");
        }
        SyncSource.Kind kind = parse(SyncSource.Kind.class, in.kind(), "kind", "directory or url", problems);
        String location = in.location() == null ? "" : in.location().strip();
        if (old != null && !location.equals(old.location()) && location.equals(old.shownLocation())) {
            location = old.location(); // the masked form pages and the API show, sent back unchanged: the address stays
        }
        if (kind == SyncSource.Kind.DIRECTORY) {
            checkDirectory(location, problems);
        } else if (kind == SyncSource.Kind.URL) {
            checkUrl(location, problems);
        }
        String schedule = in.schedule() == null ? "" : in.schedule().strip();
        if (!schedule.isEmpty()) {
            try {
                SyncCron.quartz(schedule);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        String timeZone = in.timeZone() == null || in.timeZone().isBlank() ? "UTC" : in.timeZone().strip();
        boolean zoneKnown = true;
        try {
            ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            zoneKnown = false;
            problems.add("timeZone: \"" + timeZone + "\" is not a time zone; use a name such as Europe/Berlin or UTC");
        }
        if (!schedule.isEmpty() && zoneKnown && problems.stream().noneMatch(p -> p.startsWith("schedule"))) {
            checkInterval(schedule, timeZone, problems);
        }
        String format = in.format() == null || in.format().isBlank() ? "roster" : in.format().strip().toLowerCase(Locale.ROOT);
        if (!format.equals("roster")) {
            problems.add("format: only \"roster\" (Roster's own CSV format) is read for now; name a vendor template or "
                    + "mapping profile in \"profile\", it is kept for when they can be used");
        }
        String profile = in.profile() == null || in.profile().isBlank() ? null : in.profile().strip();
        MatchKey matchBy = MatchKey.parse(in.matchBy());
        if (matchBy == null) {
            matchBy = MatchKey.EMAIL;
            problems.add("matchBy: use " + MatchKey.WORDS);
        }
        String scope = in.scope() == null ? "" : in.scope().strip();
        if (scope.equalsIgnoreCase(SyncSource.CREATED)) {
            scope = SyncSource.CREATED;
        } else {
            try {
                scope = SyncScope.parse(scope).stored();
            } catch (IllegalArgumentException e) {
                problems.add("scope: write \"created\" (the users this source created) or attr.<name>=<value> "
                        + "(e.g. attr.source=workday)");
            }
        }
        AbsentPolicy absent = AbsentPolicy.LEAVE;
        try {
            absent = AbsentPolicy.parse(in.absent());
        } catch (IllegalArgumentException e) {
            problems.add("absent: use leave, suspend or delete");
        }
        String limits = limits(in.limits(), "limits", false, problems);
        String limitsPercent = limits(in.limitsPercent(), "limitsPercent", true, problems);
        if (Boolean.TRUE.equals(in.autoApply())) {
            List<String> unlimited = LIMIT_KEYS.stream().filter(k -> !limited(in.limits(), k) && !limited(in.limitsPercent(), k))
                    .toList();
            if (!unlimited.isEmpty()) {
                problems.add("autoApply: a source that applies on its own needs every limit set, as a count (limits) or "
                        + "a percentage (limitsPercent); set " + String.join(", ", unlimited)
                        + " (0 allows none of them), or leave autoApply off so every run waits for an operator");
            }
        }
        double fraction = in.minRowsFraction() == null ? 0.5 : in.minRowsFraction();
        if (fraction < 0 || fraction > 1 || Double.isNaN(fraction)) {
            problems.add("minRowsFraction: a number from 0 to 1 (0.5 refuses a file with less than half the rows of "
                    + "the last one)");
        }
        SyncSource.AuthType authType = in.authType() == null || in.authType().isBlank() ? SyncSource.AuthType.NONE
                : parse(SyncSource.AuthType.class, in.authType(), "authType", "none, bearer or basic", problems);
        if (authType == null) {
            authType = SyncSource.AuthType.NONE;
        }
        String username = in.username() == null || in.username().isBlank() ? null : in.username().strip();
        String clear = authType == SyncSource.AuthType.BEARER ? in.token() : authType == SyncSource.AuthType.BASIC ? in.password() : null;
        boolean secretChanged = true;
        String secret = null;
        if (authType != SyncSource.AuthType.NONE) {
            if (kind == SyncSource.Kind.DIRECTORY) {
                problems.add("authType: credentials are for URL sources only");
            }
            if (authType == SyncSource.AuthType.BASIC && username == null) {
                problems.add("username: basic credentials need a user name");
            }
            if (clear == null || clear.isEmpty()) {
                boolean kept = old != null && old.secretSet() && old.authType() == authType;
                boolean sameAddress = old != null && old.kind() == kind && old.location().equals(location);
                if (kept && sameAddress) {
                    secretChanged = false;
                } else if (kept) {
                    // Never send a stored credential to an address it was not given for (docs/security.md).
                    problems.add((authType == SyncSource.AuthType.BEARER ? "token" : "password") + ": the location "
                            + "changed, so the stored " + (authType == SyncSource.AuthType.BEARER ? "token" : "password")
                            + " is not sent to the new address; type it again (or choose no credentials)");
                } else {
                    problems.add(authType == SyncSource.AuthType.BEARER ? "token: give the bearer token"
                            : "password: give the password");
                }
            } else {
                secret = Base64.getEncoder().encodeToString(cipher.encrypt(id, clear));
            }
        } else {
            username = null;
        }
        if (!problems.isEmpty()) {
            throw new BadRequestException("The source was not saved: " + String.join("; ", problems) + ".");
        }
        return new Checked(name, kind, location, schedule, timeZone, Boolean.TRUE.equals(in.onNewFile()), format, profile,
                matchBy, scope, absent, Boolean.TRUE.equals(in.autoApply()), limits, limitsPercent, fraction,
                Boolean.TRUE.equals(in.paused()), authType, username, secretChanged, secret);
    }

    /** A schedule may not fire more often than roster.sync.min-interval (each run may fetch a URL and plan a file). */
    private void checkInterval(String schedule, String timeZone, List<String> problems) {
        Duration gap = SyncCron.shortestGap(schedule, timeZone, Instant.now());
        Duration min = settings.minInterval();
        if (gap != null && gap.compareTo(min) < 0) {
            problems.add("schedule \"" + schedule + "\" runs " + human(gap) + " after the run before, more often than "
                    + "the shortest interval this server allows, " + human(min) + " (roster.sync.min-interval); choose "
                    + "a schedule such as \"*/" + Math.max(5, min.toMinutes()) + " * * * *\" or \"0 * * * *\" (every hour), "
                    + "or run on new files");
        }
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? s / 60 + (s == 60 ? " minute" : " minutes") : s + (s == 1 ? " second" : " seconds");
    }

    private void checkDirectory(String location, List<String> problems) {
        Path root;
        try {
            root = SourceFetcher.realRoot(settings.directoryRoot());
        } catch (SourceFetcher.OutsideRoot e) {
            problems.add("kind: " + e.getMessage() + "; use a URL source instead");
            return;
        }
        Path dir;
        try {
            dir = Path.of(location);
        } catch (RuntimeException e) {
            problems.add("location: \"" + location + "\" is not a path");
            return;
        }
        if (location.isEmpty() || !dir.isAbsolute()) {
            problems.add("location: give the absolute path of the directory the exports are written to");
        } else if (!dir.normalize().startsWith(root) && !dir.normalize().startsWith(Path.of(settings.directoryRoot().get().strip())
                .toAbsolutePath().normalize())) {
            // Said before looking at the path, so the form does not tell which directories exist elsewhere.
            problems.add("location: " + location + " is outside " + SourceFetcher.ROOT_SETTING + " (" + root
                    + "); directory sources read only inside it");
        } else if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            problems.add("location: " + location + " is not a directory Roster can read on this server; create it, "
                    + "or give Roster's user read access");
        } else if (!SourceFetcher.inside(dir, root)) {
            problems.add("location: " + location + " leads out of " + SourceFetcher.ROOT_SETTING + " (" + root
                    + ") through a symbolic link; directory sources read only inside it");
        }
    }

    static void checkUrl(String location, List<String> problems) {
        try {
            URI uri = new URI(location);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                problems.add("location: give the full URL of the export, starting with https://");
            } else if (uri.getRawUserInfo() != null) {
                problems.add("location: leave the user name and password out of the URL (user:password@host): they would "
                        + "be stored and shown in clear; use authType basic with username and password");
            } else if (secretInQuery(uri) != null) {
                problems.add("location: the URL carries a secret in its query string (" + secretInQuery(uri) + "=...): "
                        + "it would be shown to viewers on the source's page and in run reasons and mails; give it as the "
                        + "source's bearer token or basic password instead (a pre-signed URL expires, so it cannot serve a "
                        + "standing source anyway)");
            } else if (scheme.equals("http") && !SourceFetcher.isLoopback(uri.getHost())) {
                problems.add("location: use https:// (plain http is allowed only for localhost): the export and its "
                        + "credentials would cross the network in clear");
            }
        } catch (java.net.URISyntaxException e) {
            problems.add("location: \"" + location + "\" is not a URL (" + e.getReason() + ")");
        }
    }

    /** Query parameter names that carry a credential (compared without case, "-" and "_"). */
    private static final List<String> SECRET_PARAMETERS = List.of("token", "secret", "password", "passwd", "pwd", "apikey",
            "signature", "credential", "auth", "session");
    private static final List<String> SECRET_PARAMETERS_EXACT = List.of("key", "sig", "code", "pass", "pw", "hash");

    /** The first query parameter of the URL whose name says it carries a credential, or null. */
    static String secretInQuery(URI uri) {
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8);
            String n = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            if (SECRET_PARAMETERS_EXACT.contains(n) || SECRET_PARAMETERS.stream().anyMatch(n::contains)) {
                return name;
            }
        }
        return null;
    }

    private String limits(Map<String, Number> given, String field, boolean percent, List<String> problems) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (given != null) {
            for (Map.Entry<String, Number> e : given.entrySet()) {
                if (!LIMIT_KEYS.contains(e.getKey())) {
                    problems.add(field + ": unknown key \"" + e.getKey() + "\"; use create, update, suspend, delete");
                    continue;
                }
                if (e.getValue() == null) {
                    continue;
                }
                double v = e.getValue().doubleValue();
                if (v < 0 || Double.isNaN(v) || (percent && v > 100)) {
                    problems.add(field + "." + e.getKey() + ": " + (percent ? "a percentage from 0 to 100" : "a count of 0 or more"));
                    continue;
                }
                out.put(e.getKey(), v);
            }
        }
        try {
            return json.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean limited(Map<String, Number> given, String key) {
        return given != null && given.get(key) != null;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String field, String valid, List<String> problems) {
        if (value != null) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(value.strip())) {
                    return e;
                }
            }
        }
        problems.add(field + ": use " + valid);
        return null;
    }

    private SyncSource map(ResultSet rs) throws SQLException {
        return new SyncSource(rs.getObject(1, UUID.class), rs.getString(2), SyncSource.Kind.valueOf(rs.getString(3)),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getBoolean(7), rs.getString(8), rs.getString(9),
                MatchKey.valueOf(rs.getString(10)), rs.getString(11), AbsentPolicy.valueOf(rs.getString(12)),
                rs.getBoolean(13), readLimits(rs.getString(14)), readLimits(rs.getString(15)), rs.getDouble(16),
                rs.getBoolean(17), SyncSource.AuthType.valueOf(rs.getString(18)), rs.getString(19), rs.getBoolean(20),
                instant(rs, 21), instant(rs, 22));
    }

    private SyncSource.Limits readLimits(String text) {
        try {
            Map<?, ?> m = json.readValue(text, Map.class);
            return new SyncSource.Limits(num(m.get("create")), num(m.get("update")), num(m.get("suspend")), num(m.get("delete")));
        } catch (JsonProcessingException e) {
            return SyncSource.Limits.NONE;
        }
    }

    private static Double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
