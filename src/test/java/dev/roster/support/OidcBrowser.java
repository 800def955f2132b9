package dev.roster.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser for the authorization-code flow across Roster and Keycloak, over plain HTTP: follows
 * redirects itself (so a test can see every hop) and keeps each host's cookies the way a browser
 * does for http://localhost and http://127.0.0.1, which browsers treat as secure origins (Keycloak
 * marks its cookies Secure even there, and java.net's CookieManager would drop them).
 */
public final class OidcBrowser {

    /** The last page of a navigation and the URLs it went through. */
    public record Page(URI uri, int status, String body, List<URI> hops) {
    }

    private static final Pattern SET_COOKIE = Pattern.compile("^([^=;\\s]+)=([^;]*)(.*)$");
    private static final Pattern META_TOKEN = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]*)\">");
    private static final Pattern LOGIN_FORM = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"",
            Pattern.DOTALL);

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Map<String, String>> cookiesByHost = new HashMap<>();
    private String csrfToken = "";

    /** GET and follow redirects. */
    public Page open(String url) {
        return follow(HttpRequest.newBuilder(URI.create(url)).GET(), URI.create(url));
    }

    /** A form POST, following the redirects that answer it. */
    public Page submit(String url, Map<String, String> fields) {
        String form = fields.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return follow(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), URI.create(url));
    }

    /** Fills Keycloak's sign-in form (found on {@code loginPage}) and follows where it leads. */
    public Page signInAtKeycloak(Page loginPage, String username, String password) {
        Matcher m = LOGIN_FORM.matcher(loginPage.body());
        if (!m.find()) {
            throw new AssertionError("not Keycloak's sign-in form at " + loginPage.uri() + ":\n" + loginPage.body());
        }
        String action = m.group(1).replace("&amp;", "&");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("username", username);
        fields.put("password", password);
        fields.put("credentialId", "");
        return submit(loginPage.uri().resolve(action).toString(), fields);
    }

    public static boolean isKeycloakSignInForm(Page page) {
        return page.status() == 200 && LOGIN_FORM.matcher(page.body()).find();
    }

    /** A single request without following redirects, e.g. to see a status code. */
    public HttpResponse<String> send(HttpRequest.Builder request, URI uri) {
        try {
            HttpResponse<String> response = client.send(withCookies(request, uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            remember(response);
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String csrfToken() {
        return csrfToken;
    }

    public Map<String, String> cookies(String host) {
        return cookiesByHost.getOrDefault(host, Map.of());
    }

    private Page follow(HttpRequest.Builder first, URI firstUri) {
        List<URI> hops = new ArrayList<>();
        HttpRequest.Builder request = first;
        URI uri = firstUri;
        for (int i = 0; i < 20; i++) {
            hops.add(uri);
            HttpResponse<String> response = send(request, uri);
            int status = response.statusCode();
            if (status < 300 || status >= 400 || response.headers().firstValue("Location").isEmpty()) {
                Matcher token = META_TOKEN.matcher(response.body());
                if (token.find() && !token.group(1).isEmpty()) {
                    csrfToken = token.group(1);
                }
                return new Page(uri, status, response.body(), hops);
            }
            uri = uri.resolve(response.headers().firstValue("Location").get());
            request = HttpRequest.newBuilder(uri).GET();
        }
        throw new AssertionError("more than 20 redirects: " + hops);
    }

    private HttpRequest.Builder withCookies(HttpRequest.Builder request, URI uri) {
        Map<String, String> jar = cookiesByHost.get(uri.getHost());
        if (jar != null && !jar.isEmpty()) {
            request.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        return request.timeout(Duration.ofSeconds(60));
    }

    private void remember(HttpResponse<String> response) {
        Map<String, String> jar = cookiesByHost.computeIfAbsent(response.uri().getHost(), h -> new LinkedHashMap<>());
        for (String header : response.headers().allValues("Set-Cookie")) {
            Matcher m = SET_COOKIE.matcher(header.trim());
            if (!m.matches()) {
                continue;
            }
            String attributes = m.group(3).toLowerCase();
            boolean expired = attributes.contains("max-age=0") || attributes.contains("expires=thu, 01 jan 1970")
                    || attributes.contains("expires=thu, 01-jan-1970");
            if (expired) {
                jar.remove(m.group(1));
            } else {
                jar.put(m.group(1), m.group(2));
            }
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
