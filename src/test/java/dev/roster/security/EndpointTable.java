package dev.roster.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.restassured.path.json.JsonPath;
import jakarta.ws.rs.HttpMethod;

/**
 * Who may call what: one rule per (method, path template) the app serves, with the least role
 * it needs and the status a request that passes the check gets. Every endpoint the app has must
 * be here ({@link #endpointsOfTheApp()} finds them at run time), so a new endpoint without a rule
 * fails the build.
 */
final class EndpointTable {

    /** The least role an endpoint needs; PUBLIC needs none. */
    enum Access {
        PUBLIC, VIEWER, OPERATOR, ADMIN,
        /** Reached only through the OIDC code flow (no session or Basic credential counts): everyone else goes to the provider. */
        OIDC_CODE_FLOW
    }

    /** Who calls: nobody signed in, or an admin account of a role. */
    enum Caller {
        ANONYMOUS, VIEWER, OPERATOR, ADMIN;

        boolean reaches(Access access) {
            return access == Access.PUBLIC
                    || (access != Access.OIDC_CODE_FLOW && this != ANONYMOUS && ordinal() >= access.ordinal());
        }
    }

    /** How the request carries its input. */
    enum Body {
        NONE, FORM, MULTIPART_CSV, JSON
    }

    /**
     * A rule and how to exercise it. {@code path} makes the concrete address from the fixtures;
     * {@code allowed} is the status for a caller the rule lets through (the handler ran: it may be
     * a 404 for an unknown id, which proves the request got past the role check).
     */
    record Rule(String method, String template, Access access, int allowed, Body body, Function<Fixtures, String> path,
            Supplier<Map<String, String>> fields) {

        boolean api() {
            return template.startsWith("/api/") || template.startsWith("/scim/");
        }

        /** A write of sources or mapping profiles (API or page): only a person signed in makes it (decision 0026). */
        boolean peopleOnly() {
            return !method.equals("GET") && (template.startsWith("/api/sources") || template.startsWith("/api/mapping-profiles")
                    || template.startsWith("/sources") || template.startsWith("/mapping-profiles"));
        }

        String key() {
            return method + " " + template;
        }

        @Override
        public String toString() {
            return key();
        }
    }

    /** Ids of real objects the table's requests point at. */
    record Fixtures(UUID batch, UUID user, UUID mail, UUID unknown) {
    }

    private static final String UPLOAD_CSV = "email,given_name,family_name\nsecurity-table@example.org,Sec,Table\n";

    static String uploadCsv() {
        return UPLOAD_CSV;
    }

    /** The table. Rules are in the order of the resources; ids of objects to change are unknown ones. */
    static final List<Rule> RULES = List.of(
            // Public: the front door, sign-in and sign-out, the set-password pages (their token is the credential)
            rule("GET", "/", Access.PUBLIC, 303),
            rule("GET", "/login", Access.PUBLIC, 200),
            // A wrong password for a fresh unknown address each time (the per-account throttle stays out of it)
            form("POST", "/login", Access.PUBLIC, 401, f -> "/login", () -> Map.of("email", fresh("nobody"),
                    "password", "wrong password 1")),
            rule("POST", "/logout", Access.PUBLIC, 303, Body.FORM),
            rule("GET", "/reset/{token}", Access.PUBLIC, 404, f -> "/reset/" + "x".repeat(43)),
            form("POST", "/reset/{token}", Access.PUBLIC, 404, f -> "/reset/" + "x".repeat(43),
                    () -> Map.of("password", "a long enough password", "confirm", "a long enough password")),
            rule("GET", "/invite/{token}", Access.PUBLIC, 404, f -> "/invite/" + "x".repeat(43)),
            form("POST", "/invite/{token}", Access.PUBLIC, 404, f -> "/invite/" + "x".repeat(43),
                    () -> Map.of("password", "a long enough password", "confirm", "a long enough password")),
            // Self-service pages of directory users: the same answer for any account; a fresh unknown one each time
            rule("GET", "/forgot", Access.PUBLIC, 200),
            form("POST", "/forgot", Access.PUBLIC, 200, f -> "/forgot", () -> Map.of("name", fresh("nobody"))),
            rule("GET", "/password/change", Access.PUBLIC, 200),
            form("POST", "/password/change", Access.PUBLIC, 401, f -> "/password/change", () -> Map.of("name", fresh("nobody"),
                    "current", "wrong password 1", "password", "a long enough password", "confirm", "a long enough password")),
            // OIDC hand-off: needs an OIDC sign-in (the code-flow mechanism), which a session is not. The tests run
            // with Keycloak (support/KeycloakResource), so every caller without an OIDC session is sent to it.
            rule("GET", "/login/oidc", Access.OIDC_CODE_FLOW, 302),
            // Without an OIDC session there is nothing to end at the provider: back to the sign-in page.
            rule("GET", "/logout/oidc", Access.PUBLIC, 303),
            rule("GET", "/api/me", Access.VIEWER, 200),
            // Every role changes its own password; without the current password the change is refused (400)
            // before any check that could count against the caller's sign-in throttle
            rule("GET", "/account", Access.VIEWER, 200),
            form("POST", "/account", Access.VIEWER, 400, f -> "/account", Map::of),
            rule("POST", "/api/me/password", Access.VIEWER, 400, Body.JSON),

            // Users
            rule("GET", "/users", Access.VIEWER, 200),
            rule("GET", "/users/{id}", Access.VIEWER, 200, f -> "/users/" + f.user()),
            rule("GET", "/users/export.csv", Access.VIEWER, 200),
            rule("POST", "/users/{id}/restore", Access.OPERATOR, 404, Body.FORM),
            rule("GET", "/api/users", Access.VIEWER, 200),
            rule("GET", "/api/users/{id}", Access.VIEWER, 200, f -> "/api/users/" + f.user()),
            rule("GET", "/api/users/export.csv", Access.VIEWER, 200),
            rule("POST", "/api/users/{id}/restore", Access.OPERATOR, 404, Body.JSON),

            // Groups (pages): a New group form without a name is refused (422); the rest aim at unknown ids
            rule("GET", "/groups", Access.VIEWER, 200),
            form("POST", "/groups", Access.OPERATOR, 422, f -> "/groups", Map::of),
            rule("GET", "/groups/{id}", Access.VIEWER, 404, f -> "/groups/" + f.unknown()),
            rule("GET", "/groups/{id}/members", Access.VIEWER, 404, f -> "/groups/" + f.unknown() + "/members"),
            rule("GET", "/groups/{id}/members.csv", Access.VIEWER, 404, f -> "/groups/" + f.unknown() + "/members.csv"),
            rule("POST", "/groups/{id}", Access.OPERATOR, 404, Body.FORM),
            rule("POST", "/groups/{id}/delete", Access.OPERATOR, 404, Body.FORM),
            rule("POST", "/groups/{id}/restore", Access.OPERATOR, 404, Body.FORM),
            form("POST", "/groups/{id}/members", Access.OPERATOR, 404, null, () -> Map.of("email", "security-table@example.org")),
            rule("POST", "/groups/{id}/members/{userId}/remove", Access.OPERATOR, 404,
                    f -> "/groups/" + f.unknown() + "/members/" + f.user() + "/remove", Body.FORM),

            // Groups (API): writes aimed at unknown ids (404) or without a name or member (422), so nothing changes
            rule("GET", "/api/groups", Access.VIEWER, 200),
            rule("POST", "/api/groups", Access.OPERATOR, 422, Body.JSON),
            rule("GET", "/api/groups/{id}", Access.VIEWER, 404, f -> "/api/groups/" + f.unknown()),
            rule("PATCH", "/api/groups/{id}", Access.OPERATOR, 404, Body.JSON),
            rule("DELETE", "/api/groups/{id}", Access.OPERATOR, 404, Body.NONE),
            rule("POST", "/api/groups/{id}/restore", Access.OPERATOR, 404, Body.JSON),
            rule("GET", "/api/groups/{id}/members", Access.VIEWER, 404, f -> "/api/groups/" + f.unknown() + "/members"),
            rule("POST", "/api/groups/{id}/members", Access.OPERATOR, 422, Body.JSON),
            rule("DELETE", "/api/groups/{id}/members/{userId}", Access.OPERATOR, 404,
                    f -> "/api/groups/" + f.unknown() + "/members/" + f.user(), Body.NONE),

            // Batches (pages)
            rule("GET", "/batches", Access.VIEWER, 200),
            rule("POST", "/batches", Access.OPERATOR, 303, Body.MULTIPART_CSV),
            rule("GET", "/batches/{id}", Access.VIEWER, 200, f -> "/batches/" + f.batch()),
            rule("GET", "/batches/{id}/progress", Access.VIEWER, 200, f -> "/batches/" + f.batch() + "/progress"),
            rule("GET", "/batches/{id}/errors.csv", Access.VIEWER, 200, f -> "/batches/" + f.batch() + "/errors.csv"),
            rule("GET", "/batches/{id}/manifest.json", Access.VIEWER, 200, f -> "/batches/" + f.batch() + "/manifest.json"),
            rule("GET", "/batches/{id}/plan.csv", Access.VIEWER, 200, f -> "/batches/" + f.batch() + "/plan.csv"),
            rule("GET", "/batches/{id}/confirm", Access.OPERATOR, 200, f -> "/batches/" + f.batch() + "/confirm"),
            form("POST", "/batches/{id}/apply", Access.OPERATOR, 404, null, () -> Map.of("confirm", "1")),
            rule("POST", "/batches/{id}/approve", Access.OPERATOR, 404, Body.FORM),
            rule("POST", "/batches/{id}/replan", Access.OPERATOR, 404, Body.FORM),
            rule("POST", "/batches/{id}/revert", Access.OPERATOR, 404, Body.FORM),
            rule("POST", "/batches/{id}/discard", Access.OPERATOR, 404, Body.FORM),
            rule("GET", "/batches/{id}/mapping", Access.OPERATOR, 404, f -> "/batches/" + f.unknown() + "/mapping"),
            rule("POST", "/batches/{id}/mapping", Access.OPERATOR, 404, Body.FORM),
            // Mapping profiles (page and API); ids of profiles to change are unknown ones
            rule("GET", "/mapping-profiles", Access.VIEWER, 200),
            form("POST", "/mapping-profiles/{id}/rename", Access.OPERATOR, 404, null, () -> Map.of("name", "renamed")),
            rule("POST", "/mapping-profiles/{id}/delete", Access.OPERATOR, 404, Body.FORM),
            rule("GET", "/api/mapping-profiles", Access.VIEWER, 200),
            rule("GET", "/api/mapping-profiles/{id}", Access.VIEWER, 404, f -> "/api/mapping-profiles/" + f.unknown()),
            // Without a name: 422 after the role check, nothing saved
            rule("POST", "/api/mapping-profiles", Access.OPERATOR, 422, Body.JSON),
            rule("PATCH", "/api/mapping-profiles/{id}", Access.OPERATOR, 404, Body.JSON),
            rule("DELETE", "/api/mapping-profiles/{id}", Access.OPERATOR, 404, Body.JSON),
            rule("GET", "/templates/{operation}", Access.VIEWER, 200, f -> "/templates/onboard"),

            // Batches (API)
            rule("GET", "/api/templates/{operation}", Access.VIEWER, 200, f -> "/api/templates/onboard"),
            rule("POST", "/api/batches", Access.OPERATOR, 202, Body.MULTIPART_CSV),
            rule("GET", "/api/batches", Access.VIEWER, 200),
            rule("GET", "/api/batches/{id}", Access.VIEWER, 200, f -> "/api/batches/" + f.batch()),
            rule("GET", "/api/batches/{id}/changes", Access.VIEWER, 200, f -> "/api/batches/" + f.batch() + "/changes"),
            rule("GET", "/api/batches/{id}/errors.csv", Access.VIEWER, 200, f -> "/api/batches/" + f.batch() + "/errors.csv"),
            rule("GET", "/api/batches/{id}/manifest", Access.VIEWER, 200, f -> "/api/batches/" + f.batch() + "/manifest"),
            rule("GET", "/api/batches/{id}/plan.csv", Access.VIEWER, 200, f -> "/api/batches/" + f.batch() + "/plan.csv"),
            rule("POST", "/api/batches/{id}/apply", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/batches/{id}/approve", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/batches/{id}/replan", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/batches/{id}/revert", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/batches/{id}/discard", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/batches/{id}/mapping", Access.OPERATOR, 404, Body.JSON),

            // Sync sources (pages)
            rule("GET", "/sources", Access.VIEWER, 200),
            form("POST", "/sources", Access.OPERATOR, 400, f -> "/sources", Map::of),
            rule("GET", "/sources/{id}", Access.VIEWER, 404, f -> "/sources/" + f.unknown()),
            form("POST", "/sources/{id}", Access.OPERATOR, 404, null, Map::of),
            rule("POST", "/sources/{id}/run", Access.OPERATOR, 404, Body.FORM),
            form("POST", "/sources/{id}/pause", Access.OPERATOR, 404, null, () -> Map.of("paused", "true")),
            rule("POST", "/sources/{id}/delete", Access.OPERATOR, 404, Body.FORM),
            // Sync sources (API): unknown ids answer 404 once the role check passed; an empty source is refused (400)
            rule("GET", "/api/sources", Access.VIEWER, 200),
            rule("POST", "/api/sources", Access.OPERATOR, 400, f -> "/api/sources", Body.JSON),
            rule("GET", "/api/sources/{id}", Access.VIEWER, 404, f -> "/api/sources/" + f.unknown()),
            rule("PUT", "/api/sources/{id}", Access.OPERATOR, 404, Body.JSON),
            rule("DELETE", "/api/sources/{id}", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/sources/{id}/run", Access.OPERATOR, 404, Body.JSON),
            rule("GET", "/api/sources/{id}/runs", Access.VIEWER, 404, f -> "/api/sources/" + f.unknown() + "/runs"),

            // Dated changes (#26): the calendar page and its API; without a date a move is refused (400) after the role check
            rule("GET", "/scheduled-changes", Access.VIEWER, 200),
            rule("POST", "/scheduled-changes/{id}/cancel", Access.OPERATOR, 404, Body.FORM),
            form("POST", "/scheduled-changes/{id}/move", Access.OPERATOR, 400, null, Map::of),
            rule("GET", "/api/scheduled-changes", Access.VIEWER, 200),
            rule("POST", "/api/scheduled-changes/{id}/cancel", Access.OPERATOR, 404, Body.JSON),
            rule("POST", "/api/scheduled-changes/{id}/move", Access.OPERATOR, 400, Body.JSON),

            // Audit
            rule("GET", "/audit", Access.VIEWER, 200),
            rule("GET", "/audit/fragment", Access.VIEWER, 200, f -> "/audit/fragment?batch=" + f.batch()),
            rule("GET", "/audit/export", Access.VIEWER, 200, f -> "/audit/export?format=csv&batch=" + f.batch()),
            rule("GET", "/audit/verify", Access.VIEWER, 200),
            rule("GET", "/api/audit", Access.VIEWER, 200),
            rule("GET", "/api/audit/export", Access.VIEWER, 200, f -> "/api/audit/export?format=jsonl&batch=" + f.batch()),
            rule("GET", "/api/audit/verify", Access.VIEWER, 200),
            // Without "before" the purge refuses (400) after the role check: nothing is removed
            rule("POST", "/api/audit/purge", Access.ADMIN, 400, Body.FORM),
            rule("GET", "/api/audit/purges", Access.ADMIN, 200),
            rule("POST", "/api/audit/purges/{id}/approve", Access.ADMIN, 404, Body.JSON),
            rule("POST", "/api/audit/purges/{id}/reject", Access.ADMIN, 404, Body.JSON),
            rule("GET", "/api/audit/purges/{id}/receipt", Access.ADMIN, 404, f -> "/api/audit/purges/" + f.unknown() + "/receipt"),
            rule("GET", "/api/audit/checkpoints", Access.VIEWER, 200),
            rule("GET", "/api/audit/checkpoints/{id}", Access.VIEWER, 404, f -> "/api/audit/checkpoints/" + f.unknown()),
            // Signs the current head (harmless to repeat)
            rule("POST", "/api/audit/checkpoints", Access.ADMIN, 200, Body.JSON),
            // Without a checkpoint's text and signature: 400 after the role check
            rule("POST", "/api/audit/verify", Access.VIEWER, 400, Body.JSON),
            rule("POST", "/audit/verify", Access.VIEWER, 400, Body.FORM),
            rule("GET", "/audit/checkpoints/{id}", Access.VIEWER, 404, f -> "/audit/checkpoints/" + f.unknown()),
            rule("POST", "/audit/checkpoints", Access.ADMIN, 303, Body.FORM),
            rule("GET", "/audit/purge", Access.ADMIN, 200),
            // Without "before": 400, nothing requested
            rule("POST", "/audit/purge", Access.ADMIN, 400, Body.FORM),
            rule("POST", "/audit/purge/{id}/approve", Access.ADMIN, 404, Body.FORM),
            rule("POST", "/audit/purge/{id}/reject", Access.ADMIN, 404, Body.FORM),
            rule("GET", "/audit/purge/{id}/receipt", Access.ADMIN, 404, f -> "/audit/purge/" + f.unknown() + "/receipt"),

            // Sent mail
            rule("GET", "/mail", Access.VIEWER, 200),
            rule("GET", "/mail/{id}", Access.VIEWER, 200, f -> "/mail/" + f.mail()),
            rule("GET", "/mail/{id}/body", Access.VIEWER, 200, f -> "/mail/" + f.mail() + "/body"),
            rule("POST", "/mail/{id}/link", Access.ADMIN, 200, f -> "/mail/" + f.mail() + "/link", Body.FORM),
            rule("GET", "/mail/fragment", Access.VIEWER, 200, f -> "/mail/fragment?batch=" + f.batch()),
            rule("POST", "/mail/resend-failed", Access.OPERATOR, 303, f -> "/mail/resend-failed?batch=" + f.unknown(), Body.FORM),

            // Admins
            rule("GET", "/admins", Access.ADMIN, 200),
            // Adds an admin with a fresh address each time (the caller's own role never changes)
            form("POST", "/admins", Access.ADMIN, 200, f -> "/admins", () -> Map.of("email", fresh("table"),
                    "name", "Table Admin", "password", "a long enough password", "role", "viewer")),
            form("POST", "/admins/{id}/role", Access.ADMIN, 404, null, () -> Map.of("role", "viewer")),
            form("POST", "/admins/{id}/enabled", Access.ADMIN, 404, null, () -> Map.of("enabled", "false")),

            // API tokens (#15): admins only, pages and API
            rule("GET", "/tokens", Access.ADMIN, 200),
            // Without a name: 400 after the role check, nothing created
            form("POST", "/tokens", Access.ADMIN, 400, f -> "/tokens", () -> Map.of("scope", "read")),
            rule("POST", "/tokens/{id}/revoke", Access.ADMIN, 404, Body.FORM),
            rule("GET", "/api/tokens", Access.ADMIN, 200),
            // {"confirm": 1} has no name: 400
            rule("POST", "/api/tokens", Access.ADMIN, 400, Body.JSON),
            rule("DELETE", "/api/tokens/{id}", Access.ADMIN, 404, Body.NONE),

            // LDAP (#25): service accounts and lifting a user's bind lockout, admins only, pages and API
            rule("GET", "/ldap/service-accounts", Access.ADMIN, 200),
            // Without a name: 400 after the role check, nothing created
            form("POST", "/ldap/service-accounts", Access.ADMIN, 400, f -> "/ldap/service-accounts",
                    () -> Map.of("right", "read-only")),
            rule("POST", "/ldap/service-accounts/{id}/revoke", Access.ADMIN, 404, Body.FORM),
            rule("GET", "/api/ldap/service-accounts", Access.ADMIN, 200),
            rule("POST", "/api/ldap/service-accounts", Access.ADMIN, 400, Body.JSON),
            rule("DELETE", "/api/ldap/service-accounts/{id}", Access.ADMIN, 404, Body.NONE),
            rule("POST", "/users/{id}/ldap-unlock", Access.ADMIN, 404, Body.FORM),

            // SCIM 2.0 (#15): discovery and reads for viewers (read tokens), writes for operators (read-write tokens)
            rule("GET", "/scim/v2/ServiceProviderConfig", Access.VIEWER, 200),
            rule("GET", "/scim/v2/Schemas", Access.VIEWER, 200),
            rule("GET", "/scim/v2/Schemas/{id}", Access.VIEWER, 200,
                    f -> "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"),
            rule("GET", "/scim/v2/ResourceTypes", Access.VIEWER, 200),
            rule("GET", "/scim/v2/ResourceTypes/{name}", Access.VIEWER, 200, f -> "/scim/v2/ResourceTypes/User"),
            rule("GET", "/scim/v2/Users", Access.VIEWER, 200),
            rule("GET", "/scim/v2/Users/{id}", Access.VIEWER, 200, f -> "/scim/v2/Users/" + f.user()),
            // {"confirm": 1} is no user (no userName): 400 after the role check, nothing created
            rule("POST", "/scim/v2/Users", Access.OPERATOR, 400, Body.JSON),
            // a body that is no User nor PatchOp is 400 before the unknown id is looked up (RFC 7644 §3.12, 0033)
            rule("PUT", "/scim/v2/Users/{id}", Access.OPERATOR, 400, Body.JSON),
            rule("PATCH", "/scim/v2/Users/{id}", Access.OPERATOR, 400, Body.JSON),
            rule("POST", "/scim/v2/Users/.search", Access.VIEWER, 400, Body.JSON),
            rule("DELETE", "/scim/v2/Users/{id}", Access.OPERATOR, 404, Body.NONE),
            rule("GET", "/scim/v2/Groups", Access.VIEWER, 200),
            rule("GET", "/scim/v2/Groups/{id}", Access.VIEWER, 404, f -> "/scim/v2/Groups/" + f.unknown()),
            // {"confirm": 1} is no group (no displayName): 400, nothing created
            rule("POST", "/scim/v2/Groups", Access.OPERATOR, 400, Body.JSON),
            // a body that is no Group nor PatchOp is 400 before the unknown id is looked up (RFC 7644 §3.12, 0033)
            rule("PUT", "/scim/v2/Groups/{id}", Access.OPERATOR, 400, Body.JSON),
            rule("PATCH", "/scim/v2/Groups/{id}", Access.OPERATOR, 400, Body.JSON),
            rule("POST", "/scim/v2/Groups/.search", Access.VIEWER, 400, Body.JSON),
            rule("DELETE", "/scim/v2/Groups/{id}", Access.OPERATOR, 404, Body.NONE),
            // {"confirm": 1} has no Operations: 400, nothing done
            rule("POST", "/scim/v2/Bulk", Access.OPERATOR, 400, Body.JSON));

    /**
     * Served outside the JAX-RS resources and public on purpose: static files, the htmx webjar. Probes and metrics
     * are on the management interface, not here (web/OperationsTest).
     */
    static final List<String> PUBLIC_NON_RESOURCE_PATHS = List.of("/static/roster.css", "/static/roster.js", "/static/favicon.svg",
            "/webjars/htmx.org/dist/htmx.min.js");

    private EndpointTable() {
    }

    /** A batch with an applied onboarding (one user, one invitation mail) for the table's reads. */
    static Fixtures fixtures(Sql sql) {
        String m = "acc" + System.nanoTime();
        JsonPath batch = Batches.uploadAndApply(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD,
                "email,given_name,family_name,send_invite\n" + m + "@example.org,Ac,Cess,true\n", "onboard");
        if (!"APPLIED".equals(batch.getString("status"))) {
            throw new AssertionError("fixture batch not applied: " + batch.prettify());
        }
        UUID user = (UUID) sql.rows("SELECT id FROM directory_user WHERE email = ?", m + "@example.org").get(0).get("id");
        UUID mail = (UUID) sql.rows("SELECT id FROM mail_outbox WHERE user_id = ?", user).get(0).get("id");
        return new Fixtures(UUID.fromString(batch.getString("id")), user, mail, UUID.randomUUID());
    }

    /** Every (method, path template) of the JAX-RS resources in dev.roster, from the compiled classes. */
    static TreeSet<String> endpointsOfTheApp() {
        Path classes = Path.of("target", "classes");
        TreeSet<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("dev/roster"))) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
                jakarta.ws.rs.Path root = type.getAnnotation(jakarta.ws.rs.Path.class);
                for (Method m : type.getDeclaredMethods()) {
                    String http = httpMethod(m);
                    jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                    if (http == null && sub != null) {
                        throw new AssertionError("sub-resource locator " + m + ": extend EndpointTable to follow it");
                    }
                    if (http != null) {
                        if (root == null) {
                            throw new AssertionError(m + " has @" + http + " but its class no @Path");
                        }
                        found.add(http + " " + join(root.value(), sub == null ? "" : sub.value()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    static String join(String root, String sub) {
        String joined = ("/" + root + "/" + sub).replaceAll("/+", "/").replaceAll("\\{(\\w+)\\s*:[^}]*}", "{$1}");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
    }

    private static Rule rule(String method, String template, Access access, int allowed) {
        return new Rule(method, template, access, allowed, Body.NONE, f -> template, Map::of);
    }

    private static Rule rule(String method, String template, Access access, int allowed, Body body) {
        return new Rule(method, template, access, allowed, body, f -> template.replace("{id}", f.unknown().toString()),
                Map::of);
    }

    private static Rule rule(String method, String template, Access access, int allowed, Function<Fixtures, String> path) {
        return new Rule(method, template, access, allowed, Body.NONE, path, Map::of);
    }

    private static Rule rule(String method, String template, Access access, int allowed, Function<Fixtures, String> path,
            Body body) {
        return new Rule(method, template, access, allowed, body, path, Map::of);
    }

    /** A form post; a null path points {id} at an unknown id. */
    private static Rule form(String method, String template, Access access, int allowed, Function<Fixtures, String> path,
            Supplier<Map<String, String>> fields) {
        return new Rule(method, template, access, allowed, Body.FORM,
                path != null ? path : f -> template.replace("{id}", f.unknown().toString()), fields);
    }
}
