package dev.roster.batch.apply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.batch.state.ApplyConflict;

/**
 * Why an apply or an approval is refused: 409 (the batch's state, a stale plan), 403 (an API token or sync source approving) or 422 (confirmation,
 * errors, delete cap, four-eyes). {@link ApplyRefusedMapper} turns it into the page or the JSON answer.
 */
public class ApplyRefused extends RuntimeException {

    private final int status;
    private final UUID batchId;
    private final List<ApplyConflict> conflicts;

    public ApplyRefused(int status, UUID batchId, String message, List<ApplyConflict> conflicts) {
        super(message);
        this.status = status;
        this.batchId = batchId;
        this.conflicts = conflicts == null ? List.of() : conflicts;
    }

    static ApplyRefused conflict(UUID batchId, String message) {
        return new ApplyRefused(409, batchId, message, List.of());
    }

    static ApplyRefused forbidden(UUID batchId, String message) {
        return new ApplyRefused(403, batchId, message, List.of());
    }

    static ApplyRefused unprocessable(UUID batchId, String message) {
        return new ApplyRefused(422, batchId, message, List.of());
    }

    public int status() {
        return status;
    }

    public UUID batchId() {
        return batchId;
    }

    public List<ApplyConflict> conflicts() {
        return conflicts;
    }

    /** The JSON body the API has always answered: {status, error, conflicts}. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", getMessage());
        body.put("conflicts", conflicts);
        return body;
    }
}
