package dev.roster.batch;

import dev.roster.access.AdminRole;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/** GET /templates/{operation}.csv: the CSV template of an operation, for the upload page. */
@Path("/templates")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class TemplateDownloadResource {

    @Inject
    BatchDownloads downloads;

    @GET
    @Path("{operation}")
    @Produces("text/csv")
    public Response template(@PathParam("operation") String operation) {
        return downloads.template(operation);
    }
}
