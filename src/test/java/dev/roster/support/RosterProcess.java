package dev.roster.support;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.restassured.specification.RequestSpecification;

/**
 * A packaged Roster (target/quarkus-app/quarkus-run.jar) in its own JVM, for the integration
 * tests that kill it with SIGKILL or run two of them on one database. Its console goes to
 * target/it-logs/{name}.log.
 */
public final class RosterProcess implements AutoCloseable {

    public static final String ADMIN_EMAIL = "admin@roster.local";
    public static final String ADMIN_PASSWORD = "it-admin-password-1";
    /** Base64 of 32 bytes, for the tests only. */
    static final String IT_MAIL_TOKEN_KEY = "aXQtb25seS1tYWlsLXRva2VuLWtleS0zMi1ieXRlcyE=";

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;

    private RosterProcess(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    /** Starts Roster on a free port against the IT database with these extra settings, and waits until it is ready. */
    public static RosterProcess start(String name, Map<String, String> settings) {
        int port = freePort();
        int managementPort = freePort();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.host", "127.0.0.1");
        all.put("quarkus.http.port", String.valueOf(port));
        all.put("quarkus.management.host", "127.0.0.1");
        all.put("quarkus.management.port", String.valueOf(managementPort));
        all.put("quarkus.datasource.jdbc.url", ItDatabase.jdbcUrl());
        // The two roles of .ci/db-setup: the app as the runtime role, Flyway as the owner (docs/audit.md).
        all.put("quarkus.datasource.username", "roster_app");
        all.put("quarkus.datasource.password", "roster_app");
        all.put("quarkus.flyway.username", "roster");
        all.put("quarkus.flyway.password", "roster");
        // The IT database's roles keep the local default passwords: say so, or the production profile refuses them.
        all.put("roster.database.allow-default-password", "true");
        all.put("roster.admin.password", ADMIN_PASSWORD);
        all.put("roster.audit.checkpoint-key", "aXQtY2hlY2twb2ludC1rZXktMzItYnl0ZXMtbG9uZy4uLi4=");
        all.put("roster.local-mode", "true");
        all.put("roster.sign-in.free-attempts-per-ip", "100000");
        all.put("quarkus.log.console.json.enabled", "false");
        // The packaged app runs in the prod profile, which refuses to start without a link key from outside the
        // database and with the mock mailer unless allowed (issue #12). One fixed key: instances share the outbox.
        all.put("roster.mail.token-key", IT_MAIL_TOKEN_KEY);
        all.put("roster.mail.allow-mock-in-production", "true");
        // The start-up warm-up gates readiness (decisions/0044): a small one, so the ITs still wait for it, briefly.
        all.put("roster.warm-up.rows", "1000");
        all.putAll(settings);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        all.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(System.getProperty("roster.it.app", "target/quarkus-app/quarkus-run.jar"));
        try {
            Path logs = Path.of(System.getProperty("roster.it.logs", "target/it-logs"));
            Files.createDirectories(logs);
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            Path log = logs.resolve(name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RosterProcess roster = new RosterProcess(name, port, managementPort, process, log);
            roster.awaitReady(Duration.ofSeconds(90));
            return roster;
        } catch (IOException e) {
            throw new IllegalStateException("could not start Roster " + name, e);
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Roster " + name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("Roster " + name + " not ready after " + timeout + "; see " + log);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A rest-assured request to this instance as the bootstrap admin (HTTP Basic). */
    public RequestSpecification api() {
        return given().baseUri(url()).auth().preemptive().basic(ADMIN_EMAIL, ADMIN_PASSWORD).header("X-Roster-Client", "test");
    }

    /** The API as the admin signed in (session cookie and CSRF header): what sources and profiles need (decision 0026). */
    public RequestSpecification signedIn() {
        return Browser.signedIn(url(), ADMIN_EMAIL, ADMIN_PASSWORD).api();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL on Linux: no shutdown hook, no graceful close of connections or transactions. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Waits until the log holds this text (e.g. a test hook's "paused at" line). */
    public void awaitLog(String text, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (logText().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Roster " + name + " exited while waiting for \"" + text + "\"; see " + log);
            }
            sleep(100);
        }
        throw new AssertionError("Roster " + name + " did not log \"" + text + "\" within " + timeout + "; see " + log);
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A graceful stop (SIGTERM). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
