package dev.roster.auditlog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.audit.AuditCheckpoint;
import dev.roster.audit.AuditCheckpoints;
import dev.roster.audit.AuditExport;
import dev.roster.audit.AuditFilter;
import dev.roster.audit.AuditQuery;
import dev.roster.audit.AuditRecord;
import dev.roster.audit.AuditRetention;
import dev.roster.audit.AuditVerifier;
import dev.roster.web.PageJson;
import dev.roster.web.PageOf;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON API over the audit trail: events, export, verify, signed checkpoints, and the governed purge (docs/audit.md). */
@Path("/api/audit")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class AuditApi {

    /** An audit event as the API shows it; details parsed for reading (the JSON Lines export keeps the hashed text). */
    public record AuditEventJson(long seq, UUID id, String occurredAt, String actorKind, UUID actorId,
            String actorName, String actorIp, String actorUserAgent, String action, UUID targetUserId,
            String targetEmail, UUID batchId, JsonNode details, String prevHash, String hash) {

        static AuditEventJson of(AuditRecord r) {
            return new AuditEventJson(r.seq(), r.id(), r.occurredAtCanonical(), r.actorKind(), r.actorId(),
                    r.actorName(), r.actorIp(), r.actorUserAgent(), r.action(), r.targetUserId(), r.targetEmail(),
                    r.batchId(), r.detailsJson(), r.prevHash(), r.hash());
        }
    }

    @Inject
    AuditQuery query;
    @Inject
    AuditExport export;
    @Inject
    AuditVerifier verifier;
    @Inject
    AuditRetention retention;
    @Inject
    CurrentOperator operator;
    @Inject
    AuditCheckpoints checkpoints;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public PageJson<AuditEventJson> list(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("actor") String actor, @QueryParam("action") String action, @QueryParam("batch") String batch,
            @QueryParam("user") String user, @QueryParam("email") String email, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        PageOf<AuditRecord> events = query.page(AuditFilter.parse(from, to, actor, action, batch, user, email),
                PageOf.clampPage(page), PageOf.clampSize(size));
        return new PageJson<>(events.items().stream().map(AuditEventJson::of).toList(), events.total(), events.page(),
                events.size());
    }

    @GET
    @Path("export")
    public Response download(@QueryParam("format") String format, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("batch") String batch, @QueryParam("user") String user, @QueryParam("email") String email) {
        return export.download(AuditFilter.parse(from, to, actor, action, batch, user, email),
                AuditExport.Format.parse(format), operator.get().actor());
    }

    /**
     * Verifies from the newest signed checkpoint (full=true: from the start, rate limited). The JSON keeps
     * ok, checked, firstBroken, lastSeq, lastHash and adds from.
     */
    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> verify(@QueryParam("full") boolean full) {
        return verifyJson(full ? verifier.verifyFull() : verifier.verify());
    }

    /** Verifies against a checkpoint an auditor saved (the JSON the checkpoint download gave: text and signature). */
    @POST
    @Path("verify")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> verifyAgainst(JsonNode checkpoint) {
        if (checkpoint == null || !checkpoint.hasNonNull("text") || !checkpoint.hasNonNull("signature")) {
            throw new BadRequestException("Post the saved checkpoint: a JSON object with its text and signature.");
        }
        return verifyJson(verifier.verifyAgainst(checkpoint.get("text").asText(), checkpoint.get("signature").asText()));
    }

    static Map<String, Object> verifyJson(AuditVerifier.Result result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", result.ok());
        body.put("checked", result.checked());
        if (result.firstBroken() == null) {
            body.put("firstBroken", null);
        } else {
            Map<String, Object> broken = new LinkedHashMap<>();
            broken.put("id", result.firstBroken().id());
            broken.put("seq", result.firstBroken().seq());
            broken.put("reason", result.firstBroken().reason());
            body.put("firstBroken", broken);
        }
        body.put("lastSeq", result.lastSeq());
        body.put("lastHash", result.lastHash());
        body.put("from", result.from());
        return body;
    }

    /** Signed checkpoints of the chain head, newest first: an auditor downloads and keeps them. */
    @GET
    @Path("checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    public List<AuditCheckpoint> checkpoints() {
        return checkpoints.list(100);
    }

    @GET
    @Path("checkpoints/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response checkpoint(@PathParam("id") UUID id) {
        return checkpointResponse(checkpoints, id);
    }

    /** One checkpoint as a JSON file to keep (what verify takes back). */
    static Response checkpointResponse(AuditCheckpoints checkpoints, UUID id) {
        AuditCheckpoint cp = checkpoints.find(id);
        if (cp == null) {
            throw new NotFoundException("No checkpoint " + id + ".");
        }
        return Response.ok(cp, MediaType.APPLICATION_JSON)
                .header("Content-Disposition", "attachment; filename=\"roster-audit-checkpoint-" + id + ".json\"").build();
    }

    /** Signs the current head now (after checking the chain since the last checkpoint). */
    @POST
    @Path("checkpoints")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public AuditCheckpoint makeCheckpoint() {
        return checkpoints.makeNow();
    }

    /**
     * Requests a retention purge (form field before=<ISO instant or date>): 422 for a cutoff in the future or
     * inside roster.audit.min-retention; otherwise 202 with the request, which a second admin approves.
     */
    @POST
    @Path("purge")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response purge(@FormParam("before") String before, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Instant cutoff = retention.cutoff(before);
        AuditRetention.refuseBasic(authorization);
        return Response.accepted(retention.request(cutoff, operator.get().actor())).build();
    }

    @GET
    @Path("purges")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public List<AuditRetention.PurgeRequest> purges() {
        return retention.list();
    }

    /** A second admin approves: the events are exported, removed, and a signed checkpoint made. */
    @POST
    @Path("purges/{id}/approve")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public AuditRetention.Purged approvePurge(@PathParam("id") UUID id,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        requestOr404(id);
        AuditRetention.refuseBasic(authorization);
        return retention.approve(id, operator.get().actor());
    }

    @POST
    @Path("purges/{id}/reject")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public AuditRetention.PurgeRequest rejectPurge(@PathParam("id") UUID id,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        requestOr404(id);
        AuditRetention.refuseBasic(authorization);
        return retention.reject(id, operator.get().actor());
    }

    /** The purge's receipt: the removed events as gzip JSON Lines (the export format); its SHA-256 is in the checkpoint. */
    @GET
    @Path("purges/{id}/receipt")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    public Response receipt(@PathParam("id") UUID id) {
        return receiptResponse(retention, id);
    }

    static Response receiptResponse(AuditRetention retention, UUID id) {
        byte[] receipt = retention.receipt(id);
        if (receipt == null) {
            throw new NotFoundException("No receipt for purge request " + id + ".");
        }
        return Response.ok(receipt, "application/gzip")
                .header("Content-Disposition", "attachment; filename=\"roster-audit-purge-" + id + ".jsonl.gz\"")
                .header("Cache-Control", "no-store").build();
    }

    private void requestOr404(UUID id) {
        if (retention.find(id) == null) {
            throw new NotFoundException("No purge request " + id + ".");
        }
    }
}
