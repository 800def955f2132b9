package dev.roster.directory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.plan.UserStatus;
import dev.roster.web.HtmxRequest;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
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

/** The Users pages: search, filter and page the directory; one user's details; the CSV export. */
@Path("/users")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class DirectoryUserResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance users(PageOf<DirectoryUser> users, String q, String status, List<UserStatus> statuses,
                String pageUrl);

        static native TemplateInstance users$table(PageOf<DirectoryUser> users, String q, String status,
                List<UserStatus> statuses, String pageUrl);

        static native TemplateInstance user(DirectoryUser user, boolean restorable, String error, UserLinks.Links links,
                UserLinks.Reports reports, boolean hashNeedsReset, String bindPolicy, BindLockouts.State bindLock,
                List<ScheduledChanges.Pending> dated);
    }

    @Inject
    DirectoryQuery query;
    @Inject
    UserExportResponses exports;
    @Inject
    DirectoryLifecycle lifecycle;
    @Inject
    dev.roster.access.CurrentOperator operator;
    @Inject
    UserLinks links;
    @Inject
    dev.roster.access.HashingSlots hashing;
    @Inject
    jakarta.enterprise.inject.Instance<BindLockouts> bindLockouts;

    /** The people who report to a user, listed on their page (the rest are counted). */
    static final int REPORTS_SHOWN = 50;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(@QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size, @Context HttpHeaders headers) {
        UserStatus statusFilter = parseStatus(status);
        PageOf<DirectoryUser> users = query.search(q, statusFilter, PageOf.clampPage(page), PageOf.clampSize(size));
        String shownStatus = statusFilter == null ? "" : statusFilter.name();
        String shownQ = q == null ? "" : q;
        List<UserStatus> statuses = List.of(UserStatus.values());
        String pageUrl = "/users?q=" + URLEncoder.encode(shownQ, StandardCharsets.UTF_8) + "&status=" + shownStatus
                + "&size=" + users.size() + "&";
        return HtmxRequest.isHtmx(headers)
                ? Templates.users$table(users, shownQ, shownStatus, statuses, pageUrl)
                : Templates.users(users, shownQ, shownStatus, statuses, pageUrl);
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance detail(@PathParam("id") UUID id) {
        DirectoryUser user = DirectoryUser.findById(id);
        if (user == null) {
            throw new NotFoundException("No directory user with id " + id + ".");
        }
        return userPage(user, null);
    }

    @POST
    @Path("{id}/restore")
    @Produces(MediaType.TEXT_HTML)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response restore(@PathParam("id") UUID id) {
        try {
            lifecycle.restore(id, operator.get().actor());
            return Response.seeOther(java.net.URI.create("/users/" + id)).build();
        } catch (jakarta.ws.rs.ClientErrorException e) {
            DirectoryUser user = DirectoryUser.findById(id);
            if (user == null) {
                throw e;
            }
            return Response.status(e.getResponse().getStatus()).entity(userPage(user, e.getMessage())).build();
        }
    }

    private TemplateInstance userPage(DirectoryUser user, String error) {
        boolean restorable = user.status == UserStatus.DELETED && user.purgedAt == null && user.deletedAt != null
                && user.deletedAt.isAfter(java.time.Instant.now().minus(lifecycle.retention()));
        // An imported hash above the verify ceiling is never checked (decision 0036): the admin should reset it.
        boolean hashNeedsReset = user.passwordHash != null && !hashing.withinVerifyCeiling(user.passwordHash);
        String policy = null;
        BindLockouts.State lock = null;
        if (bindLockouts.isResolvable()) {
            policy = bindLockouts.get().policy().orElse(null);
            lock = policy == null ? null : bindLockouts.get().stateOf(user.id).orElse(null);
        }
        return Templates.user(user, restorable, error, links.of(user.id), links.reportsOf(user.id, REPORTS_SHOWN),
                hashNeedsReset, policy, lock, query.pendingDatedChanges(user.id));
    }

    @GET
    @Path("export.csv")
    @Produces("text/csv")
    public Response export(@QueryParam("format") String format) {
        return exports.csv(format);
    }

    static UserStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return UserStatus.valueOf(status.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new jakarta.ws.rs.BadRequestException(
                    "Unknown status \"" + status + "\": use INVITED, ACTIVE, SUSPENDED or DELETED.");
        }
    }
}
