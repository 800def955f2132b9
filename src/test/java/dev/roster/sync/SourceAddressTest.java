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

    /** Issue #23: ranges the first check let through; each reaches the server's own network or no public server. */
    @Test
    void embeddedIpv4BenchmarkingAndReservedRangesArePrivate() throws Exception {
        for (String a : new String[] { "::127.0.0.1", "::10.0.0.1", "::8.8.8.8", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
                "64:ff9b::10.1.2.3", "64:ff9b:1::192.168.0.1", "2002:7f00:1::1", "2002:a9fe:a9fe::", "198.18.0.1",
                "198.19.255.254", "240.0.0.1", "255.255.255.255", "::ffff:127.0.0.1" }) {
            assertTrue(isPrivate(a), a);
        }
        for (String a : new String[] { "64:ff9b::808:808", "2002:808:808::1", "198.20.0.1", "223.0.0.1" }) {
            assertFalse(isPrivate(a), a);
        }
    }

    /**
     * Security review (bounds-fix) L5: the NAT64 local-use prefix 64:ff9b:1::/48 reaches only a local translator, and
     * RFC 6052 lets it carry the IPv4 address at other offsets than the last 4 bytes (here 127.0.0.1 and 10.0.0.1 in
     * the /48 and /64 layouts, where the last bytes look public): the whole /48 is private.
     */
    @Test
    void theWholeNat64LocalUsePrefixIsPrivate() throws Exception {
        for (String a : new String[] { "64:ff9b:1:7f00:1::808:808", "64:ff9b:1:0:a00:1:808:808", "64:ff9b:1::8.8.8.8",
                "64:ff9b:1:ffff::1" }) {
            assertTrue(isPrivate(a), a);
        }
        assertFalse(isPrivate("64:ff9b:2::8.8.8.8"), "outside the /48 the usual rules apply");
    }
}
