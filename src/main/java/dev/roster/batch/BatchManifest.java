package dev.roster.batch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.CurrentOperator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.batch.state.Batch;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

/**
 * A batch's manifest for an auditor: which file (name, SHA-256, size, rows), who uploaded,
 * approved and applied it, when, and the totals. Each download is itself an audit event.
 */
@ApplicationScoped
public class BatchManifest {

    @Inject
    BatchService batches;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;
    @Inject
    CurrentOperator operator;

    public Map<String, Object> of(Batch b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batchId", b.id);
        m.put("fileName", b.fileName);
        m.put("sha256", b.sha256);
        m.put("size", b.sizeBytes);
        m.put("rows", b.rows);
        m.put("operation", b.operation.name().toLowerCase());
        m.put("matchBy", b.matchBy.name().toLowerCase());
        m.put("status", b.status.name());
        m.put("sourceFormat", b.sourceFormatLabel);
        m.put("mappingProfile", b.mappingProfile);
        m.put("columns", b.columnMapping);
        m.put("uploader", person(b.createdBy, b.createdByName, b.createdAt));
        m.put("planned", b.plannedAt);
        m.put("approver", b.approvedAt == null ? null : person(b.approvedBy, b.approvedByName, b.approvedAt));
        m.put("applier", b.appliedAt == null && b.applyStartedAt == null ? null
                : person(b.appliedBy, b.appliedByName, b.applyStartedAt));
        m.put("applied", b.appliedAt);
        m.put("overrideReason", b.overrideReason);
        m.put("skippedErrors", b.skipErrors ? b.countError : 0);
        m.put("totals", BatchJson.of(b).summary());
        m.put("revertsBatch", b.revertsBatch);
        m.put("revertedByBatch", b.revertedByBatch);
        return m;
    }

    public Response download(UUID id) {
        Batch batch = batches.find(id);
        Map<String, Object> manifest = of(batch);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("format", "manifest");
        details.put("fileName", batch.fileName);
        jdbc.runInTransaction(c -> audit.record(c, operator.get().actor(),
                new AuditEventDraft(AuditAction.AUDIT_EXPORTED, null, null, id, details)));
        return Response.ok(manifest, "application/json")
                .header("Content-Disposition", "attachment; filename=\"batch-" + id + "-manifest.json\"").build();
    }

    private static Map<String, Object> person(UUID id, String name, Instant at) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("name", name);
        p.put("at", at);
        return p;
    }
}
