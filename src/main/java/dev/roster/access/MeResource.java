package dev.roster.access;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** GET /api/me: the signed-in admin and their roles. */
@Path("/api/me")
@Authenticated
public class MeResource {

    @Inject
    CurrentAdmin admin;
    @Inject
    SecurityIdentity identity;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> me() {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("id", admin.id());
        me.put("email", admin.email());
        me.put("name", admin.displayName());
        me.put("role", admin.roleLabel());
        me.put("roles", identity.getRoles().stream().sorted().toList());
        me.put("authenticatedBy", admin.channel());
        return me;
    }

}
