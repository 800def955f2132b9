package dev.roster.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.roster.access.AdminRole;
import dev.roster.directory.DirectoryUserApi.PageJson;
import dev.roster.web.PageOf;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON API over the audit trail: GET /api/audit, /api/audit/export, /api/audit/verify; POST /api/audit/purge. */
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
    AuditTrail trail;

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
                AuditExport.Format.parse(format));
    }

    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> verify() {
        AuditVerifier.Result result = verifier.verify();
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
        return body;
    }

    /** The retention purge (form field before=<ISO instant or date>): removes older events and records a checkpoint. */
    @POST
    @Path("purge")
    @RolesAllowed(AdminRole.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public AuditRetention.Purged purge(@FormParam("before") String before) {
        if (before == null || before.isBlank()) {
            throw new BadRequestException("Give before=<date or time>: events older than it are removed.");
        }
        Instant cutoff = AuditFilter.instant(before.trim(), false, "before");
        return retention.purge(cutoff, trail.currentActor());
    }
}
