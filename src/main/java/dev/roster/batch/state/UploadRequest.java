package dev.roster.batch.state;

import java.util.Objects;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.SyncScope;

/**
 * One upload as Roster was asked for it, carried from the entry point (the Batches page, POST /api/batches,
 * SCIM /Bulk asBatch, a sync source's run) through batch/BatchService down to {@link BatchTransitions#startUpload}.
 * The form's strings are parsed before it is made (batch/UploadForm); a profile or inline mapping is read
 * against the file's header by batch/BatchService before the file is stored, so it is not carried here.
 */
public record UploadRequest(String fileName, Operation operation, MatchKey matchBy, boolean createGroups,
        SyncOptions sync, Origin origin, Operator who) {

    /** Where an upload comes from. */
    public enum Origin {
        /** The Batches page: a header Roster cannot place waits for the mapping step (NEEDS_MAPPING). */
        PAGE,
        /** POST /api/batches: such a header is refused by planning unless a profile or mapping was given. */
        API,
        /** SCIM /Bulk with asBatch: a file of Roster's own format. */
        SCIM,
        /** A sync source's run. */
        SYNC
    }

    /**
     * What a sync batch owns: its source (creates remember it), its scope and the policy for users of
     * the scope absent from the file. {@link #NONE} for other operations, and for a sync without a scope.
     */
    public record SyncOptions(UUID sourceId, SyncScope scope, AbsentPolicy absent) {
        public static final SyncOptions NONE = new SyncOptions(null, null, AbsentPolicy.LEAVE);

        public SyncOptions {
            Objects.requireNonNull(absent, "absent");
        }
    }

    public UploadRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(matchBy, "matchBy");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(who, "who");
        sync = operation == Operation.SYNC && sync != null ? sync : SyncOptions.NONE;
    }

    /** An upload without groups to create and without a sync scope (SCIM /Bulk's file of Roster's format). */
    public static UploadRequest of(String fileName, Operation operation, MatchKey matchBy, Origin origin, Operator who) {
        return new UploadRequest(fileName, operation, matchBy, false, SyncOptions.NONE, origin, who);
    }

    /** A sync source's file: what the source owns comes with it. */
    public static UploadRequest sync(String fileName, MatchKey matchBy, SyncOptions sync, Operator who) {
        return new UploadRequest(fileName, Operation.SYNC, matchBy, false, sync, Origin.SYNC, who);
    }

    /** The page's uploads of a header Roster cannot place wait for the mapping step; the API's are refused. */
    public boolean asksForMapping() {
        return origin == Origin.PAGE;
    }
}
