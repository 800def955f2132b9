package dev.roster.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account that signs in to Roster; never a directory user, so no batch can lock admins out. */
@Entity
@Table(name = "admin_account")
public class AdminAccount extends PanacheEntityBase {

    public enum Source { LOCAL, OIDC }

    @Id
    public UUID id;
    public String email;
    @Column(name = "display_name")
    public String displayName;
    @Column(name = "password_hash")
    public String passwordHash;
    @Enumerated(EnumType.STRING)
    public AdminRole role;
    public boolean enabled;
    @Enumerated(EnumType.STRING)
    public Source source;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "last_sign_in_at")
    public Instant lastSignInAt;
    /**
     * Set for the bootstrap admin with a generated password and for an admin another admin added
     * (AdminDirectory.add); cleared when they choose their own.
     */
    @Column(name = "must_change_password")
    public boolean mustChangePassword;

    public static Optional<AdminAccount> findByEmail(String email) {
        return find("lower(email) = lower(?1)", email == null ? "" : email.trim()).firstResultOptional();
    }

    public static List<AdminAccount> listByEmail() {
        return list("order by lower(email)");
    }

    public static AdminAccount newLocal(String email, String displayName, String passwordHash, AdminRole role) {
        AdminAccount admin = new AdminAccount();
        admin.id = UUID.randomUUID();
        admin.email = email.trim();
        admin.displayName = displayName;
        admin.passwordHash = passwordHash;
        admin.role = role;
        admin.enabled = true;
        admin.source = Source.LOCAL;
        admin.createdAt = Instant.now();
        admin.updatedAt = admin.createdAt;
        return admin;
    }
}
