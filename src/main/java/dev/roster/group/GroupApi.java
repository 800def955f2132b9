package dev.roster.group;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.web.PageJson;
import dev.roster.web.PageOf;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * JSON API over groups: list and search, create, read, edit (with If-Match or a version), delete (with the
 * typed member count), members paged, single member adds and removes. docs/groups.md has examples.
 */
@Path("/api/groups")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class GroupApi {

    public record GroupJson(UUID id, String name, String description, String externalId, long memberCount, long version,
            Instant createdAt, Instant updatedAt) {

        static GroupJson of(UserGroup g) {
            return new GroupJson(g.id(), g.name(), g.description(), g.externalId(), g.memberCount(), g.version(),
                    g.createdAt(), g.updatedAt());
        }
    }

    public record MemberJson(UUID id, String email, String externalId, String name, String status, Instant addedAt,
            String addedBy) {

        static MemberJson of(GroupMember m) {
            return new MemberJson(m.userId(), m.email(), m.externalId(), m.name(), m.status(), m.addedAt(), m.addedBy());
        }
    }

    /** A page of members: offset paging (page, size) or keyset (after = the last id of the page before); next is that id. */
    public record MembersPageJson(List<MemberJson> items, long total, Integer page, int size, UUID next) {
    }

    public record NewGroup(String name, String description, String externalId) {
    }

    public record NewMember(UUID userId, String email) {
    }

    @Inject
    GroupService groups;
    @Inject
    GroupQuery query;
    @Inject
    CurrentOperator operator;

    @GET
    public PageJson<GroupJson> list(@QueryParam("q") String q, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        PageOf<UserGroup> found = query.search(q, PageOf.clampPage(page), PageOf.clampSize(size));
        return new PageJson<>(found.items().stream().map(GroupJson::of).toList(), found.total(), found.page(), found.size());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response create(NewGroup body) {
        if (body == null) {
            throw new ClientErrorException("Send a JSON object with at least a name.", 422);
        }
        UserGroup created = groups.create(body.name(), body.description(), body.externalId(), operator.get().actor());
        return Response.created(URI.create("/api/groups/" + created.id())).tag(tag(created))
                .entity(GroupJson.of(created)).build();
    }

    @GET
    @Path("{id}")
    public Response one(@PathParam("id") UUID id) {
        UserGroup group = live(id);
        return Response.ok(GroupJson.of(group)).tag(tag(group)).build();
    }

    /**
     * Changes the fields present in the body (merge-patch: a field left out stays, null clears description and
     * external id). The version to change comes from If-Match (412 when stale) or the body's "version" (409).
     */
    @PATCH
    @Path("{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response update(@PathParam("id") UUID id, @HeaderParam("If-Match") String ifMatch, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ClientErrorException("Send a JSON object with the fields to change: name, description, externalId.",
                    422);
        }
        Long ifMatchVersion = version(ifMatch);
        Long expected = ifMatchVersion != null ? ifMatchVersion
                : body.hasNonNull("version") ? Long.valueOf(body.get("version").asLong()) : null;
        GroupService.GroupEdit edit = new GroupService.GroupEdit(field(body, "name", false),
                field(body, "description", true), field(body, "externalId", true));
        try {
            UserGroup updated = groups.update(id, expected, edit, operator.get().actor());
            return Response.ok(GroupJson.of(updated)).tag(tag(updated)).build();
        } catch (GroupService.StaleGroup e) {
            throw ifMatchVersion != null ? new ClientErrorException(e.getMessage(), 412) : e;
        }
    }

    /** Soft-deletes; a group with members needs ?memberships= their number (a 409 says it). */
    @DELETE
    @Path("{id}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") UUID id, @QueryParam("memberships") Long memberships,
            @HeaderParam("If-Match") String ifMatch) {
        Long ifMatchVersion = version(ifMatch);
        try {
            groups.delete(id, ifMatchVersion, memberships, operator.get().actor());
        } catch (GroupService.StaleGroup e) {
            throw new ClientErrorException(e.getMessage(), 412);
        }
        return Response.noContent().build();
    }

    /** Brings a deleted group back with its memberships; 409 when it is not deleted or its name was taken. */
    @POST
    @Path("{id}/restore")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response restore(@PathParam("id") UUID id) {
        UserGroup restored = groups.restore(id, operator.get().actor());
        return Response.ok(GroupJson.of(restored)).tag(tag(restored)).build();
    }

    @GET
    @Path("{id}/members")
    public MembersPageJson members(@PathParam("id") UUID id, @QueryParam("after") UUID after,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        UserGroup group = live(id);
        int n = PageOf.clampSize(size);
        if (after != null || page == null) {
            GroupQuery.MemberPage members = query.members(id, after, null, n);
            return new MembersPageJson(members.items().stream().map(MemberJson::of).toList(), group.memberCount(), null, n,
                    members.nextAfter());
        }
        int p = PageOf.clampPage(page);
        List<GroupMember> items = query.membersAt(id, p, n);
        UUID next = (long) p * n < group.memberCount() && !items.isEmpty() ? items.get(items.size() - 1).userId() : null;
        return new MembersPageJson(items.stream().map(MemberJson::of).toList(), group.memberCount(), p, n, next);
    }

    /** Adds one member by {"userId": ...} or {"email": ...}: 201 when added, 200 when they already were one. */
    @POST
    @Path("{id}/members")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response addMember(@PathParam("id") UUID id, NewMember body) {
        if (body == null || (body.userId() == null && (body.email() == null || body.email().isBlank()))) {
            throw new ClientErrorException("Name the member: {\"userId\": \"...\"} or {\"email\": \"...\"}.", 422);
        }
        boolean added = body.userId() != null ? groups.addMember(id, body.userId(), operator.get().actor())
                : groups.addMemberByEmail(id, body.email(), operator.get().actor());
        UserGroup group = live(id);
        return Response.status(added ? 201 : 200).tag(tag(group)).entity(GroupJson.of(group)).build();
    }

    /** Removes one member: 204, or 404 when they are not a member. */
    @DELETE
    @Path("{id}/members/{userId}")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response removeMember(@PathParam("id") UUID id, @PathParam("userId") UUID userId) {
        if (!groups.removeMember(id, userId, operator.get().actor())) {
            throw new NotFoundException("The user " + userId + " is not a member of this group.");
        }
        return Response.noContent().build();
    }

    /** The refusal to delete a group with members carries their number, for a script to confirm with. */
    @ServerExceptionMapper
    public Response membershipsNotConfirmed(GroupService.MembershipsNotConfirmed e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 409);
        body.put("error", e.getMessage());
        body.put("memberships", e.memberships());
        return Response.status(409).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private UserGroup live(UUID id) {
        return query.find(id).filter(g -> !g.deleted())
                .orElseThrow(() -> new NotFoundException("No group with id " + id + "."));
    }

    private static jakarta.ws.rs.core.EntityTag tag(UserGroup g) {
        return new jakarta.ws.rs.core.EntityTag(Long.toString(g.version()));
    }

    /** If-Match: "3", W/"3", 3 or * (any version: null). */
    static Long version(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String v = ifMatch.trim().replaceFirst("^W/", "").replace("\"", "");
        try {
            return Long.valueOf(v);
        } catch (NumberFormatException e) {
            throw new BadRequestException("If-Match must be the group's ETag, e.g. \"3\" (its version), not " + ifMatch + ".");
        }
    }

    /** A string field of a merge-patch: absent is null (unchanged); JSON null is "" where it may clear the field. */
    private static String field(JsonNode body, String name, boolean clearable) {
        if (!body.has(name)) {
            return null;
        }
        JsonNode v = body.get(name);
        if (v.isNull()) {
            if (!clearable) {
                throw new ClientErrorException("A group needs a name: " + name + " cannot be null.", 422);
            }
            return "";
        }
        if (!v.isTextual()) {
            throw new ClientErrorException(name + " must be a string.", 422);
        }
        return v.asText();
    }
}
