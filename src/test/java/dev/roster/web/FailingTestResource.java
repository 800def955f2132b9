package dev.roster.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Test sources only: an endpoint that fails unexpectedly, so the 500 page can be checked. */
@Path("/test-only/fail")
public class FailingTestResource {

    static final String SECRET = "internal detail that must not leak 7f3a";

    @GET
    @Produces({ MediaType.TEXT_HTML, MediaType.APPLICATION_JSON })
    public String fail() {
        throw new IllegalStateException(SECRET);
    }
}
