package dev.roster.plan;

import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneId;
import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Syntax rules and normal forms of single cell values: emails, phones, locales, booleans, password hashes. */
final class CellRules {

    static final int MAX_EMAIL = 254;
    static final int MAX_EMAIL_LOCAL_PART = 64;
    static final int MAX_NAME = 100;
    static final int MAX_TEXT = 255;
    static final int MAX_LOCALE = 35;
    static final int MAX_URL = 2048;

    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{5,14}");
    private static final Pattern PHONE_SEPARATORS = Pattern.compile("[\\s\\-.()\\u00A0]");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$([0-9]{2})\\$[./A-Za-z0-9]{53}");
    private static final Pattern ARGON2ID = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})\\$[A-Za-z0-9+/]{11,}={0,2}\\$[A-Za-z0-9+/]{16,}={0,2}");
    /**
     * Minimum costs of an imported hash (decisions/0030, after OWASP's Password Storage Cheat Sheet): bcrypt cost 10;
     * Argon2id at least 7 MiB with m x t at least 35,840 KiB (each of OWASP's equivalent settings, m=19456,t=2 ...
     * m=7168,t=5, passes). Upper bounds keep one check of a password from costing more than the server can give
     * (decision 0036: the self-service page checks these on a public page, a 512 MiB heap holds a few 64 MiB hashes
     * at once): bcrypt 13, Argon2id 64 MiB with m x t at most 262,144 KiB (64 MiB x 4), t 10, p 16; the same as the
     * default verify ceiling (roster.sign-in.max-verify-*).
     */
    static final int MIN_BCRYPT_COST = 10;
    static final int MAX_BCRYPT_COST = 13;
    static final long MIN_ARGON2_MEMORY_KIB = 7168;
    static final long MIN_ARGON2_MEMORY_TIMES_PASSES = 35840;
    static final long MAX_ARGON2_MEMORY_KIB = 64 * 1024;
    static final long MAX_ARGON2_MEMORY_TIMES_PASSES = 262144;
    static final long MAX_ARGON2_PASSES = 10;
    static final long MAX_ARGON2_LANES = 16;
    /** Domains that passed the checks (IDN.toASCII per row was a tenth of the planner's CPU). */
    private static final java.util.Map<String, Boolean> VALID_DOMAINS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CACHED_DOMAINS = 4096;
    /** The IANA zone ids java.time knows ("Europe/Berlin", "UTC"). */
    private static final Set<String> ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());
    private static final String LOCAL_PART_FORBIDDEN = "()<>,;:\\\"[]@";

    /** A normalised value, or the reason it is not valid. */
    record Checked(String value, String problem) {
        static Checked ok(String value) {
            return new Checked(value, null);
        }

        static Checked bad(String problem) {
            return new Checked(null, problem);
        }

        boolean valid() {
            return problem == null;
        }
    }

    private CellRules() {
    }

    /** Checks an address and lower-cases it; the domain may be international (IDN), the local part UTF-8. */
    static Checked email(String value) {
        if (value.length() > MAX_EMAIL) {
            return Checked.bad("the address is " + value.length() + " characters long; an email address has at most " + MAX_EMAIL);
        }
        int at = value.lastIndexOf('@');
        if (at <= 0 || at == value.length() - 1) {
            return Checked.bad("\"" + value + "\" is not an email address: it needs a name, an @ and a domain, like jane.doe@example.org");
        }
        String local = value.substring(0, at);
        String domain = value.substring(at + 1);
        if (local.length() > MAX_EMAIL_LOCAL_PART) {
            return Checked.bad("the part before @ of \"" + value + "\" is longer than " + MAX_EMAIL_LOCAL_PART + " characters");
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || LOCAL_PART_FORBIDDEN.indexOf(c) >= 0) {
                return Checked.bad("\"" + value + "\" is not an email address: the part before @ may not contain "
                        + (Character.isWhitespace(c) ? "spaces" : "\"" + c + "\""));
            }
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return Checked.bad("\"" + value + "\" is not an email address: dots before @ may not lead, trail or be doubled");
        }
        if (!VALID_DOMAINS.containsKey(domain)) {
            if (!validDomain(domain)) {
                return Checked.bad("\"" + domain + "\" after the @ of \"" + value + "\" is not a valid domain name");
            }
            if (VALID_DOMAINS.size() >= MAX_CACHED_DOMAINS) {
                VALID_DOMAINS.clear();
            }
            VALID_DOMAINS.put(domain, Boolean.TRUE);
        }
        return Checked.ok(value.toLowerCase(Locale.ROOT));
    }

    /** The IDN and label checks of a domain; a file has few distinct domains, so results are cached above. */
    private static boolean validDomain(String domain) {
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String[] labels = ascii.split("\\.", -1);
        boolean labelsOk = labels.length >= 2 && ascii.length() <= 253;
        for (String label : labels) {
            labelsOk &= !label.isEmpty() && label.length() <= 63;
        }
        return labelsOk && !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    /** E.164 after removing spaces, dashes, dots and parentheses; a leading 00 counts as +. */
    static Checked phone(String value) {
        String compact = PHONE_SEPARATORS.matcher(value).replaceAll("");
        if (compact.startsWith("00")) {
            compact = "+" + compact.substring(2);
        }
        if (E164.matcher(compact).matches()) {
            return Checked.ok(compact);
        }
        return Checked.bad("\"" + value + "\" is not a phone number in international format: write + and the country "
                + "code first, like +49 30 1234567 (E.164, at most 15 digits)");
    }

    /** A BCP 47 language tag ("de-CH"); "de_CH" is accepted and normalised. */
    static Checked locale(String value) {
        try {
            Locale locale = new Locale.Builder().setLanguageTag(value.replace('_', '-')).build();
            String tag = locale.toLanguageTag();
            // well-formed BCP 47 allows 5-8 letter languages ("english"), which no real locale uses
            if (locale.getLanguage().length() < 2 || locale.getLanguage().length() > 3 || "und".equals(tag)) {
                return Checked.bad("\"" + value + "\" is not a language tag; use a BCP 47 tag like en, de-CH or pt-BR");
            }
            return Checked.ok(tag);
        } catch (IllformedLocaleException e) {
            return Checked.bad("\"" + value + "\" is not a language tag; use a BCP 47 tag like en, de-CH or pt-BR");
        }
    }

    /** An IANA time zone id as java.time knows it ("Europe/Berlin"); a wrong case is named with the right one. */
    static Checked timezone(String value) {
        if (ZONES.contains(value)) {
            return Checked.ok(value);
        }
        String fix = ZONES.stream().filter(z -> z.equalsIgnoreCase(value)).findFirst()
                .map(z -> "; write it as " + z).orElse("; use an IANA zone id like Europe/Berlin, America/New_York or UTC");
        return Checked.bad("\"" + value + "\" is not a time zone" + fix);
    }

    /** An absolute http or https URL with a host. */
    static Checked url(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && !uri.getHost().isEmpty()) {
                return Checked.ok(value);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        return Checked.bad("\"" + value + "\" is not a web address; write the whole address with http:// or https://, "
                + "like https://example.org/people/jane (spaces written as %20)");
    }

    /** true/false/yes/no/y/n/1/0 in any case; null when the word is none of these. */
    static Boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "y", "1" -> Boolean.TRUE;
            case "false", "no", "n", "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** The problem with a password hash, or null when it is a bcrypt or Argon2id hash. Never echoes the value. */
    static String passwordHashProblem(String value) {
        java.util.regex.Matcher bcrypt = BCRYPT.matcher(value);
        if (bcrypt.matches()) {
            int cost = Integer.parseInt(bcrypt.group(1));
            return cost >= MIN_BCRYPT_COST && cost <= MAX_BCRYPT_COST ? null : "is a bcrypt hash of cost " + cost
                    + "; Roster imports bcrypt hashes of cost " + MIN_BCRYPT_COST + " to " + MAX_BCRYPT_COST + " (a weaker "
                    + "one is cracked quickly if the database leaks). Leave the cell empty: the user gets an email with a "
                    + "link to set a new password";
        }
        java.util.regex.Matcher argon = ARGON2ID.matcher(value);
        if (argon.matches()) {
            long m = Long.parseLong(argon.group(1));
            long t = Long.parseLong(argon.group(2));
            long p = Long.parseLong(argon.group(3));
            boolean strong = m >= MIN_ARGON2_MEMORY_KIB && m * t >= MIN_ARGON2_MEMORY_TIMES_PASSES && t >= 1 && p >= 1;
            boolean bounded = m <= MAX_ARGON2_MEMORY_KIB && t <= MAX_ARGON2_PASSES && p <= MAX_ARGON2_LANES
                    && m * t <= MAX_ARGON2_MEMORY_TIMES_PASSES;
            return strong && bounded ? null : "is an Argon2id hash with m=" + m + ",t=" + t + ",p=" + p + "; Roster imports "
                    + "Argon2id hashes of at least m=" + MIN_ARGON2_MEMORY_KIB + " KiB with m x t at least "
                    + MIN_ARGON2_MEMORY_TIMES_PASSES + " (e.g. m=19456,t=2), and at most m=" + MAX_ARGON2_MEMORY_KIB
                    + ",t=" + MAX_ARGON2_PASSES + ",p=" + MAX_ARGON2_LANES + " with m x t at most " + MAX_ARGON2_MEMORY_TIMES_PASSES
                    + " (checking it must fit the server's memory). Leave the cell empty: the user gets an "
                    + "email with a link to set a new password";
        }
        return "is not a bcrypt hash ($2a$, $2b$ or $2y$) or an Argon2id hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash); "
                + "plaintext passwords are not accepted (the value is not shown here)";
    }

    /** Spreadsheet programs may run a cell starting with one of these as a formula. */
    static boolean looksLikeFormula(String value) {
        if (value.isEmpty()) {
            return false;
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@';
    }

    /** An ISO date (2027-01-04), also with a time that is dropped (Entra's employeeLeaveDateTime 2027-03-31T23:59:59Z). */
    static Checked date(String value) {
        String day = value.length() > 10 && (value.charAt(10) == 'T' || value.charAt(10) == ' ') ? value.substring(0, 10) : value;
        try {
            java.time.LocalDate date = java.time.LocalDate.parse(day);
            if (date.getYear() < 1900 || date.getYear() > 9999) {
                return Checked.bad("\"" + value + "\" is not a plausible date; write it as YYYY-MM-DD, e.g. 2027-01-04");
            }
            return Checked.ok(date.toString());
        } catch (java.time.format.DateTimeParseException e) {
            return Checked.bad("\"" + value + "\" is not a date; write it as YYYY-MM-DD (ISO 8601), e.g. 2027-01-04");
        }
    }
}
