package dev.roster.ldap;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address against a CIDR range (10.0.0.0/8, fd00::/8) or a single address, for roster.ldap.trusted-clients. */
final class Cidr {

    private Cidr() {
    }

    /** Whether ip (a literal address) lies in range; a malformed range matches nothing. */
    static boolean contains(String range, String ip) {
        try {
            int slash = range.indexOf('/');
            byte[] net = literal(slash < 0 ? range : range.substring(0, slash));
            byte[] addr = literal(ip);
            if (net == null || addr == null || net.length != addr.length) {
                return false;
            }
            int bits = slash < 0 ? net.length * 8 : Integer.parseInt(range.substring(slash + 1));
            if (bits < 0 || bits > net.length * 8) {
                return false;
            }
            for (int i = 0; i < net.length; i++) {
                int keep = Math.max(0, Math.min(8, bits - i * 8));
                int mask = keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff;
                if ((net[i] & mask) != (addr[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The bytes of a literal IPv4 or IPv6 address; null for anything else (no name is ever looked up). */
    private static byte[] literal(String text) {
        if (text.isEmpty() || !text.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
