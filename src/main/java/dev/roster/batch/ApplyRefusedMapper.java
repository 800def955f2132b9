package dev.roster.batch;

import java.util.List;

import dev.roster.batch.apply.ApplyRefused;
import dev.roster.batch.state.ApplyConflict;
import dev.roster.web.ErrorPages;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place a refused apply or approval becomes an answer: under /api the JSON body
 * {status, error, conflicts}; the apply form gets the confirm page again with the reason; any other
 * page the friendly error page. Status 409 or 422 as the refusal says.
 */
public class ApplyRefusedMapper {

    @Inject
    BatchService batches;
    @Inject
    ConfirmPage confirmPage;

    @ServerExceptionMapper
    public Response refused(ApplyRefused e, UriInfo uri, HttpHeaders headers) {
        String path = uri.getRequestUri().getPath();
        if (path.startsWith("/api/")) {
            return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.body()).build();
        }
        if (path.endsWith("/apply") && e.batchId() != null) {
            List<ApplyConflict> conflicts = e.conflicts();
            return Response.status(e.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(confirmPage.render(batches.fresh(e.batchId()), e.getMessage(), conflicts).render()).build();
        }
        return ErrorPages.respond(e.status(), e.status() == 409 ? "Conflict" : "Cannot do that", e.getMessage(), null, uri,
                headers);
    }
}
