package dev.roster.batch.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.ws.rs.NotFoundException;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One uploaded file for one operation, with its plan's totals and its status. */
@Entity
@Table(name = "batch")
public class Batch extends PanacheEntityBase {

    @Id
    public UUID id;
    @Enumerated(EnumType.STRING)
    public Operation operation;
    @Enumerated(EnumType.STRING)
    @Column(name = "match_by")
    public MatchKey matchBy;
    @Enumerated(EnumType.STRING)
    public BatchStatus status;
    @Column(name = "file_name")
    public String fileName;
    public String sha256;
    @Column(name = "size_bytes")
    public long sizeBytes;
    @Column(name = "row_count")
    public long rows;
    @Column(name = "count_create")
    public long countCreate;
    @Column(name = "count_update")
    public long countUpdate;
    @Column(name = "count_delete")
    public long countDelete;
    @Column(name = "count_reset")
    public long countReset;
    @Column(name = "count_unchanged")
    public long countUnchanged;
    @Column(name = "count_error")
    public long countError;
    @Column(name = "count_warning")
    public long countWarning;
    /** The upload asked to create the groups its rows name but the directory lacks. */
    @Column(name = "create_groups")
    public boolean createGroups;
    @Column(name = "count_group_create")
    public long countGroupCreate;
    @Column(name = "count_group_update")
    public long countGroupUpdate;
    @Column(name = "count_group_delete")
    public long countGroupDelete;
    /** Rows of a membership file that add or remove a membership. */
    @Column(name = "count_member_rows")
    public long countMemberRows;
    /** Memberships added, by user rows' groups and by membership rows. */
    @Column(name = "count_membership_add")
    public long countMembershipAdd;
    @Column(name = "count_membership_remove")
    public long countMembershipRemove;
    /** Memberships of the groups this batch deletes: typed at confirm. */
    @Column(name = "count_group_delete_members")
    public long countGroupDeleteMembers;
    /** User rows that set or clear a manager (the apply skips the manager statement without them). */
    @Column(name = "count_manager_change")
    public long countManagerChange;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> warnings = new ArrayList<>();
    public String error;
    @Column(name = "progress_done")
    public long progressDone;
    @Column(name = "progress_total")
    public long progressTotal;
    @Column(name = "planning_heartbeat")
    public Instant planningHeartbeat;
    @Column(name = "planning_attempts")
    public int planningAttempts;
    @Column(name = "created_by")
    public UUID createdBy;
    @Column(name = "created_by_name")
    public String createdByName;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "planned_at")
    public Instant plannedAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "applied_by")
    public UUID appliedBy;
    @Column(name = "applied_by_name")
    public String appliedByName;
    @Column(name = "apply_started_at")
    public Instant applyStartedAt;
    @Column(name = "applied_at")
    public Instant appliedAt;
    @Column(name = "skip_errors")
    public boolean skipErrors;
    @Column(name = "override_reason")
    public String overrideReason;
    public String failure;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<ApplyConflict> conflicts = new ArrayList<>();
    @Column(name = "approved_by")
    public UUID approvedBy;
    @Column(name = "approved_by_name")
    public String approvedByName;
    @Column(name = "approved_at")
    public Instant approvedAt;
    @Column(name = "reverts_batch")
    public UUID revertsBatch;
    @Column(name = "reverted_by_batch")
    public UUID revertedByBatch;
    @Column(name = "replans_batch")
    public UUID replansBatch;
    /** A sync batch: the source it came from (null for a hand upload without one). */
    @Column(name = "sync_source_id")
    public UUID syncSourceId;
    /** A sync batch: the scope it owns (plan/SyncScope's stored form), null when absent users are left alone. */
    @Column(name = "sync_scope")
    public String syncScope;
    @Column(name = "sync_absent")
    public String syncAbsent;
    /** A sync batch: users in its scope absent from the file (among the updates or deletes). */
    @Column(name = "count_absent")
    public long countAbsent;
    /** False for a sync run's batch that changed nothing or was refused: kept, but not on the Batches list. */
    public boolean listed = true;
    /** A sync batch: users in its scope (not deleted) when it was planned. */
    @Column(name = "sync_scope_size")
    public Long syncScopeSize;
    @Column(name = "source_format")
    public String sourceFormat;
    @Column(name = "source_format_label")
    public String sourceFormatLabel;
    /** What every column became: [{index, column, target, reason}]. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "column_mapping")
    public List<java.util.Map<String, Object>> columnMapping;
    @Column(name = "mapping_profile")
    public String mappingProfile;
    @Column(name = "mapping_profile_id")
    public UUID mappingProfileId;
    /** Roster's proposal for a header it could not place: [{index, column, target, reason}]. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "mapping_proposal")
    public List<java.util.Map<String, Object>> mappingProposal;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "mapping_problems")
    public List<String> mappingProblems;

    // What pages and services ask instead of comparing status names (BatchTransitions changes the status).

    public boolean planning() {
        return status == BatchStatus.PLANNING;
    }

    public boolean applying() {
        return status == BatchStatus.APPLYING;
    }

    /** Planning or applying: a background job is working on it, the page polls. */
    public boolean busy() {
        return planning() || applying();
    }

    public boolean planned() {
        return status == BatchStatus.PLANNED;
    }

    public boolean rejected() {
        return status == BatchStatus.REJECTED;
    }

    public boolean applied() {
        return status == BatchStatus.APPLIED;
    }

    public boolean failed() {
        return status == BatchStatus.FAILED;
    }

    /** Waiting for an admin to map the columns Roster could not place. */
    public boolean needsMapping() {
        return status == BatchStatus.NEEDS_MAPPING;
    }

    /** It has a plan to show (totals, diff, downloads). */
    public boolean hasPlan() {
        return !planning() && !rejected() && !needsMapping();
    }

    /** Read through a mapping profile chosen automatically or by the uploader. */
    public boolean mappedByProfile() {
        return mappingProfile != null;
    }

    /** An apply may be asked for: planned, or failed (nothing of a failed apply was kept). */
    public boolean applyable() {
        return planned() || failed();
    }

    /** The stored file may be planned again as a new batch. */
    public boolean isReplannable() {
        return !isRevert() && applyable();
    }

    /** Applied or applying: its e-mails exist. */
    public boolean mailed() {
        return applied() || applying();
    }

    /** A refused apply left stale rows to show. */
    public boolean staleConflicts() {
        return planned() && conflictCount() > 0;
    }

    /** Deletes or resets users, or deletes groups: what four-eyes mode asks a second operator to approve. */
    public boolean destructive() {
        return countDelete > 0 || countReset > 0 || countGroupDelete > 0;
    }

    /** Changes an apply would make (creates, updates, deletes, resets; group rows and membership rows). */
    public long changeCount() {
        return countCreate + countUpdate + countDelete + countReset + groupChangeCount();
    }

    /** Group creates, updates and deletes and membership rows. */
    public long groupChangeCount() {
        return countGroupCreate + countGroupUpdate + countGroupDelete + countMemberRows;
    }

    /** The plan changes groups or memberships: the pages show the group totals. */
    public boolean touchesGroups() {
        return groupChangeCount() + countMembershipAdd + countMembershipRemove > 0;
    }

    public int percentDone() {
        return progressTotal <= 0 ? 0 : (int) Math.min(100, progressDone * 100 / progressTotal);
    }

    public boolean isRevert() {
        return revertsBatch != null;
    }

    public int conflictCount() {
        return conflicts == null ? 0 : conflicts.size();
    }

    public boolean isSync() {
        return operation == Operation.SYNC;
    }

    /** For pages: "users with attr.source = workday absent from the file: suspend". */
    public String syncDescription() {
        if (syncScope == null) {
            return "scope: none (users absent from the file are left alone)";
        }
        return "scope: " + dev.roster.plan.SyncScope.parse(syncScope).describe() + "; absent from the file: "
                + (syncAbsent == null ? "leave" : syncAbsent.toLowerCase());
    }

    public String operationName() {
        return operation.name().toLowerCase();
    }

    /** The batch with this id, or a 404 naming it. */
    public static Batch findExisting(UUID id) {
        Batch batch = findById(id);
        if (batch == null) {
            throw new NotFoundException("No batch with id " + id + ".");
        }
        return batch;
    }
}
