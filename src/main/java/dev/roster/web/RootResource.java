package dev.roster.web;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** The portal's front door: the Users page until batches exist. */
@Path("/")
public class RootResource {

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/users")).build();
    }
}
