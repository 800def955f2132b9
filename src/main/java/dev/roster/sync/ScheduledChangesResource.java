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
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

/** The calendar page of dated changes (#26 item 4): pending activations and suspensions by day; operators cancel or move. */
@Path("/scheduled-changes")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.TEXT_HTML)
public class ScheduledChangesResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance calendar(ScheduledChangeCalendar.Days calendar, String kind, String from, String to,
                String error);
    }

    @Inject
    ScheduledChangeCalendar calendar;
    @Inject
    CurrentOperator operator;

    @GET
    public Response page(@QueryParam("kind") String kind, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("offset") @DefaultValue("0") int offset) {
        try {
            return Response.ok(Templates.calendar(calendar.days(kind, date(from), date(to), offset), kind, from, to, null))
                    .build();
        } catch (BadRequestException e) {
            return Response.status(400).entity(Templates.calendar(EMPTY, kind, from, to, e.getMessage())).build();
        }
    }

    private static final ScheduledChangeCalendar.Days EMPTY = new ScheduledChangeCalendar.Days(List.of(),
            new ScheduledChangeCalendar.Page(List.of(), 0, 0, ScheduledChangeCalendar.PAGE_SIZE));

    @POST
    @Path("{id}/cancel")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("id") UUID id, @FormParam("kind") String kind, @FormParam("from") String from,
            @FormParam("to") String to) {
        calendar.cancel(id, operator.get());
        return Response.seeOther(back(kind, from, to)).build();
    }

    @POST
    @Path("{id}/move")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response move(@PathParam("id") UUID id, @FormParam("dueOn") String dueOn, @FormParam("kind") String kind,
            @FormParam("from") String from, @FormParam("to") String to) {
        try {
            calendar.move(id, date(dueOn), operator.get());
        } catch (BadRequestException e) {
            return Response.status(400).entity(Templates.calendar(calendar.days(kind, date(from), date(to), 0), kind, from, to,
                    e.getMessage())).build();
        }
        return Response.seeOther(back(kind, from, to)).build();
    }

    /** Back to the calendar as the operator filtered it (the filter's values only, checked). */
    private static URI back(String kind, String from, String to) {
        UriBuilder uri = UriBuilder.fromPath("/scheduled-changes");
        if (kind != null && List.of("ACTIVATE", "SUSPEND").contains(kind)) {
            uri.queryParam("kind", kind);
        }
        LocalDate f = lenientDate(from);
        LocalDate t = lenientDate(to);
        if (f != null) {
            uri.queryParam("from", f);
        }
        if (t != null) {
            uri.queryParam("to", t);
        }
        return uri.build();
    }

    private static LocalDate lenientDate(String value) {
        try {
            return date(value);
        } catch (BadRequestException e) {
            return null;
        }
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
