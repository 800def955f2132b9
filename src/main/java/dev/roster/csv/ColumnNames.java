package dev.roster.csv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The known columns of the Roster format, their aliases, and how a header name maps to a canonical name. */
public final class ColumnNames {

    public static final String EMAIL = "email";
    public static final String EXTERNAL_ID = "external_id";
    public static final String USERNAME = "username";
    public static final String GIVEN_NAME = "given_name";
    public static final String FAMILY_NAME = "family_name";
    public static final String DISPLAY_NAME = "display_name";
    public static final String PHONE = "phone";
    public static final String DEPARTMENT = "department";
    public static final String TITLE = "title";
    public static final String LOCALE = "locale";
    public static final String SEND_INVITE = "send_invite";
    public static final String PASSWORD_HASH = "password_hash";
    public static final String ACTION = "action";
    public static final String NEW_EMAIL = "new_email";
    public static final String REASON = "reason";
    /** Account status in updates: ACTIVE or SUSPENDED (exports carry it, so they re-upload). */
    public static final String STATUS = "status";
    public static final String ATTRIBUTE_PREFIX = "attr.";
    /** The first day (ISO date): a user starting later is created suspended and activated that day (#26). */
    public static final String START_DATE = "start_date";
    /** The last day (ISO date): the user is suspended at the end of it (#26). */
    public static final String END_DATE = "end_date";
    /** The complete set of groups a user is in after the apply, separated by {@link #GROUP_SEPARATOR}. */
    public static final String GROUPS = "groups";
    /** Groups to add to a user's current ones. */
    public static final String ADD_GROUPS = "add_groups";
    /** Groups to take a user out of. */
    public static final String REMOVE_GROUPS = "remove_groups";
    /** The user's manager: an email, or an external id when the file matches users by external id. */
    public static final String MANAGER = "manager";
    /** Membership files: the group's name. */
    public static final String GROUP = "group";
    /** Membership files: the member's email or external id. */
    public static final String MEMBER = "member";
    /** Group files: a group's description. */
    public static final String DESCRIPTION = "description";
    /** Group files: a group's new name (rename). */
    public static final String NEW_NAME = "new_name";
    /** Separates several groups in one cell. */
    public static final char GROUP_SEPARATOR = '|';
    /** The mapping target of a column Roster reads nothing from. */
    public static final String IGNORE = "ignore";

    // SCIM's core and Enterprise attributes with CSV columns of their own (issue #24, decisions/0032)
    public static final String MIDDLE_NAME = "middle_name";
    public static final String HONORIFIC_PREFIX = "honorific_prefix";
    public static final String HONORIFIC_SUFFIX = "honorific_suffix";
    public static final String NICK_NAME = "nick_name";
    /** An absolute http(s) URL. */
    public static final String PROFILE_URL = "profile_url";
    public static final String USER_TYPE = "user_type";
    /** A language tag, checked like {@link #LOCALE}. */
    public static final String PREFERRED_LANGUAGE = "preferred_language";
    /**
     * An IANA time zone id ("Europe/Berlin"): the user's zone, also the one their start_date and end_date are in
     * (empty: the organisation's, roster.schedule.time-zone; #26, decision 0037). Headers time_zone (as #26 spells it),
     * "Time Zone", tz and zoneinfo read as this column.
     */
    public static final String TIMEZONE = "timezone";
    public static final String EMPLOYEE_NUMBER = "employee_number";
    public static final String COST_CENTER = "cost_center";
    public static final String ORGANIZATION = "organization";
    public static final String DIVISION = "division";
    /** The columns above, in the order exports and the documentation list them (directory_user columns too). */
    public static final List<String> EXTENDED = List.of(MIDDLE_NAME, HONORIFIC_PREFIX, HONORIFIC_SUFFIX, NICK_NAME,
            PROFILE_URL, USER_TYPE, PREFERRED_LANGUAGE, TIMEZONE, EMPLOYEE_NUMBER, COST_CENTER, ORGANIZATION, DIVISION);

    // Kept only from SCIM, no CSV column: name.formatted, and the multi-valued lists as JSON text (plan cells of a
    // SCIM write; directory_user columns, the lists jsonb).
    public static final String FORMATTED_NAME = "formatted_name";
    public static final String EMAILS = "emails";
    public static final String PHONE_NUMBERS = "phone_numbers";
    public static final String ADDRESSES = "addresses";
    public static final List<String> JSON_LISTS = List.of(EMAILS, PHONE_NUMBERS, ADDRESSES);
    public static final List<String> SCIM_ONLY = List.of(FORMATTED_NAME, EMAILS, PHONE_NUMBERS, ADDRESSES);

    /** Canonical names in the order the documentation lists them. */
    public static final List<String> CANONICAL = List.of(EMAIL, EXTERNAL_ID, USERNAME, GIVEN_NAME, FAMILY_NAME,
            DISPLAY_NAME, PHONE, DEPARTMENT, TITLE, LOCALE, MIDDLE_NAME, HONORIFIC_PREFIX, HONORIFIC_SUFFIX, NICK_NAME,
            PROFILE_URL, USER_TYPE, PREFERRED_LANGUAGE, TIMEZONE, EMPLOYEE_NUMBER, COST_CENTER, ORGANIZATION, DIVISION, SEND_INVITE, PASSWORD_HASH, ACTION, NEW_EMAIL, REASON,
            GROUPS, ADD_GROUPS, REMOVE_GROUPS, MANAGER, START_DATE, END_DATE, GROUP, MEMBER, DESCRIPTION, NEW_NAME);

    /** Columns holding lists of groups: a cell over the cell limit is a row error there, not a refused file. */
    public static final Set<String> GROUP_LISTS = Set.of(GROUPS, ADD_GROUPS, REMOVE_GROUPS);

    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /**
     * Columns recognised only when written exactly as named here: their normalised form is an older alias of another
     * column ("employeenumber" has meant external_id since before employee_number existed, decisions/0032).
     */
    private static final Set<String> EXACT_ONLY = Set.of(EMPLOYEE_NUMBER);

    /** Normalised alias -> canonical name. */
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    /** Normalised names of columns that would carry plaintext passwords. */
    private static final Set<String> PLAINTEXT_PASSWORD = Set.of("password", "passwd", "pwd", "pass", "passwort",
            "kennwort", "motdepasse", "contrasena", "contraseña", "wachtwoord", "initialpassword", "temppassword",
            "temporarypassword", "newpassword", "plaintextpassword", "userpassword", "passcode");

    static {
        alias(EMAIL, "email", "emailaddress", "mail", "mailaddress", "workemail", "primaryemail", "emailid");
        // "Employee Number", "employeeNumber", "Employee No" stay external_id as Roster has always read them
        // ("extend, never rename"); the employee_number column is recognised by its exact name (canonicalise).
        alias(EXTERNAL_ID, "externalid", "employeeid", "employeenumber", "employeeno", "staffid", "personnelnumber", "extid");
        alias(USERNAME, "username", "login", "loginname", "uid");
        alias(GIVEN_NAME, "givenname", "firstname", "forename", "first");
        alias(FAMILY_NAME, "familyname", "lastname", "surname", "last");
        alias(DISPLAY_NAME, "displayname", "name", "fullname");
        alias(PHONE, "phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cellphone", "telephone", "tel");
        alias(DEPARTMENT, "department", "dept");
        alias(TITLE, "title", "jobtitle", "position");
        alias(LOCALE, "locale", "language", "lang");
        alias(MIDDLE_NAME, "middlename");
        alias(HONORIFIC_PREFIX, "honorificprefix", "salutation");
        alias(HONORIFIC_SUFFIX, "honorificsuffix");
        alias(NICK_NAME, "nickname");
        alias(PROFILE_URL, "profileurl", "profilelink");
        alias(USER_TYPE, "usertype");
        alias(PREFERRED_LANGUAGE, "preferredlanguage");
        alias(TIMEZONE, "timezone", "zoneinfo", "tz"); // "timezone" is also time_zone, Time Zone, time-zone
        alias(COST_CENTER, "costcenter", "costcentre");
        alias(ORGANIZATION, "organization", "organisation");
        alias(DIVISION, "division");
        alias(SEND_INVITE, "sendinvite", "sendinvitation", "invite");
        alias(PASSWORD_HASH, "passwordhash", "hashedpassword", "pwhash");
        alias(ACTION, "action");
        alias(NEW_EMAIL, "newemail", "newemailaddress", "newmail");
        alias(REASON, "reason");
        alias(STATUS, "status", "accountstatus", "userstatus");
        alias(GROUPS, "groups", "groupmemberships", "memberof");
        alias(ADD_GROUPS, "addgroups", "addtogroups");
        alias(REMOVE_GROUPS, "removegroups", "removefromgroups");
        alias(MANAGER, "manager", "manageremail", "managerid", "reportsto");
        alias(START_DATE, "startdate", "hiredate", "employeehiredate", "firstday");
        alias(END_DATE, "enddate", "leavedate", "employeeleavedate", "employeeleavedatetime", "lastday", "terminationdate");
        alias(GROUP, "group", "groupname");
        alias(MEMBER, "member", "memberemail", "memberid", "user", "useremail");
        alias(DESCRIPTION, "description", "groupdescription");
        alias(NEW_NAME, "newname", "newgroupname", "rename");
    }

    private ColumnNames() {
    }

    private static void alias(String canonical, String... normalisedNames) {
        for (String name : normalisedNames) {
            ALIASES.put(name, canonical);
        }
    }

    /** Lower case without spaces, underscores and hyphens: "E-Mail Address" -> "emailaddress". */
    public static String normalise(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != ' ' && c != '_' && c != '-' && c != '\t' && c != '\u00A0') {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** Every Roster field a mapping may send a column to (besides attr.* and {@link #IGNORE}). */
    public static final List<String> TARGETS = List.of(EMAIL, EXTERNAL_ID, USERNAME, GIVEN_NAME, FAMILY_NAME, DISPLAY_NAME,
            PHONE, DEPARTMENT, TITLE, LOCALE, MIDDLE_NAME, HONORIFIC_PREFIX, HONORIFIC_SUFFIX, NICK_NAME, PROFILE_URL,
            USER_TYPE, PREFERRED_LANGUAGE, TIMEZONE, EMPLOYEE_NUMBER, COST_CENTER, ORGANIZATION, DIVISION, STATUS, SEND_INVITE, PASSWORD_HASH, ACTION, NEW_EMAIL, REASON, MANAGER, GROUPS,
            ADD_GROUPS, REMOVE_GROUPS, GROUP, MEMBER, DESCRIPTION, NEW_NAME);

    /** Whether a mapping may send a column to this target: a field, attr.&lt;valid name&gt; or ignore. */
    public static boolean isValidTarget(String target) {
        if (target == null) {
            return false;
        }
        if (target.startsWith(ATTRIBUTE_PREFIX)) {
            String name = target.substring(ATTRIBUTE_PREFIX.length());
            return ATTRIBUTE_NAME.matcher(name).matches() && !PLAINTEXT_PASSWORD.contains(normalise(name));
        }
        return target.equals(IGNORE) || TARGETS.contains(target);
    }

    /** A custom attribute for a column name: "Cost Center" -> "attr.costCenter", "cognito:mfa" -> "attr.cognito_mfa". */
    public static String attributeFor(String written) {
        String[] words = written.strip().replaceAll("\\[[^\\]]*\\]", " ").split("[\\s]+");
        StringBuilder name = new StringBuilder();
        for (String word : words) {
            String clean = word.replaceAll("[^A-Za-z0-9_.-]", "_");
            if (clean.isEmpty()) {
                continue;
            }
            if (name.isEmpty()) {
                name.append(Character.toLowerCase(clean.charAt(0))).append(clean.substring(1));
            } else {
                name.append(Character.toUpperCase(clean.charAt(0))).append(clean.substring(1));
            }
        }
        String attr = name.isEmpty() ? "column" : name.toString();
        return ATTRIBUTE_PREFIX + (PLAINTEXT_PASSWORD.contains(normalise(attr)) ? attr + "_ignored" : attr);
    }

    /** Whether a written name would carry plaintext passwords. */
    static boolean isPlaintextPassword(String written) {
        return PLAINTEXT_PASSWORD.contains(normalise(written.strip()));
    }

    public static boolean isAttribute(String canonicalName) {
        return canonicalName.startsWith(ATTRIBUTE_PREFIX);
    }

    /** The custom attribute name of an "attr.costCenter" column: "costCenter". */
    public static String attributeName(String canonicalName) {
        return canonicalName.substring(ATTRIBUTE_PREFIX.length());
    }

    /**
     * Maps one header name to its canonical name.
     *
     * @throws CsvRefusedException for an unknown name, a plaintext password column or a malformed attr name
     */
    static String canonicalise(String written, String fileName, long line) {
        String trimmed = written.strip();
        if (trimmed.regionMatches(true, 0, ATTRIBUTE_PREFIX, 0, ATTRIBUTE_PREFIX.length())) {
            String name = trimmed.substring(ATTRIBUTE_PREFIX.length());
            if (!ATTRIBUTE_NAME.matcher(name).matches()) {
                throw new CsvRefusedException(fileName, line, written, "a custom attribute name may contain only letters, "
                        + "digits, \"_\", \"-\" and \".\"; rename the column, for example to \"attr."
                        + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "\".");
            }
            if (PLAINTEXT_PASSWORD.contains(normalise(name))) {
                throw plaintextPassword(written, fileName, line);
            }
            return ATTRIBUTE_PREFIX + name;
        }
        if (EXACT_ONLY.contains(trimmed)) {
            return trimmed;
        }
        String normalised = normalise(trimmed);
        String canonical = ALIASES.get(normalised);
        if (canonical != null) {
            return canonical;
        }
        if (PLAINTEXT_PASSWORD.contains(normalised)) {
            throw plaintextPassword(written, fileName, line);
        }
        throw new CsvRefusedException(fileName, line, written, unknownColumnMessage(trimmed));
    }

    private static CsvRefusedException plaintextPassword(String written, String fileName, long line) {
        return new CsvRefusedException(fileName, line, written, "plaintext passwords are not accepted: files get copied, "
                + "mailed and logged. Remove the column; new users get an email with a link to set their own password. "
                + "To migrate existing passwords, use a \"password_hash\" column with bcrypt or Argon2id hashes.");
    }

    static String unknownColumnMessage(String written) {
        String suggestion = suggest(written);
        String fix = ". Rename the column in the header line, or write a custom attribute as \"attr.<name>\".";
        if (suggestion != null) {
            return "unknown column \"" + written + "\" (did you mean \"" + suggestion + "\"?)" + fix;
        }
        return "unknown column \"" + written + "\"" + fix + " Known columns: "
                + String.join(", ", CANONICAL) + ".";
    }

    /** The canonical name closest to a misspelt one, or null when nothing is close. */
    static String suggest(String written) {
        String normalised = normalise(written);
        if (normalised.startsWith("attr") && normalised.length() > 4) {
            // attr_costCenter, attr:costCenter, "attr costCenter"
            String rest = written.strip().substring(4).replaceFirst("^[\\s_:\\-/]+", "");
            if (!rest.isEmpty() && ATTRIBUTE_NAME.matcher(rest).matches()) {
                return ATTRIBUTE_PREFIX + rest;
            }
        }
        int allowed = normalised.length() >= 5 ? 2 : 1;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<Map.Entry<String, String>> candidates = new ArrayList<>(ALIASES.entrySet());
        for (Map.Entry<String, String> candidate : candidates) {
            int distance = editDistance(normalised, candidate.getKey());
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate.getValue();
            }
        }
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal string alignment distance: Levenshtein plus swaps of neighbours ("emial" -> "email" is 1). */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
