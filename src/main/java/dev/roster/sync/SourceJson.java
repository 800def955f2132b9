package dev.roster.sync;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A source as the API shows it: never its credential, only whether one is set. */
public record SourceJson(UUID id, String name, String kind, String location, String schedule, String timeZone,
        boolean onNewFile, String format, String profile, String matchBy, String scope, String absent, boolean autoApply,
        Map<String, Number> limits, Map<String, Number> limitsPercent, double minRowsFraction, boolean paused,
        String authType, String username, boolean secretSet, Instant nextRun, RunJson lastRun, Instant createdAt,
        Instant updatedAt) {

    static SourceJson of(SyncSource s, Instant nextRun, SyncRun last) {
        return new SourceJson(s.id(), s.name(), s.kindName(), s.shownLocation(), s.schedule(), s.timeZone(), s.onNewFile(),
                s.format(), s.profile(), s.matchBy().name().toLowerCase(), s.scope(), s.absent().word(), s.autoApply(),
                limits(s.limits(), false), limits(s.limitsPercent(), true), s.minRowsFraction(), s.paused(),
                s.authType().name().toLowerCase(), s.username(), s.secretSet(), nextRun,
                last == null ? null : RunJson.of(last), s.createdAt(), s.updatedAt());
    }

    private static Map<String, Number> limits(SyncSource.Limits l, boolean percent) {
        Map<String, Number> m = new LinkedHashMap<>();
        put(m, "create", l.create(), percent);
        put(m, "update", l.update(), percent);
        put(m, "suspend", l.suspend(), percent);
        put(m, "delete", l.delete(), percent);
        return m;
    }

    private static void put(Map<String, Number> m, String key, Double value, boolean percent) {
        if (value != null) {
            m.put(key, percent ? value : (Number) Math.round(value));
        }
    }

    /** A run as the API shows it. */
    public record RunJson(UUID id, UUID sourceId, String status, String reason, String trigger, UUID batchId,
            String batchStatus, Instant startedAt, Instant finishedAt, Long durationMs, String fileName, Long fileSize,
            Instant fileModified, String sha256, Long rows, Map<String, Long> counts, String appliedBy) {

        static RunJson of(SyncRun r) {
            return new RunJson(r.id(), r.sourceId(), r.status().name(), r.reason(), r.trigger(), r.batchId(),
                    r.batchStatus(), r.startedAt(), r.finishedAt(), r.durationMillis(), r.fileName(), r.fileSize(),
                    r.fileModified(), r.sha256(), r.fileRows(), r.counts(), r.appliedBy());
        }
    }
}
