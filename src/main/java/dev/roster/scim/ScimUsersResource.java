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

/** SCIM /Users (RFC 7644 §3): reads for viewers (read tokens), writes for operators (read-write tokens). */
@Path("/scim/v2/Users")
@Produces({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
public class ScimUsersResource {

    @Inject
    ScimUsers users;
    @Inject
    ScimUserList userList;
    @Inject
    ScimWrites writes;
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
                .answer(userList::list);
    }

    /** POST /.search (RFC 7644 §3.4.3): the GET list's parameters as a SearchRequest body, the same answer. */
    @POST
    @Path(".search")
    @RolesAllowed(AdminRole.VIEWER_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response search(String body) {
        return ScimSearch.of(ScimRequests.body(json, body)).answer(userList::list);
    }

    @GET
    @Path("{id}")
    @RolesAllowed(AdminRole.VIEWER_ROLE)
    public Response get(@PathParam("id") String id, @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded, @HeaderParam("If-None-Match") String ifNoneMatch) {
        ObjectNode full = users.get(ScimRequests.id(id), null, null);
        String etag = full.path("meta").path("version").asText();
        ObjectNode user = ScimProjection.of(attributes, excluded).apply(full);
        if (ifNoneMatch != null && ifNoneMatch.strip().equals(etag)) {
            return Response.notModified().header("ETag", etag).build();
        }
        return ScimResponses.answer(200, user, etag, null);
    }

    @POST
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response create(String body, @QueryParam("dryRun") String dryRun,
            @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader, @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> users.create(c, ScimRequests.body(json, body), dry, drafts)), attributes, excluded);
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response replace(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun, @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader,
            @QueryParam("attributes") String attributes, @QueryParam("excludedAttributes") String excluded) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        UUID user = ScimRequests.id(id);
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> users.replace(c, user, ScimRequests.body(json, body), ifMatch, dry, drafts)), attributes, excluded);
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes({ ScimMedia.SCIM_JSON, MediaType.APPLICATION_JSON })
    public Response patch(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun, @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader,
            @QueryParam("attributes") String attributes, @QueryParam("excludedAttributes") String excluded) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        UUID user = ScimRequests.id(id);
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> users.patch(c, user, ScimRequests.body(json, body), ifMatch, dry, drafts)), attributes, excluded);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dryRun") String dryRun, @HeaderParam(ScimRequests.DRY_RUN_HEADER) String dryRunHeader) {
        boolean dry = ScimRequests.dryRun(dryRun, dryRunHeader);
        UUID user = ScimRequests.id(id);
        return ScimResponses.answer(writes.inTransaction(operator.get().actor(),
                (c, drafts) -> users.delete(c, user, ifMatch, dry, drafts)));
    }
}
