package dev.roster.batch;

import java.util.Map;
import java.util.UUID;

import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

/** Records what happens to batches in the audit trail. */
@ApplicationScoped
public class BatchJournal {

    public void record(String action, UUID batchId, Map<String, Object> details) {
        Log.infof("%s batch %s %s", action, batchId, details);
    }
}
