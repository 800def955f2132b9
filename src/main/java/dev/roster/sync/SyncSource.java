package dev.roster.sync;

import java.time.Instant;
import java.util.UUID;

import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.MatchKey;
import dev.roster.plan.SyncScope;

/**
 * A configured source of desired-state files (docs/sync.md). The credential of a URL source is never
 * part of this value: only whether one is set.
 *
 * @param scope "created" (the users this source created) or attr.&lt;name&gt;=&lt;value&gt;
 */
public record SyncSource(UUID id, String name, Kind kind, String location, String schedule, String timeZone,
        boolean onNewFile, String format, String profile, MatchKey matchBy, String scope, AbsentPolicy absent,
        boolean autoApply, Limits limits, Limits limitsPercent, double minRowsFraction, boolean paused, AuthType authType,
        String username, boolean secretSet, Instant createdAt, Instant updatedAt) {

    public enum Kind { DIRECTORY, URL }

    public enum AuthType { NONE, BEARER, BASIC }

    /** The scope word for "the users this source created". */
    public static final String CREATED = "created";

    /** Per-run maximums (counts, or percentages of the scope); null means no limit. */
    public record Limits(Double create, Double update, Double suspend, Double delete) {
        public static final Limits NONE = new Limits(null, null, null, null);
    }

    public SyncScope syncScope() {
        return CREATED.equals(scope) ? SyncScope.createdBy(id) : SyncScope.parse(scope);
    }

    public boolean scheduled() {
        return schedule != null && !schedule.isBlank();
    }

    /** The location as pages, the API, run reasons and mails show it: query values, user info and fragment hidden. */
    public String shownLocation() {
        return ShownLocation.of(location);
    }

    public String kindName() {
        return kind.name().toLowerCase();
    }
}
