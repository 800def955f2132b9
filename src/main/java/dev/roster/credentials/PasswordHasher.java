package dev.roster.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes passwords with Argon2id at OWASP's parameters (m=19 MiB, t=2, p=1) as PHC strings,
 * and verifies Argon2id or bcrypt hashes (imported users keep theirs).
 */
public final class PasswordHasher {

    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=(\\d+)\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private PasswordHasher() {
    }

    /** What checking a password against a stored hash found. */
    public enum Verdict {
        MATCH, NO_MATCH,
        /** The stored hash costs more to check than Roster allows (roster.sign-in.max-verify-*): it needs a reset. */
        TOO_COSTLY
    }

    /**
     * What checking a password against a stored hash costs: Argon2id memory (KiB) and passes, or a bcrypt cost
     * (memoryKib 0). All zero for a hash Roster cannot read (verify refuses it without hashing).
     */
    public record VerifyCost(long memoryKib, long passes, int bcryptCost) {
        /** Memory times passes: the Argon2id work. */
        public long work() {
            return memoryKib * passes;
        }
    }

    /** Roster's own Argon2id memory in KiB: what one hashing slot is sized for. */
    public static int ownMemoryKib() {
        return MEMORY_KIB;
    }

    public static VerifyCost verifyCost(String storedHash) {
        if (storedHash == null) {
            return new VerifyCost(0, 0, 0);
        }
        if (BCRYPT.matcher(storedHash).matches()) {
            return new VerifyCost(0, 0, Integer.parseInt(storedHash.substring(4, 6)));
        }
        Matcher m = PHC.matcher(storedHash);
        if (!m.matches()) {
            return new VerifyCost(0, 0, 0);
        }
        try {
            return new VerifyCost(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), 0);
        } catch (NumberFormatException e) {
            return new VerifyCost(Long.MAX_VALUE / 4, 1, 0);
        }
    }

    /** Whether a hash that verified should be replaced by one at Roster's own parameters (imported, or older). */
    public static boolean needsRehash(String storedHash) {
        Matcher m = storedHash == null ? null : PHC.matcher(storedHash);
        return m == null || !m.matches() || !m.group(2).equals(String.valueOf(MEMORY_KIB))
                || !m.group(3).equals(String.valueOf(ITERATIONS)) || !m.group(4).equals(String.valueOf(PARALLELISM));
    }

    public static String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    public static boolean verify(String password, String storedHash) {
        if (password == null || storedHash == null) {
            return false;
        }
        if (BCRYPT.matcher(storedHash).matches()) {
            try {
                return OpenBSDBCrypt.checkPassword(storedHash, password.toCharArray());
            } catch (RuntimeException e) {
                return false;
            }
        }
        Matcher m = PHC.matcher(storedHash);
        if (!m.matches()) {
            return false;
        }
        byte[] salt = B64D.decode(m.group(5));
        byte[] expected = B64D.decode(m.group(6));
        byte[] actual = argon2(password, salt, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** A hash with the same cost as a real one, so an unknown account takes as long to refuse as a wrong password. */
    public static void burnEquivalentTime(String password) {
        argon2(password == null ? "" : password, new byte[SALT_BYTES], MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    }

    private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
