package dev.roster.scim;

import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** SCIM /Groups: flat groups of users (V12 model), soft-deleted; reads for viewers, writes for operators. */
@Path("/scim/v2/Groups")
@Produces({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
public class ScimGroupsResource {

    @Inject
    ScimGroups groups;
    @Inject
    ScimWrites writes;
    @Inject
    ScimGroupList groupList;
    @Inject
    CurrentOperator operator;
    @Inject
    ObjectMapper json;

    @GET
    @RolesAllowed(AdminRole.VIEWER_ROLE)
    public Response list(@QueryParam("filter") String filter, @QueryParam("sortBy") String sortBy,
            @QueryParam("sortOrder") String sortOrder, @QueryParam("startIndex") Integer startIndex,
            @QueryParam("count") Integer count, @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded, @Context UriInfo uri) {
        return new ScimSearch(filter, sortBy, sortOrder, startIndex, count, attributes, excluded, ScimRequests.cursor(uri))
                .answer(groupList::list);
    }

    /** POST /.search (RFC 7644 §3.4.3): the GET list's parameters as a SearchRequest body, the same answer. */
    @POST
    @Path(".search")
    @RolesAllowed(AdminRole.VIEWER_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response search(String body) {
        return ScimSearch.of(ScimRequests.body(json, body)).answer(groupList::list);
    }

    @GET
    @Path("{id}")
    @RolesAllowed(AdminRole.VIEWER_ROLE)
    public Response get(@PathParam("id") String id, @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded) {
        ObjectNode group = groups.get(ScimRequests.id(id), attributes, excluded);
        return ScimResponses.answer(200, group, group.path("meta").path("version").asText(null), null);
    }

    @POST
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response create(String body, @QueryParam("dryRun") String dryRun,
            @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader, @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        String who = operator.get().name();
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> groups.create(c, ScimRequests.body(json, body), dry, who, drafts)), attributes, excluded);
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response replace(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun, @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader,
            @QueryParam("attributes") String attributes, @QueryParam("excludedAttributes") String excluded) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        UUID group = ScimRequests.id(id);
        String who = operator.get().name();
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> groups.replace(c, group, ScimRequests.body(json, body), ifMatch, dry, who, drafts)), attributes, excluded);
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response patch(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun, @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader,
            @QueryParam("attributes") String attributes, @QueryParam("excludedAttributes") String excluded) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        UUID group = ScimRequests.id(id);
        String who = operator.get().name();
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> groups.patch(c, group, ScimRequests.body(json, body), ifMatch, dry, who, drafts)), attributes, excluded);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun, @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        UUID group = ScimRequests.id(id);
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> groups.delete(c, group, ifMatch, dry, drafts)));
    }
}
