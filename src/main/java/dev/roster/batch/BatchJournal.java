package dev.roster.batch;

import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Records what happens to a batch outside an apply (upload, plan, refusal, discard) in the audit trail. */
@ApplicationScoped
public class BatchJournal {

    @Inject
    AuditTrail audit;

    /** Writes the event in its own transaction; the actor is the admin of the request, or system in the background. */
    public void record(String action, UUID batchId, Map<String, Object> details) {
        audit.record(audit.currentActor(), new AuditEventDraft(action, null, null, batchId, details));
    }
}
