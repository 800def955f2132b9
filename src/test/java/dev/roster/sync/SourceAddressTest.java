package dev.roster.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** The addresses a URL source may not reach unless roster.sync.allow-private-addresses=true (docs/security.md). */
class SourceAddressTest {

    private static boolean isPrivate(String literal) throws Exception {
        return SourceFetcher.privateAddress(InetAddress.getByName(literal));
    }

    @Test
    void theServersOwnNetworkIsPrivateAndThePublicInternetIsNot() throws Exception {
        for (String a : new String[] { "127.0.0.1", "::1", "169.254.169.254", "fe80::1", "10.1.2.3", "172.16.0.1",
                "192.168.1.1", "0.0.0.0", "::", "fd00::1", "100.100.100.200" }) {
            assertTrue(isPrivate(a), a);
        }
        for (String a : new String[] { "93.184.216.34", "2606:2800:220:1::1", "8.8.8.8", "172.32.0.1" }) {
            assertFalse(isPrivate(a), a);
        }
    }
}
