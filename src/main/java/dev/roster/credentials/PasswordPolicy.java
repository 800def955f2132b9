package dev.roster.credentials;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules a directory user's new password must meet: 12 to 128 characters, not the user's
 * email or name (nor containing the email's local part), not a common password. Plain Java.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 128;
    /** Shown next to the form. */
    public static final List<String> RULES = List.of(
            "12 to 128 characters; spaces are allowed, so a phrase of several words works well",
            "not your email address or your name, and not containing the part of your email before the @",
            "not one of the passwords most often found in leaks");

    private static final Set<String> COMMON = load();

    private PasswordPolicy() {
    }

    /** What is wrong with the password, in words for the user; empty when it is acceptable. */
    public static List<String> violations(String password, String email, Collection<String> names) {
        List<String> problems = new ArrayList<>();
        if (password == null || password.isEmpty()) {
            problems.add("Enter a password.");
            return problems;
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            problems.add("Use at least " + MIN_LENGTH + " characters (this one has " + length + ").");
        }
        if (length > MAX_LENGTH) {
            problems.add("Use at most " + MAX_LENGTH + " characters.");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        String compact = lower.replaceAll("\\s+", "");
        if (email != null && !email.isBlank()) {
            String e = email.trim().toLowerCase(Locale.ROOT);
            int at = e.indexOf('@');
            String local = at > 0 ? e.substring(0, at) : e;
            if (compact.equals(e) || (local.length() >= 3 && lower.contains(local))) {
                problems.add("Do not use your email address or the part of it before the @.");
            }
        }
        if (names != null) {
            for (String name : names) {
                if (name != null && !name.isBlank()
                        && compact.equals(name.toLowerCase(Locale.ROOT).replaceAll("\\s+", ""))) {
                    problems.add("Do not use your name.");
                    break;
                }
            }
        }
        if (COMMON.contains(lower) || COMMON.contains(compact)) {
            problems.add("This password is too common: it appears in lists of leaked passwords. Choose another.");
        }
        return problems;
    }

    static int commonPasswordCount() {
        return COMMON.size();
    }

    private static Set<String> load() {
        Set<String> set = new HashSet<>(16_384);
        try (InputStream in = PasswordPolicy.class.getResourceAsStream("common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("common-passwords.txt is missing from the build");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    set.add(line.trim().toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(set);
    }
}
