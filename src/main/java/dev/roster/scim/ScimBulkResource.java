package dev.roster.scim;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** SCIM /Bulk; ?dryRun=true answers each operation's diff; ?asBatch=true stores the user operations as a batch. */
@Path("/scim/v2/Bulk")
@Produces({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
public class ScimBulkResource {

    @Inject
    ScimBulk bulk;
    @Inject
    ScimResponses responses;
    @Inject
    CurrentOperator operator;
    @Inject
    ObjectMapper json;

    @POST
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response run(String body, @QueryParam("dryRun") String dryRun, @QueryParam("asBatch") String asBatch,
            @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader) {
        int bytes = body == null ? 0 : body.getBytes(StandardCharsets.UTF_8).length;
        bulk.checkSize(bytes); // before reading a byte of JSON
        if ("true".equalsIgnoreCase(asBatch)) {
            UUID batch = bulk.asBatch(ScimRequests.body(json, body), bytes, operator.get());
            ObjectNode answer = json.createObjectNode();
            answer.put("batchId", batch.toString());
            answer.put("status", "PLANNING");
            answer.put("location", responses.base() + "/batches/" + batch);
            answer.put("detail", "Stored as batch " + batch + ": it is planned now and waits for an operator to review "
                    + "and confirm it in Roster (GET /api/batches/" + batch + " follows it).");
            return Response.status(202).type(ScimMedia.SCIM_JSON).entity(answer.toString())
                    .header("Location", responses.base() + "/api/batches/" + batch).build();
        }
        ObjectNode answer = bulk.run(ScimRequests.body(json, body), bytes, ScimRequests.dryRun(dryRun, dryRunHeader),
                operator.get());
        return ScimResponses.answer(200, answer, null, null);
    }
}
