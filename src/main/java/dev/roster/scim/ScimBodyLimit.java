package dev.roster.scim;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The size limit of the /scim route (security review M5), enforced on the headers, before a byte of the body is read:
 * a body larger than roster.scim.max-payload-size (the maxPayloadSize /ServiceProviderConfig advertises) is refused
 * with 413, and a body without Content-Length (chunked) with 411, instead of being read up to the application's
 * 110 MB upload limit first. Runs ahead of authentication: an unauthenticated client cannot push more either.
 */
@ApplicationScoped
public class ScimBodyLimit {

    @Inject
    ScimSettings settings;
    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        // Right after Quarkus' own header handlers and before any body handler or the REST layer reads the body.
        router.route("/scim/*").order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        String length = request.getHeader("Content-Length");
        if (length == null) {
            if (request.getHeader("Transfer-Encoding") != null) {
                refuse(context, 411, null, "Send the request with a Content-Length header: SCIM bodies are checked against "
                        + "maxPayloadSize (" + settings.maxPayloadSize() + " bytes) before they are read.");
                return;
            }
            context.next();
            return;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            refuse(context, 400, "invalidSyntax", "Content-Length \"" + length + "\" is not a number.");
            return;
        }
        if (bytes > settings.maxPayloadSize()) {
            refuse(context, 413, null, "The request is " + bytes + " bytes; SCIM takes at most " + settings.maxPayloadSize()
                    + " (maxPayloadSize). Split it.");
            return;
        }
        context.next();
    }

    private void refuse(RoutingContext context, int status, String scimType, String detail) {
        // Connection: close, so the unread body is dropped with the connection rather than read to find the next request.
        context.response().setStatusCode(status).putHeader("Content-Type", ScimMedia.SCIM_JSON).putHeader("Connection", "close")
                .end(ScimErrors.body(json, status, scimType, detail).toString());
    }
}
