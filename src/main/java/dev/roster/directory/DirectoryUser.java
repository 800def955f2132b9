package dev.roster.directory;

import java.text.Normalizer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    /** The name to show: display name, else given + family name, else the email. */
    public String name() {
        if (displayName != null && !displayName.isBlank()) {
            return displayName;
        }
        String joined = ((givenName == null ? "" : givenName) + " " + (familyName == null ? "" : familyName)).trim();
        return joined.isEmpty() ? email : joined;
    }

    public Map<String, String> sortedAttributes() {
        return attributes == null ? Map.of() : new TreeMap<>(attributes);
    }
}
