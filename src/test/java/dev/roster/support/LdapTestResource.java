package dev.roster.support;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The LDAP service for the tests: free ports for plain LDAP and LDAPS, a self-signed certificate made with the JDK's
 * keytool (target/ldap-test.p12), and every address of the machine listened on, so a test can connect from a
 * non-loopback address and see cleartext binds refused.
 */
public class LdapTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BASE = "dc=roster,dc=test";
    public static final String KEYSTORE_PASSWORD = "ldap-test-keystore";
    private static volatile int port;
    private static volatile int ldapsPort;

    @Override
    public Map<String, String> start() {
        port = KeycloakResource.freePort();
        ldapsPort = KeycloakResource.freePort();
        Path keystore = Path.of("target/ldap-test.p12").toAbsolutePath();
        if (!Files.isRegularFile(keystore)) {
            generate(keystore);
        }
        return Map.of("roster.ldap.port", String.valueOf(port), "roster.ldap.ldaps-port", String.valueOf(ldapsPort),
                "roster.ldap.host", "0.0.0.0", "roster.ldap.base-dn", BASE,
                "roster.ldap.tls.keystore-file", keystore.toString(),
                "roster.ldap.tls.keystore-password", KEYSTORE_PASSWORD);
    }

    @Override
    public void stop() {
    }

    public static int port() {
        return port;
    }

    public static int ldapsPort() {
        return ldapsPort;
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    public static Optional<InetAddress> remoteAddress() {
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!n.isUp() || n.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        return Optional.of(a);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void generate(Path keystore) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        try {
            Files.createDirectories(keystore.getParent());
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "ldap", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "3650", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
