package dev.roster.batch.apply;

import java.util.List;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchSettings;
import dev.roster.sql.Jdbc;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The rules an apply and an approval must pass, in one place for the page and the API: the batch's
 * state, rows in error, the typed confirmation (the number of deletions whenever a batch deletes),
 * the delete cap and four-eyes approval. A refusal is an {@link ApplyRefused}.
 */
@ApplicationScoped
public class ApplyPolicy {

    /**
     * What the operator sent with the apply button or the API call: confirm is the number of changes
     * they saw; deleteCount the number of deletions they typed (for a batch whose every change is a
     * deletion, confirm is that number).
     */
    public record ApplyRequest(Long confirm, Long deleteCount, boolean skipErrors, String overrideReason,
            Long membershipCount) {

        public ApplyRequest(Long confirm, Long deleteCount, boolean skipErrors, String overrideReason) {
            this(confirm, deleteCount, skipErrors, overrideReason, null);
        }
    }

    @Inject
    Jdbc jdbc;
    @Inject
    BatchSettings.Safety safety;
    @Inject
    BatchSettings.Approval approval;

    private double maxDeleteFraction;

    @PostConstruct
    void init() {
        maxDeleteFraction = safety.maxDeleteFraction();
    }

    /** Four-eyes mode is on and the batch deletes or resets users. */
    public boolean approvalRequired(Batch batch) {
        return approval.enabled() && batch.destructive();
    }

    /**
     * The base of the delete cap: users that are not deleted, those created within roster.safety.delete-cap-base-age
     * (24 h) aside, so users created first cannot enlarge it.
     */
    public long activeUsers() {
        return jdbc.one("""
                SELECT count(*) FROM directory_user
                 WHERE status <> 'DELETED' AND created_at <= now() - ? * interval '1 millisecond'""",
                rs -> rs.getLong(1), safety.deleteCapBaseAge().toMillis()).orElse(0L);
    }

    /** How the base is said on pages and in refusals. */
    public String capBase(long base) {
        long hours = safety.deleteCapBaseAge().toHours();
        return base + " users that are not deleted" + (safety.deleteCapBaseAge().isZero() ? ""
                : " (leaving out those created in the last " + (hours >= 1 ? hours + " hours" : safety.deleteCapBaseAge())
                        + ")");
    }

    /**
     * True when the batch deletes more established users (created before roster.safety.delete-cap-base-age) than the
     * configured share of the established users that are not deleted. Deleting users created within that window counts
     * neither way: they are not in the base, so they are not against it either (undoing today's onboarding needs no
     * override), and creating users first still cannot enlarge the base for deleting established ones.
     */
    public boolean overDeleteCap(Batch batch) {
        if (batch.countDelete == 0) {
            return false;
        }
        long established = establishedDeletes(batch.id);
        return established > 0 && established > Math.floor(maxDeleteFraction * activeUsers());
    }

    /** How many of the batch's deletions are of established users: the ones the delete cap counts. */
    public long establishedDeletes(UUID batchId) {
        return jdbc.one("""
                SELECT count(*) FROM plan_item p JOIN directory_user u ON u.id = p.user_id
                 WHERE p.batch_id = ? AND p.kind = 'DELETE' AND u.created_at <= now() - ? * interval '1 millisecond'""",
                rs -> rs.getLong(1), batchId, safety.deleteCapBaseAge().toMillis()).orElse(0L);
    }

    /** How many of these users (not deleted) are established: the ones a SCIM /Bulk delete cap counts. */
    public long establishedUsers(java.util.Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        Object[] args = new Object[ids.size() + 1];
        int i = 0;
        for (UUID id : ids) {
            args[i++] = id;
        }
        args[i] = safety.deleteCapBaseAge().toMillis();
        return jdbc.one("SELECT count(*) FROM directory_user WHERE id IN (" + String.join(", ", java.util.Collections.nCopies(
                ids.size(), "?")) + ") AND status <> 'DELETED' AND created_at <= now() - ? * interval '1 millisecond'",
                rs -> rs.getLong(1), args).orElse(0L);
    }

    public double maxDeleteFraction() {
        return maxDeleteFraction;
    }

    /** Checks every rule before an apply; returns the override reason to record (null when the cap was not hit). */
    public String checkApply(Batch batch, ApplyRequest request, Operator who) {
        UUID id = batch.id;
        if (!batch.applyable()) {
            throw ApplyRefused.conflict(id, "Batch " + id + " is " + batch.status
                    + (batch.applying() || batch.applied() ? ": it is applied at most once." : ": only a planned batch can be applied."));
        }
        if (batch.countError > 0 && !request.skipErrors()) {
            throw ApplyRefused.unprocessable(id, batch.countError + " rows have errors. Fix them and upload again, or "
                    + "apply the valid rows and skip the " + batch.countError + " errors explicitly.");
        }
        long changes = batch.changeCount();
        if (changes == 0) {
            throw ApplyRefused.unprocessable(id, "This plan changes nothing; there is nothing to apply.");
        }
        if (batch.countDelete > 0) {
            Long typed = request.deleteCount() != null ? request.deleteCount()
                    : changes == batch.countDelete ? request.confirm() : null;
            if (typed == null || typed != batch.countDelete) {
                throw ApplyRefused.unprocessable(id, "Type the number of users this batch deletes (" + batch.countDelete
                        + ") to confirm the deletions.");
            }
        }
        if (batch.countGroupDeleteMembers > 0) {
            Long typed = request.membershipCount();
            if (typed == null || typed != batch.countGroupDeleteMembers) {
                throw ApplyRefused.unprocessable(id, "Type the number of memberships the deleted groups hold ("
                        + batch.countGroupDeleteMembers + ") to confirm the group deletions.");
            }
        }
        boolean confirmed = request.confirm() != null ? request.confirm() == changes : batch.countDelete > 0;
        if (!confirmed) {
            throw ApplyRefused.unprocessable(id, "Confirm with the number of changes to apply: " + changes
                    + (batch.countDelete > 0 ? " (of which " + batch.countDelete + " deletions)" : "") + ".");
        }
        String overrideReason = request.overrideReason() == null ? null : request.overrideReason().trim();
        if (!overDeleteCap(batch)) {
            overrideReason = null;
        } else if (!who.isAdmin() || overrideReason == null || overrideReason.isEmpty()) {
            long established = establishedDeletes(id);
            throw ApplyRefused.unprocessable(id, "This batch deletes " + (established == batch.countDelete
                    ? batch.countDelete + " users" : established + " established users (of " + batch.countDelete
                    + " deletions; users created in the last " + safety.deleteCapBaseAge().toHours() + " hours do not count)")
                    + ", more than " + Math.round(maxDeleteFraction * 100) + "% of the " + capBase(activeUsers())
                    + ". An admin must override with a written reason.");
        }
        if (approvalRequired(batch) && batch.approvedBy == null) {
            throw ApplyRefused.unprocessable(id, "Four-eyes mode: a batch with deletions or resets needs the approval "
                    + "of another operator before it can be applied.");
        }
        return overrideReason;
    }

    /**
     * Checks an approval: a planned batch, approved by a person signed in interactively (decision 0026) who neither
     * uploaded, re-planned or mapped any batch of its chain nor minted a token that did.
     */
    public void checkApproval(Batch batch, Operator who) {
        if (!batch.planned()) {
            throw ApplyRefused.conflict(batch.id, "Only a planned batch can be approved; this one is " + batch.status + ".");
        }
        if (!who.interactive()) {
            // A token, a script's Basic credentials or a sync source is a program, not a second pair of eyes: whoever
            // holds it may have uploaded the batch.
            throw ApplyRefused.forbidden(batch.id, "Four-eyes: approval needs a signed-in person, interactively: sign in "
                    + "to Roster in the browser (password or single sign-on) to approve it. An API token, HTTP Basic "
                    + "credentials, an OIDC bearer token or a sync source cannot approve a batch.");
        }
        if (who.id() != null && uploaders(batch.id).contains(who.id())) {
            throw ApplyRefused.unprocessable(batch.id, "Four-eyes: the uploader cannot approve their own batch (nor "
                    + "anyone who uploaded, re-planned or mapped it, wrote the mapping profile it used, configured or ran "
                    + "its sync source, or minted the API token that did).");
        }
    }

    /** Whether the page offers this admin the Approve button. */
    public boolean mayApprove(Batch batch, Operator who) {
        return approvalRequired(batch) && batch.planned() && batch.approvedBy == null && who.interactive()
                && who.id() != null && !uploaders(batch.id).contains(who.id());
    }

    /**
     * Everyone barred from approving the batch: who uploaded or re-planned it or any batch it re-plans, back to the
     * first upload, and who confirmed a mapping of one or wrote a profile applied to one ({@code barred_approvers});
     * for a sync source's batch also the admin who pressed Run now, the source's editor when it ran and its last
     * editor (and, until the run has recorded its batch, those of the source's run in progress); and, for every API
     * token among them, the admin who minted it.
     */
    List<UUID> uploaders(UUID batchId) {
        return jdbc.list("""
                WITH RECURSIVE chain (id, created_by, replans_batch) AS (
                    SELECT id, created_by, replans_batch FROM batch WHERE id = ?
                    UNION
                    SELECT b.id, b.created_by, b.replans_batch FROM batch b JOIN chain ON b.id = chain.replans_batch),
                people AS (
                    SELECT DISTINCT who FROM chain JOIN batch b ON b.id = chain.id
                           LEFT JOIN sync_source s ON s.id = b.sync_source_id AND b.created_by = b.sync_source_id
                           LEFT JOIN sync_run r ON r.source_id = s.id AND r.status = 'RUNNING',
                           LATERAL unnest(ARRAY[b.created_by, b.sync_triggered_by, b.sync_configured_by, s.updated_by, s.created_by,
                                                r.triggered_by, r.configured_by] || b.barred_approvers) AS v (who)
                     WHERE who IS NOT NULL)
                SELECT who FROM people
                UNION
                SELECT t.created_by FROM api_token t JOIN people p ON t.id = p.who WHERE t.created_by IS NOT NULL""",
                rs -> rs.getObject(1, UUID.class), batchId);
    }
}
