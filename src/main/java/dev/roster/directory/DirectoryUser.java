package dev.roster.directory;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.roster.plan.UserStatus;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A user of the managed directory: the population CSV batches onboard, update, delete and reset. */
@Entity
@Table(name = "directory_user")
public class DirectoryUser extends PanacheEntityBase {

    @Id
    public UUID id;
    public String email;
    @Column(name = "external_id")
    public String externalId;
    public String username;
    @Column(name = "given_name")
    public String givenName;
    @Column(name = "family_name")
    public String familyName;
    @Column(name = "display_name")
    public String displayName;
    public String phone;
    public String department;
    public String title;
    public String locale;
    @Enumerated(EnumType.STRING)
    public UserStatus status;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> attributes = new TreeMap<>();
    @Column(name = "password_hash")
    public String passwordHash;
    @Version
    public long version;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;
    @Column(name = "status_before_delete")
    public String statusBeforeDelete;
    @Column(name = "purged_at")
    public Instant purgedAt;

    /**
     * The users (not deleted) a "username or e-mail" typed on a self-service page names: the sign-in name
     * lower(coalesce(username, email)) or the e-mail, case-insensitive, both indexed. At most two, so that the caller
     * can tell a name that fits more than one user (and refuse it). Lower-cased by PostgreSQL, as the indexes are
     * (Java's lower case differs for a few characters), after NFC normalisation of what was typed (the composed
     * form, which keyboards and CSV files nearly always carry).
     */
    public static List<DirectoryUser> findBySignInName(String name) {
        String key = Normalizer.normalize(name.trim(), Normalizer.Form.NFC);
        return DirectoryUser.<DirectoryUser>find("(lower(coalesce(username, email)) = lower(?1) or lower(email) = lower(?1))"
                + " and status <> ?2 and deletedAt is null", key, UserStatus.DELETED).page(0, 2).list();
    }

    // The SCIM attributes of issue #24 (decisions/0032)
    @Column(name = "middle_name")
    public String middleName;
    @Column(name = "honorific_prefix")
    public String honorificPrefix;
    @Column(name = "honorific_suffix")
    public String honorificSuffix;
    @Column(name = "formatted_name")
    public String formattedName;
    @Column(name = "nick_name")
    public String nickName;
    @Column(name = "profile_url")
    public String profileUrl;
    @Column(name = "user_type")
    public String userType;
    @Column(name = "preferred_language")
    public String preferredLanguage;
    public String timezone;
    @Column(name = "employee_number")
    public String employeeNumber;
    @Column(name = "cost_center")
    public String costCenter;
    public String organization;
    public String division;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Map<String, Object>> emails;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "phone_numbers")
    public List<Map<String, Object>> phoneNumbers;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<Map<String, Object>> addresses;

    /** One labelled value of the user page. */
    public record Shown(String label, String value) {
    }

    /** The SCIM attributes of issue #24 that are set, labelled, in the order the user page shows them. */
    public List<Shown> scimAttributes() {
        List<Shown> shown = new ArrayList<>();
        shownIf(shown, "Middle name", middleName);
        shownIf(shown, "Honorific prefix", honorificPrefix);
        shownIf(shown, "Honorific suffix", honorificSuffix);
        shownIf(shown, "Formatted name", formattedName);
        shownIf(shown, "Nickname", nickName);
        shownIf(shown, "Profile URL", profileUrl);
        shownIf(shown, "User type", userType);
        shownIf(shown, "Preferred language", preferredLanguage);
        shownIf(shown, "Time zone", timezone);
        shownIf(shown, "Employee number", employeeNumber);
        shownIf(shown, "Cost center", costCenter);
        shownIf(shown, "Organization", organization);
        shownIf(shown, "Division", division);
        shownIf(shown, "Emails", describe(emails, List.of("value")));
        shownIf(shown, "Phone numbers", describe(phoneNumbers, List.of("value")));
        shownIf(shown, "Addresses", describe(addresses, List.of("formatted", "streetAddress", "locality", "region",
                "postalCode", "country")));
        return shown;
    }

    private static void shownIf(List<Shown> shown, String label, String value) {
        if (value != null && !value.isBlank()) {
            shown.add(new Shown(label, value));
        }
    }

    /** "a@example.org (work, primary); b@example.org (home)": the parts given, then type and primary. */
    private static String describe(List<Map<String, Object>> list, List<String> parts) {
        if (list == null || list.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Map<String, Object> element : list) {
            String text = String.join(", ", parts.stream().map(element::get).filter(Objects::nonNull).map(Object::toString).toList());
            List<String> notes = new ArrayList<>();
            if (element.get("type") != null) {
                notes.add(element.get("type").toString());
            }
            if (Boolean.TRUE.equals(element.get("primary"))) {
                notes.add("primary");
            }
            out.add(notes.isEmpty() ? text : text + " (" + String.join(", ", notes) + ")");
        }
        return String.join("; ", out);
    }

    /** The name to show: display name, else given + family name, else the email (or username). */
    public String name() {
        if (displayName != null && !displayName.isBlank()) {
            return displayName;
        }
        String joined = ((givenName == null ? "" : givenName) + " " + (familyName == null ? "" : familyName)).trim();
        return joined.isEmpty() ? identifier() : joined;
    }

    /** How pages name the user in one word: the email, or the username of a user without one (decisions/0031). */
    public String identifier() {
        return email != null ? email : username;
    }

    public Map<String, String> sortedAttributes() {
        return attributes == null ? Map.of() : new TreeMap<>(attributes);
    }
}
