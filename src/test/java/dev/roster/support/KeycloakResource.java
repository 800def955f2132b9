package dev.roster.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Keycloak (the Maven Central distribution the build unpacks into target/keycloak) on free
 * loopback ports, started once per test run with the realm src/test/resources/keycloak/roster-realm.json,
 * and Roster's OIDC configuration pointing at it. Keycloak keeps its data in memory (dev-mem), so
 * every run starts from the realm file alone.
 */
public class KeycloakResource implements QuarkusTestResourceLifecycleManager {

    public static final String REALM = "roster";
    public static final String CLIENT_ID = "roster";
    /** As in the realm file; 32+ characters, as Quarkus wants for deriving its cookie keys. */
    public static final String CLIENT_SECRET = "roster-test-client-secret-0123456789abcdef";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);

    private static volatile String realmUrl;
    private Process process;

    @Override
    public Map<String, String> start() {
        if ("off".equals(System.getProperty("roster.test.keycloak"))) {
            // For a quick targeted run (-Droster.test.keycloak=off): OIDC stays off and its tests fail; the full suite never sets it.
            return Map.of();
        }
        Path home = Path.of(System.getProperty("roster.keycloak.home", "target/keycloak/keycloak-26.5.6")).toAbsolutePath();
        if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("No Keycloak distribution at " + home + ": run the tests through Maven (./mvnw verify),"
                    + " whose process-test-resources phase unpacks it");
        }
        int httpPort = freePort();
        int managementPort = freePort();
        realmUrl = "http://127.0.0.1:" + httpPort + "/realms/" + REALM;
        Path log = home.getParent().resolve("keycloak.log");
        try {
            Path importDir = Files.createDirectories(home.resolve("data/import"));
            Files.copy(KeycloakResource.class.getResourceAsStream("/keycloak/roster-realm.json"),
                    importDir.resolve("roster-realm.json"), StandardCopyOption.REPLACE_EXISTING);
            ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-host=127.0.0.1", "--http-port=" + httpPort, "--http-management-port=" + managementPort,
                    "--db=dev-mem", "--import-realm")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            // C1 only: Keycloak spends its start compiling; on 2 shared cores this saves much of it.
            builder.environment().put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
            builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
            builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
            Instant started = Instant.now();
            process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopProcess));
            awaitRealm(started, log);
            System.out.printf("Keycloak ready at %s after %d s (log: %s)%n", realmUrl,
                    Duration.between(started, Instant.now()).toSeconds(), log);
        } catch (IOException e) {
            throw new IllegalStateException("could not start Keycloak from " + home, e);
        }
        return Map.of(
                "quarkus.oidc.tenant-enabled", "true",
                "quarkus.oidc.auth-server-url", realmUrl,
                "quarkus.oidc.client-id", CLIENT_ID,
                "quarkus.oidc.credentials.secret", CLIENT_SECRET,
                // The realm's groups, as a production realm would name them.
                "roster.oidc.operator-values", "roster-operators",
                "roster.oidc.viewer-values", "roster-viewers");
    }

    @Override
    public void stop() {
        stopProcess();
    }

    /** The realm's base URL, e.g. http://127.0.0.1:PORT/realms/roster. */
    public static String realmUrl() {
        return realmUrl;
    }

    private void awaitRealm(Instant started, Path log) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(realmUrl + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).build();
        while (Duration.between(started, Instant.now()).compareTo(START_TIMEOUT) < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (client.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        stopProcess();
        throw new IllegalStateException("Keycloak was not ready within " + START_TIMEOUT + "; see " + log);
    }

    private synchronized void stopProcess() {
        if (process == null) {
            return;
        }
        // kc.sh runs java as a child: end the whole tree.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process = null;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
