package dev.roster.csv;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.roster.csv.ColumnNames.*;

/**
 * The user templates of the big directories, written from their public documentation: which header names each
 * uses, what Roster field each becomes, and how a header is recognised as one of them. Plain lookups on the header
 * only; nothing here runs per row.
 */
public final class VendorTemplates {

    /** A recognisable template. */
    public enum Vendor {
        ENTRA("entra-create", "Microsoft Entra ID bulk create"),
        GOOGLE("google", "Google Workspace bulk upload"),
        OKTA("okta", "Okta user import"),
        COGNITO("cognito", "AWS Cognito user import"),
        JUMPCLOUD("jumpcloud", "JumpCloud user import");

        final String id;
        final String label;

        Vendor(String id, String label) {
            this.id = id;
            this.label = label;
        }

        public String id() {
            return id;
        }

        public String label() {
            return label;
        }
    }

    /** What one template column becomes. */
    record Target(String target, CellRule rule) {
    }

    public static final String ENTRA_DELETE_ID = "entra-delete";
    public static final String ENTRA_DELETE_LABEL = "Microsoft Entra ID bulk delete";
    public static final String ENTRA_VERSION = "version:v1.0";

    private static final Map<Vendor, Map<String, Target>> KNOWN = new HashMap<>();
    /** Names as the vendor spells them (case kept): the exact spellings count towards a template's score. */
    private static final Map<Vendor, Set<String>> SPELLED = new HashMap<>();

    static {
        // Entra: keyed by the bracketed property name (the labels are localised), lower case.
        entra("displayName", DISPLAY_NAME);
        entra("userPrincipalName", EMAIL);
        put(Vendor.ENTRA, "passwordprofile", "passwordProfile", IGNORE, CellRule.MUST_BE_EMPTY);
        put(Vendor.ENTRA, "accountenabled", "accountEnabled", STATUS, CellRule.BLOCK_SIGN_IN);
        entra("givenName", GIVEN_NAME);
        entra("surname", FAMILY_NAME);
        entra("jobTitle", TITLE);
        entra("department", DEPARTMENT);
        entra("telephoneNumber", PHONE);
        // Read as before the SCIM columns existed: files matched by external id through employeeId keep working
        // ("extend, never rename", decisions/0032). Only columns that used to become attr.* moved to the new fields.
        entra("employeeId", EXTERNAL_ID);
        entra("preferredLanguage", LOCALE);
        entra("companyName", ORGANIZATION);
        entra("employeeType", USER_TYPE);
        for (String attr : List.of("usageLocation", "streetAddress", "state", "country", "physicalDeliveryOfficeName",
                "city", "postalCode", "mobile", "mailNickname", "faxNumber")) {
            entra(attr, ATTRIBUTE_PREFIX + attr);
        }

        // Google Workspace: keyed by the label without its [Required] / [UPLOAD ONLY] note, normalised.
        google("First Name", GIVEN_NAME);
        google("Last Name", FAMILY_NAME);
        google("Email Address", EMAIL);
        put(Vendor.GOOGLE, normalise("Password"), "Password", PASSWORD_HASH, CellRule.GOOGLE_PASSWORD);
        put(Vendor.GOOGLE, normalise("Password Hash Function"), "Password Hash Function", IGNORE, CellRule.GOOGLE_HASH_FUNCTION);
        google("Org Unit Path", "attr.orgUnitPath");
        google("New Primary Email", NEW_EMAIL);
        google("New Status", STATUS);
        google("Recovery Email", "attr.recoveryEmail");
        google("Recovery Phone", "attr.recoveryPhone");
        google("Home Secondary Email", "attr.homeSecondaryEmail");
        google("Work Secondary Email", "attr.workSecondaryEmail");
        google("Work Phone", PHONE);
        google("Home Phone", "attr.homePhone");
        google("Mobile Phone", "attr.mobilePhone");
        google("Work Address", "attr.workAddress");
        google("Home Address", "attr.homeAddress");
        google("Employee ID", EXTERNAL_ID);
        google("Employee Type", USER_TYPE);
        google("Employee Title", TITLE);
        google("Manager Email", MANAGER);
        google("Department", DEPARTMENT);
        google("Cost Center", COST_CENTER);
        google("Building ID", "attr.buildingId");
        google("Floor Name", "attr.floorName");
        google("Floor Section", "attr.floorSection");
        // Roster users always choose their own password through a link: nothing to keep.
        google("Change Password at Next Sign-In", IGNORE);

        // Okta: the profile attribute names, camelCase.
        okta("login", USERNAME);
        okta("firstName", GIVEN_NAME);
        okta("lastName", FAMILY_NAME);
        okta("email", EMAIL);
        okta("title", TITLE);
        okta("displayName", DISPLAY_NAME);
        okta("primaryPhone", PHONE);
        okta("locale", LOCALE);
        // external_id as before the SCIM columns existed (decisions/0032)
        okta("employeeNumber", EXTERNAL_ID);
        okta("department", DEPARTMENT);
        okta("middleName", MIDDLE_NAME);
        okta("honorificPrefix", HONORIFIC_PREFIX);
        okta("honorificSuffix", HONORIFIC_SUFFIX);
        okta("nickName", NICK_NAME);
        okta("profileUrl", PROFILE_URL);
        okta("preferredLanguage", PREFERRED_LANGUAGE);
        okta("timezone", TIMEZONE);
        okta("userType", USER_TYPE);
        okta("costCenter", COST_CENTER);
        okta("organization", ORGANIZATION);
        okta("division", DIVISION);
        // Okta's manager is a free-text name and managerId an Okta id: neither names a Roster user.
        for (String attr : List.of("secondEmail", "mobilePhone", "streetAddress", "city", "state", "zipCode", "countryCode",
                "postalAddress", "managerId", "manager")) {
            okta(attr, ATTRIBUTE_PREFIX + attr);
        }

        // AWS Cognito: the standard attribute names of a user pool's import header.
        cognito("cognito:username", USERNAME);
        cognito("name", DISPLAY_NAME);
        cognito("given_name", GIVEN_NAME);
        cognito("family_name", FAMILY_NAME);
        cognito("email", EMAIL);
        cognito("phone_number", PHONE);
        cognito("locale", LOCALE);
        cognito("cognito:mfa_enabled", "attr.mfa_enabled");
        cognito("middle_name", MIDDLE_NAME);
        cognito("nickname", NICK_NAME);
        cognito("profile", PROFILE_URL);
        cognito("zoneinfo", TIMEZONE);
        for (String attr : List.of("preferred_username", "picture", "website",
                "email_verified", "gender", "birthdate", "phone_number_verified", "address", "updated_at")) {
            cognito(attr, ATTRIBUTE_PREFIX + attr);
        }

        // JumpCloud: the admin portal's CSV import.
        jumpcloud("FirstName", GIVEN_NAME);
        jumpcloud("LastName", FAMILY_NAME);
        jumpcloud("Username", USERNAME);
        jumpcloud("Email", EMAIL);
        jumpcloud("DisplayName", DISPLAY_NAME);
        jumpcloud("JobTitle", TITLE);
        jumpcloud("Department", DEPARTMENT);
        jumpcloud("EmployeeIdentifier", EXTERNAL_ID);
        jumpcloud("PhoneNumber", PHONE);
        // JumpCloud's manager is another user, named by email: Roster's manager column
        jumpcloud("Manager", MANAGER);
        put(Vendor.JUMPCLOUD, normalise("Password"), "Password", IGNORE, CellRule.MUST_BE_EMPTY);
        jumpcloud("MiddleName", MIDDLE_NAME);
        jumpcloud("CostCenter", COST_CENTER);
        jumpcloud("Company", ORGANIZATION);
        jumpcloud("EmployeeType", USER_TYPE);
        for (String attr : List.of("Description", "Location", "AlternateEmail")) {
            jumpcloud(attr, ATTRIBUTE_PREFIX + Character.toLowerCase(attr.charAt(0)) + attr.substring(1));
        }
    }

    private VendorTemplates() {
    }

    private static void put(Vendor vendor, String key, String spelled, String target, CellRule rule) {
        KNOWN.computeIfAbsent(vendor, v -> new HashMap<>()).put(key, new Target(target, rule));
        SPELLED.computeIfAbsent(vendor, v -> new HashSet<>()).add(spelled);
    }

    private static void entra(String property, String target) {
        put(Vendor.ENTRA, property.toLowerCase(Locale.ROOT), property, target, CellRule.PLAIN);
    }

    private static void google(String label, String target) {
        put(Vendor.GOOGLE, normalise(label), label, target, CellRule.PLAIN);
    }

    private static void okta(String name, String target) {
        put(Vendor.OKTA, normalise(name), name, target, CellRule.PLAIN);
    }

    private static void cognito(String name, String target) {
        put(Vendor.COGNITO, name.toLowerCase(Locale.ROOT), name, target, CellRule.PLAIN);
    }

    private static void jumpcloud(String name, String target) {
        put(Vendor.JUMPCLOUD, normalise(name), name, target, CellRule.PLAIN);
    }

    /** Entra's bracketed property name: "Block sign in (Yes/No) [accountEnabled] Required" -> "accountEnabled". */
    static String entraProperty(String written) {
        int close = written.lastIndexOf(']');
        int open = close < 0 ? -1 : written.lastIndexOf('[', close);
        if (open < 0) {
            return null;
        }
        String inside = written.substring(open + 1, close).strip();
        for (int i = 0; i < inside.length(); i++) {
            if (!Character.isLetterOrDigit(inside.charAt(i))) {
                return null;
            }
        }
        return inside.isEmpty() ? null : inside;
    }

    /** Google's label without its note: "Email Address [Required]" -> "Email Address". */
    static String googleLabel(String written) {
        int open = written.indexOf('[');
        return (open < 0 ? written : written.substring(0, open)).strip();
    }

    /** What a template makes of one column, or null when it has no such column. */
    static Target place(Vendor vendor, String written) {
        String name = written.strip();
        Map<String, Target> known = KNOWN.get(vendor);
        return switch (vendor) {
            case ENTRA -> {
                String property = entraProperty(name);
                if (property == null) {
                    yield null;
                }
                Target target = known.get(property.toLowerCase(Locale.ROOT));
                // any other bracketed name is an Entra property: kept under its own name
                yield target != null ? target : new Target(ATTRIBUTE_PREFIX + property, CellRule.PLAIN);
            }
            case GOOGLE -> known.get(normalise(googleLabel(name)));
            case COGNITO -> {
                Target target = known.get(name.toLowerCase(Locale.ROOT));
                if (target == null && name.regionMatches(true, 0, "custom:", 0, 7) && name.length() > 7) {
                    target = new Target(attributeFor(name.substring(7)), CellRule.PLAIN);
                }
                yield target;
            }
            default -> known.get(normalise(name));
        };
    }

    /** Whether the header carries a mark only this vendor's template has. */
    static boolean signature(Vendor vendor, List<String> written, boolean entraVersionLine) {
        for (String raw : written) {
            String name = raw.strip();
            boolean mark = switch (vendor) {
                case ENTRA -> entraVersionLine || (entraProperty(name) != null
                        && KNOWN.get(Vendor.ENTRA).containsKey(entraProperty(name).toLowerCase(Locale.ROOT)));
                case GOOGLE -> {
                    String lower = name.toLowerCase(Locale.ROOT);
                    yield lower.endsWith("[required]") || lower.endsWith("[upload only]") || name.equals("Email Address")
                            || name.equals("Org Unit Path");
                }
                case COGNITO -> name.regionMatches(true, 0, "cognito:", 0, 8);
                case OKTA -> !name.equals(name.toLowerCase(Locale.ROOT)) && SPELLED.get(Vendor.OKTA).contains(name)
                        || name.equals("login");
                case JUMPCLOUD -> SPELLED.get(Vendor.JUMPCLOUD).contains(name) && !name.equals("Email")
                        && !name.equals("Department") && !name.equals("Password") && !name.equals("Manager");
            };
            if (mark) {
                return true;
            }
        }
        return false;
    }

    /** How many columns are written exactly as the vendor spells them: ties between templates compare this. */
    static int score(Vendor vendor, List<String> written) {
        int score = 0;
        for (String raw : written) {
            String name = raw.strip();
            String spelled = switch (vendor) {
                case ENTRA -> entraProperty(name);
                case GOOGLE -> googleLabel(name);
                default -> name;
            };
            if (spelled != null && SPELLED.get(vendor).contains(spelled)) {
                score++;
            }
        }
        return score;
    }
}
