package dev.roster.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * HSTS outside the local default, checked on the filter itself (the test profile runs in local mode,
 * and a second profile would cost a Quarkus boot): a response passed through it with local mode off
 * carries the header, with local mode on it does not, and the request goes on either way.
 */
class StrictTransportSecurityTest {

    @Test
    void sentOutsideTheLocalDefault() {
        assertEquals(StrictTransportSecurity.VALUE, headersAfterFilter(false).get("Strict-Transport-Security"));
        assertEquals(StrictTransportSecurity.VALUE, "max-age=31536000; includeSubDomains");
    }

    @Test
    void notSentOnTheLocalDefault() {
        assertNull(headersAfterFilter(true).get("Strict-Transport-Security"));
    }

    private static Map<String, String> headersAfterFilter(boolean localMode) {
        Map<String, String> headers = new HashMap<>();
        boolean[] next = { false };
        HttpServerResponse response = (HttpServerResponse) Proxy.newProxyInstance(StrictTransportSecurityTest.class.getClassLoader(),
                new Class<?>[] { HttpServerResponse.class }, (proxy, method, args) -> {
                    if (method.getName().equals("putHeader")) {
                        headers.put(args[0].toString(), args[1].toString());
                        return proxy;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        RoutingContext routing = (RoutingContext) Proxy.newProxyInstance(StrictTransportSecurityTest.class.getClassLoader(),
                new Class<?>[] { RoutingContext.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "response" -> response;
                    case "next" -> {
                        next[0] = true;
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        StrictTransportSecurity filter = new StrictTransportSecurity();
        filter.localMode = new LocalMode(localMode);
        filter.addHeader(routing);
        assertEquals(true, next[0], "the request goes on");
        return headers;
    }
}
