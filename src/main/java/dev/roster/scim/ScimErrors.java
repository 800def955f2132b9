package dev.roster.scim;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every failure under /scim/v2 in the SCIM error schema (RFC 7644 §3.12): {@link ScimException}s as they are, and
 * the JSON errors of web/ErrorPages (401, 403, 404, 405, 415, 500 with its reference) rewritten on the way out.
 */
public class ScimErrors {

    public static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

    @Inject
    ObjectMapper json;

    @ServerExceptionMapper
    public Response scim(ScimException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(ScimMedia.SCIM_JSON).entity(body(json, e.status(),
                e.scimType(), e.getMessage()).toString());
        if (e.status() == 503) {
            r.header("Retry-After", "5");
        }
        return r.build();
    }

    /** A body Jackson could not read is a SCIM invalidSyntax. */
    @ServerExceptionMapper
    public Response unreadable(com.fasterxml.jackson.core.JsonProcessingException e) {
        Log.debugf("unreadable SCIM body: %s", e.getOriginalMessage());
        return scim(ScimException.invalidSyntax("The body is not valid JSON: " + e.getOriginalMessage()));
    }

    static ObjectNode body(ObjectMapper json, int status, String scimType, String detail) {
        return ScimResponses.error(json, status, scimType, detail);
    }

    /** Rewrites ErrorPages' {"status", "error", "reference"} answers of /scim paths into SCIM errors. */
    @ServerResponseFilter
    public void rewrite(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() < 400 || !request.getUriInfo().getPath().startsWith("/scim/")) {
            return;
        }
        Object entity = response.getEntity();
        if (entity instanceof Map<?, ?> map && map.containsKey("error")) {
            String detail = String.valueOf(map.get("error"));
            if (map.get("reference") != null) {
                detail += " (reference " + map.get("reference") + ")";
            }
            String type = response.getStatus() == 413 ? "tooMany" : null;
            response.setEntity(body(json, response.getStatus(), type, detail).toString());
            response.getHeaders().putSingle("Content-Type", ScimMedia.SCIM_JSON);
        } else if (entity instanceof String s && s.startsWith("<")) {
            response.setEntity(body(json, response.getStatus(), null, "Request refused.").toString());
            response.getHeaders().putSingle("Content-Type", ScimMedia.SCIM_JSON);
        } else if (entity instanceof JsonNode) {
            response.getHeaders().putSingle("Content-Type", ScimMedia.SCIM_JSON);
        }
    }
}
