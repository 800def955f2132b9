package dev.roster.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One run of a source, as recorded.
 *
 * @param counts      create, update, suspend, delete, unchanged, error of its plan (empty before one)
 * @param appliedBy   "automatic", the operator who applied a held run's batch, or null
 * @param batchStatus the batch's status now (a held batch may have been applied or discarded since)
 */
public record SyncRun(UUID id, UUID sourceId, Status status, String reason, String trigger, UUID batchId,
        Instant startedAt, Instant finishedAt, String fileName, Long fileSize, Instant fileModified, String sha256,
        Long fileRows, Map<String, Long> counts, String appliedBy, String batchStatus) {

    public enum Status { RUNNING, APPLIED, HELD, SKIPPED, REFUSED, FAILED, NO_CHANGES }

    /** What started a run. */
    public static final String SCHEDULE = "schedule";
    public static final String NEW_FILE = "new-file";
    public static final String MANUAL = "manual";

    public Long durationMillis() {
        return finishedAt == null ? null : Duration.between(startedAt, finishedAt).toMillis();
    }

    public long count(String key) {
        Long n = counts == null ? null : counts.get(key);
        return n == null ? 0 : n;
    }

    /** For pages: a CSS class per status. */
    public String tone() {
        return switch (status) {
            case APPLIED, NO_CHANGES -> "ok";
            case HELD, SKIPPED, RUNNING -> "warn";
            case REFUSED, FAILED -> "bad";
        };
    }
}
