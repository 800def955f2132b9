package dev.roster.support;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A signed-in browser for page tests: keeps cookies like a browser and knows the page's CSRF
 * token, the way a real form or htmx request would send it.
 */
public final class Browser {

    public static final String BOOTSTRAP_EMAIL = "admin@roster.local";
    public static final String BOOTSTRAP_PASSWORD = "test-admin-password-1";
    private static final Pattern META_TOKEN = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]*)\">");

    private final Map<String, String> cookies = new HashMap<>();
    private String csrfToken = "";
    private final String baseUri;

    private Browser(String baseUri) {
        this.baseUri = baseUri;
    }

    public static Browser anonymous() {
        return anonymous(null);
    }

    private static Browser anonymous(String baseUri) {
        Browser browser = new Browser(baseUri);
        browser.get("/login");
        return browser;
    }

    public static Browser signedIn(String email, String password) {
        return signedIn(null, email, password);
    }

    /** Signed in to the Roster at baseUri (a started RosterProcess), or to the test's own when null. */
    public static Browser signedIn(String baseUri, String email, String password) {
        Browser browser = anonymous(baseUri);
        Response response = browser.postForm("/login", Map.of("email", email, "password", password, "next", "/users"));
        if (response.statusCode() != 303) {
            throw new AssertionError("sign-in of " + email + " failed with " + response.statusCode() + ": " + response.asString());
        }
        browser.get("/users");
        return browser;
    }

    public static Browser admin() {
        return signedIn(BOOTSTRAP_EMAIL, BOOTSTRAP_PASSWORD);
    }

    public RequestSpecification request() {
        RequestSpecification spec = given().redirects().follow(false).cookies(cookies);
        return baseUri == null ? spec : spec.baseUri(baseUri);
    }

    public Response get(String path) {
        return remember(request().get(path));
    }

    public Response htmxGet(String path) {
        return remember(request().header("HX-Request", "true").get(path));
    }

    /** A form POST as the page's form sends it: with the CSRF field. */
    public Response postForm(String path, Map<String, String> fields) {
        RequestSpecification spec = request().contentType("application/x-www-form-urlencoded")
                .formParam("csrf-token", csrfToken);
        fields.forEach(spec::formParam);
        return remember(spec.post(path));
    }

    /** A form POST without any CSRF token, as a cross-site attacker's page would send it. */
    public Response postFormWithoutToken(String path, Map<String, String> fields) {
        RequestSpecification spec = request().contentType("application/x-www-form-urlencoded");
        fields.forEach(spec::formParam);
        return remember(spec.post(path));
    }

    /** A POST to the API from the signed-in page (as roster.js sends it): the session cookie and the CSRF header. */
    public Response postApi(String path) {
        return remember(api().post(path));
    }

    /** A request to the API from the signed-in page, to be completed: the session cookie and the CSRF header. */
    public RequestSpecification api() {
        return request().header("X-CSRF-TOKEN", csrfToken);
    }

    public String csrfToken() {
        return csrfToken;
    }

    public Map<String, String> cookies() {
        return cookies;
    }

    private Response remember(Response response) {
        response.getDetailedCookies().forEach(c -> {
            if (c.getMaxAge() == 0) {
                cookies.remove(c.getName());
            } else {
                cookies.put(c.getName(), c.getValue());
            }
        });
        String contentType = response.contentType();
        if (contentType != null && contentType.startsWith("text/html")) {
            Matcher m = META_TOKEN.matcher(response.asString());
            if (m.find() && !m.group(1).isEmpty()) {
                csrfToken = m.group(1);
            }
        }
        return response;
    }
}
