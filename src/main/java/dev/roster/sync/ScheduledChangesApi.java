package dev.roster.sync;

import java.util.Map;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** Dated changes as JSON (#26 item 4, docs/scheduled-changes.md): viewers read, operators cancel and move. */
@Path("/api/scheduled-changes")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class ScheduledChangesApi {

    @Inject
    ScheduledChangeCalendar calendar;
    @Inject
    CurrentOperator operator;

    /**
     * Filters: status (PENDING by default, DONE, CANCELLED, ALL), kind (ACTIVATE, SUSPEND, DELETE), from/to (due dates), user.
     * Paged by limit (1 to 1,000, default 1,000) and offset: the body stays the list of changes; X-Total-Count says how
     * many match, and a Link header with rel="next" points at the next page while there is one.
     */
    @GET
    public Response list(@QueryParam("status") String status, @QueryParam("kind") String kind,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("user") UUID user,
            @QueryParam("limit") @DefaultValue("1000") int limit, @QueryParam("offset") @DefaultValue("0") int offset,
            @Context UriInfo uri) {
        ScheduledChangeCalendar.Page page = calendar.list(ScheduledChangeCalendar.Filter.of(status, kind,
                ScheduledChangesResource.date(from), ScheduledChangesResource.date(to), user), limit, offset);
        Response.ResponseBuilder answer = Response.ok(page.entries()).header("X-Total-Count", page.total());
        if (page.nextOffset() >= 0) {
            answer.link(uri.getRequestUriBuilder().replaceQueryParam("offset", page.nextOffset())
                    .replaceQueryParam("limit", limit).build(), "next");
        }
        return answer.build();
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response cancel(@PathParam("id") UUID id) {
        calendar.cancel(id, operator.get());
        return Response.noContent().build();
    }

    /** Body {"dueOn": "2027-01-04"}. */
    @POST
    @Path("{id}/move")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response move(@PathParam("id") UUID id, Map<String, String> body) {
        calendar.move(id, ScheduledChangesResource.date(body == null ? null : body.get("dueOn")), operator.get());
        return Response.noContent().build();
    }
}
