package dev.roster.csv;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import dev.roster.csv.VendorTemplates.Vendor;

import static dev.roster.csv.ColumnNames.*;

/**
 * The columns of a users export: Roster's own, or a vendor template's (Entra bulk create, Google Workspace, Okta)
 * written so that Roster reads it back to the same values, so an export re-uploads as all unchanged. A custom
 * attribute goes out only where the template reads it back under the same name.
 */
public final class ExportLayout {

    /** The export formats: {@code format=} on the export URLs. */
    public enum Kind {
        ROSTER, ENTRA, GOOGLE, OKTA;

        public static Kind parse(String value) {
            if (value == null || value.isBlank()) {
                return ROSTER;
            }
            for (Kind kind : values()) {
                if (kind.name().equalsIgnoreCase(value.strip())) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown export format \"" + value + "\"; use roster, entra, google or okta");
        }

        /** "entra-" in a download's name; nothing for Roster's own format. */
        public String fileTag() {
            return this == ROSTER ? "" : name().toLowerCase(Locale.ROOT) + "-";
        }
    }

    /**
     * One column of the export.
     *
     * @param source   the Roster field or attr.&lt;name&gt; it is filled from; empty for a constant
     * @param convert  turns the stored value (null when empty) into the cell
     * @param fallback the Roster field used when the source is empty (Okta's login: the username, else the email), or null
     */
    public record Column(String header, String source, UnaryOperator<String> convert, String fallback) {

        public Column(String header, String source, UnaryOperator<String> convert) {
            this(header, source, convert, null);
        }
    }

    private final Kind kind;
    private final List<Column> columns;

    private ExportLayout(Kind kind, List<Column> columns) {
        this.kind = kind;
        this.columns = List.copyOf(columns);
    }

    public Kind kind() {
        return kind;
    }

    public List<Column> columns() {
        return columns;
    }

    /** Lines before the header: Entra's "version:v1.0". */
    public List<String> preamble() {
        return kind == Kind.ENTRA ? List.of(VendorTemplates.ENTRA_VERSION) : List.of();
    }

    /** The layout for an export whose users carry these custom attributes. */
    public static ExportLayout of(Kind kind, List<String> fixedColumns, List<String> attributeNames) {
        List<Column> out = new ArrayList<>();
        switch (kind) {
            case ROSTER -> {
                fixedColumns.forEach(c -> out.add(plain(c, c)));
                attributeNames.forEach(a -> out.add(plain(ATTRIBUTE_PREFIX + a, ATTRIBUTE_PREFIX + a)));
                return new ExportLayout(kind, out);
            }
            case ENTRA -> {
                out.add(plain("Name [displayName] Required", DISPLAY_NAME));
                out.add(plain("User name [userPrincipalName] Required", EMAIL));
                out.add(new Column("Initial password [passwordProfile] Required", "", v -> ""));
                out.add(new Column("Block sign in (Yes/No) [accountEnabled] Required", STATUS,
                        v -> "SUSPENDED".equals(v) ? "Yes" : "ACTIVE".equals(v) ? "No" : ""));
                out.add(plain("First name [givenName]", GIVEN_NAME));
                out.add(plain("Last name [surname]", FAMILY_NAME));
                out.add(plain("Job title [jobTitle]", TITLE));
                out.add(plain("Department [department]", DEPARTMENT));
                out.add(plain("Office phone [telephoneNumber]", PHONE));
                out.add(plain("Employee ID [employeeId]", EXTERNAL_ID));
                out.add(plain("Preferred language [preferredLanguage]", LOCALE));
                out.add(plain("Company name [companyName]", ORGANIZATION));
                out.add(plain("Employee type [employeeType]", USER_TYPE));
                for (String a : attributeNames) {
                    String header = a + " [" + a + "]";
                    if (readsBack(Vendor.ENTRA, header, a)) {
                        out.add(plain(header, ATTRIBUTE_PREFIX + a));
                    }
                }
            }
            case GOOGLE -> {
                out.add(plain("First Name [Required]", GIVEN_NAME));
                out.add(plain("Last Name [Required]", FAMILY_NAME));
                out.add(plain("Email Address [Required]", EMAIL));
                out.add(new Column("Password [Required]", "", v -> "****"));
                out.add(plain("Org Unit Path [Required]", "attr.orgUnitPath"));
                out.add(plain("Work Phone", PHONE));
                out.add(plain("Employee ID", EXTERNAL_ID));
                out.add(plain("Employee Title", TITLE));
                out.add(plain("Department", DEPARTMENT));
                out.add(plain("Cost Center", COST_CENTER));
                out.add(plain("Employee Type", USER_TYPE));
                if (fixedColumns.contains(MANAGER)) {
                    out.add(plain("Manager Email", MANAGER));
                }
                out.add(new Column("New Status [UPLOAD ONLY]", STATUS,
                        v -> "SUSPENDED".equals(v) ? "Suspended" : "ACTIVE".equals(v) ? "Active" : ""));
                for (String label : List.of("Recovery Email", "Recovery Phone",
                        "Home Secondary Email", "Work Secondary Email", "Home Phone", "Mobile Phone", "Work Address",
                        "Home Address", "Building ID", "Floor Name", "Floor Section")) {
                    String target = VendorTemplates.place(Vendor.GOOGLE, label).target();
                    if (attributeNames.contains(attributeName(target))) {
                        out.add(plain(label, target));
                    }
                }
            }
            case OKTA -> {
                // Okta's import requires a login: the username, or the email of a user without one (which reads
                // back as unchanged, decisions/0031)
                out.add(new Column("login", USERNAME, v -> v == null ? "" : v, EMAIL));
                out.add(plain("firstName", GIVEN_NAME));
                out.add(plain("lastName", FAMILY_NAME));
                out.add(plain("email", EMAIL));
                out.add(plain("displayName", DISPLAY_NAME));
                out.add(plain("title", TITLE));
                out.add(plain("department", DEPARTMENT));
                out.add(plain("primaryPhone", PHONE));
                out.add(plain("employeeNumber", EXTERNAL_ID));
                out.add(new Column("locale", LOCALE, v -> v == null ? "" : v.replace('-', '_')));
                for (String[] column : new String[][] {{"middleName", MIDDLE_NAME}, {"honorificPrefix", HONORIFIC_PREFIX},
                        {"honorificSuffix", HONORIFIC_SUFFIX}, {"nickName", NICK_NAME}, {"profileUrl", PROFILE_URL},
                        {"preferredLanguage", PREFERRED_LANGUAGE}, {"timezone", TIMEZONE}, {"userType", USER_TYPE},
                        {"costCenter", COST_CENTER}, {"organization", ORGANIZATION}, {"division", DIVISION}}) {
                    out.add(plain(column[0], column[1]));
                }
                for (String a : attributeNames) {
                    if (readsBack(Vendor.OKTA, a, a)) {
                        out.add(plain(a, ATTRIBUTE_PREFIX + a));
                    }
                }
            }
        }
        return new ExportLayout(kind, out);
    }

    private static boolean readsBack(Vendor vendor, String header, String attribute) {
        VendorTemplates.Target target = VendorTemplates.place(vendor, header);
        return target != null && target.rule() == CellRule.PLAIN && target.target().equals(ATTRIBUTE_PREFIX + attribute);
    }

    private static Column plain(String header, String source) {
        return new Column(header, source, v -> v == null ? "" : v);
    }
}
