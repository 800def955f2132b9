package dev.roster.sync;

import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The calendar page of dated changes (#26 item 4): pending activations and suspensions by day; operators cancel or move. */
@Path("/scheduled-changes")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.TEXT_HTML)
public class ScheduledChangesResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance calendar(List<ScheduledChangeCalendar.Day> days, String kind, String from, String to,
                String error);
    }

    @Inject
    ScheduledChangeCalendar calendar;
    @Inject
    CurrentOperator operator;

    @GET
    public Response page(@QueryParam("kind") String kind, @QueryParam("from") String from, @QueryParam("to") String to) {
        try {
            return Response.ok(Templates.calendar(calendar.days(kind, date(from), date(to)), kind, from, to, null)).build();
        } catch (BadRequestException e) {
            return Response.status(400).entity(Templates.calendar(List.of(), kind, from, to, e.getMessage())).build();
        }
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response cancel(@PathParam("id") UUID id) {
        calendar.cancel(id, operator.get());
        return Response.seeOther(URI.create("/scheduled-changes")).build();
    }

    @POST
    @Path("{id}/move")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response move(@PathParam("id") UUID id, @FormParam("dueOn") String dueOn) {
        try {
            calendar.move(id, date(dueOn), operator.get());
        } catch (BadRequestException e) {
            return Response.status(400).entity(Templates.calendar(calendar.days(null, null, null), null, null, null,
                    e.getMessage())).build();
        }
        return Response.seeOther(URI.create("/scheduled-changes")).build();
    }

    /** A date from a form or a query (YYYY-MM-DD); blank is none. */
    static LocalDate date(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new BadRequestException("\"" + value + "\" is not a date; write it as YYYY-MM-DD.");
        }
    }
}
