package dev.roster.batch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.batch.state.ApplyConflict;
import dev.roster.batch.state.Batch;

/** A batch as the API shows it. */
public record BatchJson(UUID id, String operation, String matchBy, String status, String fileName, String sha256,
        long size, long rows, Map<String, Long> summary, List<String> warnings, String error,
        Map<String, Long> progress, UUID createdBy, String createdByName, Instant createdAt, Instant plannedAt,
        UUID appliedBy, String appliedByName, Instant appliedAt, String failure, List<ApplyConflict> conflicts,
        UUID approvedBy, String approvedByName, Instant approvedAt, UUID revertsBatch, UUID revertedByBatch,
        Map<String, Object> sync, String sourceFormat, String sourceFormatId, String mappingProfile,
        List<Map<String, Object>> columns, List<Map<String, Object>> proposal, List<String> mappingProblems) {

    static BatchJson of(Batch b) {
        Map<String, Long> summary = new LinkedHashMap<>();
        summary.put("create", b.countCreate);
        summary.put("update", b.countUpdate);
        summary.put("delete", b.countDelete);
        summary.put("reset", b.countReset);
        summary.put("unchanged", b.countUnchanged);
        summary.put("error", b.countError);
        summary.put("warning", b.countWarning);
        summary.put("group_create", b.countGroupCreate);
        summary.put("group_update", b.countGroupUpdate);
        summary.put("group_delete", b.countGroupDelete);
        summary.put("membership_add", b.countMembershipAdd);
        summary.put("membership_remove", b.countMembershipRemove);
        summary.put("group_delete_members", b.countGroupDeleteMembers);
        summary.put("changes", b.changeCount());
        Map<String, Long> progress = new LinkedHashMap<>();
        progress.put("done", b.progressDone);
        progress.put("total", b.progressTotal);
        return new BatchJson(b.id, b.operation.name().toLowerCase(), b.matchBy.name().toLowerCase(), b.status.name(),
                b.fileName, b.sha256, b.sizeBytes, b.rows, summary, b.warnings == null ? List.of() : b.warnings,
                b.error, progress, b.createdBy, b.createdByName, b.createdAt, b.plannedAt, b.appliedBy, b.appliedByName,
                b.appliedAt, b.failure, b.conflicts == null ? List.of() : b.conflicts, b.approvedBy, b.approvedByName,
                b.approvedAt, b.revertsBatch, b.revertedByBatch, sync(b),
                b.sourceFormatLabel, b.sourceFormat, b.mappingProfile, b.columnMapping, b.mappingProposal, b.mappingProblems);
    }

    /** A sync batch's source, scope, absent policy and absent users; null for other operations. */
    private static Map<String, Object> sync(Batch b) {
        if (!b.isSync()) {
            return null;
        }
        Map<String, Object> sync = new LinkedHashMap<>();
        sync.put("sourceId", b.syncSourceId);
        sync.put("scope", b.syncScope);
        sync.put("absent", b.syncAbsent == null ? "leave" : b.syncAbsent.toLowerCase());
        sync.put("absentUsers", b.countAbsent);
        sync.put("scopeSize", b.syncScopeSize);
        return sync;
    }
}
