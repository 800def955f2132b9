package dev.roster.mapping;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.roster.web.ErrorPages;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A refused mapping: under /api 422 {status, error, problems, proposal}; on a page the error page with the reason. */
public class MappingRefusedMapper {

    @ServerExceptionMapper
    public Response refused(MappingRefused e, UriInfo uri, HttpHeaders headers) {
        if (uri.getRequestUri().getPath().startsWith("/api/")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", 422);
            body.put("error", e.getMessage());
            body.put("problems", e.problems());
            body.put("proposal", e.proposal());
            return Response.status(422).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
        }
        return ErrorPages.respond(422, "Cannot use this mapping", e.getMessage(), null, uri, headers);
    }
}
