package dev.roster.web;

import jakarta.ws.rs.core.HttpHeaders;

/** Tells htmx requests (which want a fragment) from full page loads. */
public final class HtmxRequest {

    private HtmxRequest() {
    }

    public static boolean isHtmx(HttpHeaders headers) {
        return "true".equalsIgnoreCase(headers.getHeaderString("HX-Request"))
                && !"true".equalsIgnoreCase(headers.getHeaderString("HX-History-Restore-Request"));
    }
}
