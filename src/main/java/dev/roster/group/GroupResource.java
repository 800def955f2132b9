package dev.roster.group;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.web.HtmxRequest;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The Groups pages: search and page the groups (member counts), create one; a group's page with its
 * details, edit and delete for operators, its members paged by htmx, their CSV and the group's history.
 */
@Path("/groups")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class GroupResource {

    /** Members shown per page on a group's page. */
    static final int MEMBERS_PER_PAGE = 50;

    /** What the New group form showed, to show it again with the refusal. */
    public record NewGroupForm(String name, String description, String externalId, String error) {
        static final NewGroupForm EMPTY = new NewGroupForm("", "", "", null);
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance groups(PageOf<UserGroup> groups, String q, String pageUrl, NewGroupForm form);

        static native TemplateInstance groups$table(PageOf<UserGroup> groups, String q, String pageUrl, NewGroupForm form);

        static native TemplateInstance group(UserGroup group, GroupQuery.MemberPage members, String error);

        static native TemplateInstance group$members(UserGroup group, GroupQuery.MemberPage members, String error);
    }

    @Inject
    GroupQuery query;
    @Inject
    GroupService groups;
    @Inject
    GroupMembersCsv membersCsv;
    @Inject
    CurrentOperator operator;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@QueryParam("q") String q, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size, @Context HttpHeaders headers) {
        return listPage(q, page, size, NewGroupForm.EMPTY, HtmxRequest.isHtmx(headers));
    }

    private TemplateInstance listPage(String q, Integer page, Integer size, NewGroupForm form, boolean fragment) {
        String shownQ = q == null ? "" : q;
        PageOf<UserGroup> found = query.search(q, PageOf.clampPage(page), PageOf.clampSize(size));
        String pageUrl = "/groups?q=" + URLEncoder.encode(shownQ, StandardCharsets.UTF_8) + "&size=" + found.size() + "&";
        return fragment ? Templates.groups$table(found, shownQ, pageUrl, form) : Templates.groups(found, shownQ, pageUrl, form);
    }

    /** The New group form. Spaces around a typed name are dropped here (the API refuses them instead). */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response create(@FormParam("name") String name, @FormParam("description") String description,
            @FormParam("externalId") String externalId) {
        try {
            UserGroup created = groups.create(strip(name), description, externalId, operator.get().actor());
            return Response.seeOther(URI.create("/groups/" + created.id())).build();
        } catch (ClientErrorException e) {
            NewGroupForm form = new NewGroupForm(orEmpty(name), orEmpty(description), orEmpty(externalId), e.getMessage());
            return Response.status(e.getResponse().getStatus()).entity(listPage(null, 1, null, form, false)).build();
        }
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance detail(@PathParam("id") UUID id, @QueryParam("after") UUID after,
            @QueryParam("before") UUID before) {
        UserGroup group = find(id);
        return Templates.group(group, query.members(id, after, before, MEMBERS_PER_PAGE), null);
    }

    /** One page of members, for htmx to swap into the group's page. */
    @GET
    @Path("{id}/members")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance members(@PathParam("id") UUID id, @QueryParam("after") UUID after,
            @QueryParam("before") UUID before) {
        UserGroup group = query.findUncounted(id).orElseThrow(() -> new NotFoundException("No group with id " + id + "."));
        return Templates.group$members(group, query.members(id, after, before, MEMBERS_PER_PAGE), null);
    }

    @GET
    @Path("{id}/members.csv")
    @Produces("text/csv")
    public Response membersCsv(@PathParam("id") UUID id) {
        return membersCsv.response(find(id), operator.get().actor());
    }

    /** The Edit form; its hidden version makes a concurrent change a clear conflict, not a silent overwrite. */
    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response update(@PathParam("id") UUID id, @FormParam("name") String name,
            @FormParam("description") String description, @FormParam("externalId") String externalId,
            @FormParam("version") Long version) {
        return refusedOnPage(id, () -> groups.update(id, version,
                new GroupService.GroupEdit(strip(name), orEmpty(description), orEmpty(externalId)), operator.get().actor()),
                "/groups/" + id);
    }

    /** The Delete form: a group with members needs their number typed. */
    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") UUID id, @FormParam("memberships") String memberships,
            @FormParam("version") Long version) {
        return refusedOnPage(id, () -> groups.delete(id, version, typedCount(memberships), operator.get().actor()),
                "/groups");
    }

    @POST
    @Path("{id}/restore")
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response restore(@PathParam("id") UUID id) {
        return refusedOnPage(id, () -> groups.restore(id, operator.get().actor()), "/groups/" + id);
    }

    @POST
    @Path("{id}/members")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response addMember(@PathParam("id") UUID id, @FormParam("email") String email) {
        return refusedOnPage(id, () -> groups.addMemberByEmail(id, email, operator.get().actor()), "/groups/" + id);
    }

    @POST
    @Path("{id}/members/{userId}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response removeMember(@PathParam("id") UUID id, @PathParam("userId") UUID userId) {
        return refusedOnPage(id, () -> groups.removeMember(id, userId, operator.get().actor()), "/groups/" + id);
    }

    /** Runs a change and goes to {@code next}; a refusal shows the group's page again with the message. */
    private Response refusedOnPage(UUID id, Runnable change, String next) {
        try {
            change.run();
            return Response.seeOther(URI.create(next)).build();
        } catch (ClientErrorException e) {
            UserGroup group = query.find(id).orElseThrow(() -> e);
            return Response.status(e.getResponse().getStatus())
                    .entity(Templates.group(group, query.members(id, null, null, MEMBERS_PER_PAGE), e.getMessage())).build();
        }
    }

    private UserGroup find(UUID id) {
        return query.find(id).orElseThrow(() -> new NotFoundException("No group with id " + id + "."));
    }

    private static Long typedCount(String typed) {
        if (typed == null || typed.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(typed.strip().replace(",", ""));
        } catch (NumberFormatException e) {
            throw new ClientErrorException("Type the number of members as digits, e.g. 12.", 422);
        }
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
