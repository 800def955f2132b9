package dev.roster.sync;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.web.PageOf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

/** The Sources pages: the list with next and last runs, a source with its runs and chart, the forms. */
@Path("/sources")
@RolesAllowed(AdminRole.VIEWER_ROLE)
@Produces(MediaType.TEXT_HTML)
public class SourceResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance sources(List<SourcePages.Row> rows, SourcePages.Form form, String error,
                boolean schedulerOn);

        static native TemplateInstance source(SyncSource source, java.time.Instant nextRun, boolean busy,
                PageOf<SyncRun> runs, SourcePages.Chart chart, SourcePages.Form form, String error, String notice);
    }

    @Inject
    SyncSources sources;
    @Inject
    SyncRuns runs;
    @Inject
    SyncScheduler scheduler;
    @Inject
    SyncService service;
    @Inject
    SyncRunner runner;
    @Inject
    CurrentOperator operator;

    @GET
    public TemplateInstance list() {
        return list(SourcePages.Form.EMPTY, null);
    }

    private TemplateInstance list(SourcePages.Form form, String error) {
        List<SourcePages.Row> rows = sources.list().stream()
                .map(s -> new SourcePages.Row(s, scheduler.nextRun(s), runs.last(s.id()).orElse(null))).toList();
        return Templates.sources(rows, form, error, scheduler.running());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response create(@jakarta.ws.rs.BeanParam FormFields f) {
        SourcePages.Form form = f.form(false);
        try {
            UUID id = sources.create(form.input(f.secret), operator.get());
            return Response.seeOther(URI.create("/sources/" + id)).build();
        } catch (ClientErrorException e) {
            return Response.status(e.getResponse().getStatus()).entity(list(form, e.getMessage())).build();
        }
    }

    @GET
    @Path("{id}")
    public TemplateInstance one(@PathParam("id") UUID id, @QueryParam("page") Integer page, @QueryParam("notice") String notice) {
        SyncSource s = sources.find(id);
        return page(s, SourcePages.Form.of(s), null, notice, PageOf.clampPage(page));
    }

    private TemplateInstance page(SyncSource s, SourcePages.Form form, String error, String notice, int page) {
        return Templates.source(s, scheduler.nextRun(s), runner.busy(s.id()), runs.page(s.id(), page, 20),
                SourcePages.Chart.of(runs.recent(s.id(), 30)), form, error,
                "started".equals(notice) ? "The run started; reload to see it." : null);
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response update(@PathParam("id") UUID id, @jakarta.ws.rs.BeanParam FormFields f) {
        SyncSource s = sources.find(id);
        SourcePages.Form form = f.form(s.secretSet());
        try {
            sources.update(id, form.input(f.secret), operator.get());
            return Response.seeOther(URI.create("/sources/" + id)).build();
        } catch (ClientErrorException e) {
            return Response.status(e.getResponse().getStatus()).entity(page(s, form, e.getMessage(), null, 1)).build();
        }
    }

    @POST
    @Path("{id}/run")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response run(@PathParam("id") UUID id) {
        sources.find(id);
        service.runInBackground(id, operator.get().id());
        return Response.seeOther(URI.create("/sources/" + id + "?notice=started")).build();
    }

    @POST
    @Path("{id}/pause")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response pause(@PathParam("id") UUID id, @jakarta.ws.rs.FormParam("paused") boolean paused) {
        sources.pause(id, paused, operator.get());
        return Response.seeOther(URI.create("/sources/" + id)).build();
    }

    @POST
    @Path("{id}/delete")
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public Response delete(@PathParam("id") UUID id) {
        sources.delete(id, operator.get());
        return Response.seeOther(URI.create("/sources")).build();
    }

    /** The form's fields. */
    public static class FormFields {
        @RestForm String name;
        @RestForm String kind;
        @RestForm String location;
        @RestForm String schedule;
        @RestForm String timeZone;
        @RestForm boolean onNewFile;
        @RestForm String profile;
        @RestForm String matchBy;
        @RestForm String scope;
        @RestForm String absent;
        @RestForm boolean autoApply;
        @RestForm String limitCreate;
        @RestForm String limitUpdate;
        @RestForm String limitSuspend;
        @RestForm String limitDelete;
        @RestForm String pctCreate;
        @RestForm String pctUpdate;
        @RestForm String pctSuspend;
        @RestForm String pctDelete;
        @RestForm String minRowsFraction;
        @RestForm String authType;
        @RestForm String username;
        @RestForm String secret;

        SourcePages.Form form(boolean secretSet) {
            return new SourcePages.Form(s(name), s(kind), s(location), s(schedule), s(timeZone), onNewFile, s(profile),
                    s(matchBy), s(scope), s(absent), autoApply, s(limitCreate), s(limitUpdate), s(limitSuspend),
                    s(limitDelete), s(pctCreate), s(pctUpdate), s(pctSuspend), s(pctDelete), s(minRowsFraction),
                    s(authType), s(username), secretSet);
        }

        private static String s(String v) {
            return v == null ? "" : v;
        }
    }
}
