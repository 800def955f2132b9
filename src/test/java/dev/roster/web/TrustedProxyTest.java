package dev.roster.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.roster.reset.ResettableTokenGuessThrottle;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * X-Forwarded-For counts only from a trusted proxy (the test profile trusts 127.0.0.2): a client
 * connecting directly cannot pick the IP its sign-in failures and bad links are counted under, and
 * behind the proxy each real client has its own count, so one of them cannot lock out the others.
 */
@QuarkusTest
class TrustedProxyTest {

    @Inject
    Sql sql;
    @Inject
    ResettableTokenGuessThrottle throttle;

    @AfterEach
    void forgetBadTokens() {
        throttle.clear();
    }

    @Test
    void aSpoofedForwardedForFromAnUntrustedPeerIsIgnored() throws IOException {
        String email = "spoof-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        assertEquals(401, signIn("127.0.0.1", "203.0.113.66", email));
        assertEquals("127.0.0.1", ipOf(email));
    }

    @Test
    void aTrustedProxyForwardsTheRealClientIp() throws IOException {
        String email = "proxied-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        assertEquals(401, signIn("127.0.0.2", "203.0.113.77", email));
        assertEquals("203.0.113.77", ipOf(email));
    }

    @Test
    void badLinksBehindTheProxyLockOutOnlyTheirClient() throws IOException {
        String badLink = "/reset/" + "y".repeat(43);
        for (int i = 0; i < 20; i++) {
            assertEquals(404, status(request("127.0.0.2", "GET " + badLink, "X-Forwarded-For: 203.0.113.10", "")));
        }
        assertEquals(429, status(request("127.0.0.2", "GET " + badLink, "X-Forwarded-For: 203.0.113.10", "")));
        assertEquals(404, status(request("127.0.0.2", "GET " + badLink, "X-Forwarded-For: 203.0.113.11", "")),
                "another client behind the same proxy is not locked out");
        assertEquals(404, status(request("127.0.0.2", "GET " + badLink, "", "")), "nor the proxy itself");
    }

    private int signIn(String from, String forwardedFor, String email) throws IOException {
        Browser browser = Browser.anonymous();
        String cookies = browser.cookies().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .reduce((a, b) -> a + "; " + b).orElse("");
        String body = "email=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&password=wrong+password+1&csrf-token="
                + browser.csrfToken();
        return status(request(from, "POST /login", "X-Forwarded-For: " + forwardedFor + "\r\nCookie: " + cookies
                + "\r\nContent-Type: application/x-www-form-urlencoded", body));
    }

    private String ipOf(String email) {
        return (String) sql.rows("SELECT actor_ip FROM audit_event WHERE actor_name = ? AND action = 'admin.sign-in-failed'",
                email).get(0).get("actor_ip");
    }

    /** One HTTP/1.1 request over a socket bound to {@code from}, the way a proxy at that address would send it. */
    private String request(String from, String requestLine, String headers, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", io.restassured.RestAssured.port), 5000);
            socket.setSoTimeout(30_000);
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            String head = requestLine + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (headers.isEmpty() ? "" : headers + "\r\n") + "Content-Length: " + content.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int status(String response) {
        assertTrue(response.startsWith("HTTP/1.1 "), response);
        return Integer.parseInt(response.substring(9, 12));
    }
}
