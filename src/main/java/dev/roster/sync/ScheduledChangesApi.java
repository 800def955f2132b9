package dev.roster.sync;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Dated changes as JSON (#26 item 4, docs/scheduled-changes.md): viewers read, operators cancel and move. */
@Path("/api/scheduled-changes")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.APPLICATION_JSON)
public class ScheduledChangesApi {

    @Inject
    ScheduledChangeCalendar calendar;
    @Inject
    CurrentOperator operator;

    /** Filters: status (PENDING by default, DONE, CANCELLED, ALL), kind (ACTIVATE, SUSPEND, DELETE), from/to (due dates), user. */
    @GET
    public List<ScheduledChangeCalendar.Entry> list(@QueryParam("status") String status, @QueryParam("kind") String kind,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("user") UUID user) {
        return calendar.list(status, kind, ScheduledChangesResource.date(from), ScheduledChangesResource.date(to), user);
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
