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
    /** When the account last became an enabled admin (null while it is none); see {@link #grantAdmin}. */
    @Column(name = "admin_since")
    public Instant adminSince;
    /** The admin who made it one: null for the bootstrap admin, the OIDC provider, or not known. */
    @Column(name = "admin_granted_by")
    public UUID adminGrantedBy;
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

    /**
     * The admins through whom this account became an admin: who granted it, who granted that one, and so on
     * (each account's last grant). An admin who made sock-puppet admins, directly or through another puppet,
     * finds themselves in each puppet's line. {@code loops} says the walk came back to an account it had seen
     * instead of ending at an admin nobody in Roster granted (the bootstrap admin, the identity provider):
     * puppets that re-granted each other hide who made them, so such a line proves nothing.
     */
    public record GrantLine(java.util.Set<UUID> admins, boolean loops) {
    }

    public static GrantLine grantLine(UUID id) {
        java.util.Set<UUID> line = new java.util.LinkedHashSet<>();
        AdminAccount next = id == null ? null : findById(id);
        if (next != null) {
            line.add(next.id);
        }
        while (next != null && next.adminGrantedBy != null) {
            if (!line.add(next.adminGrantedBy)) {
                line.remove(id);
                return new GrantLine(line, true);
            }
            next = findById(next.adminGrantedBy);
        }
        line.remove(id);
        return new GrantLine(line, false);
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
        if (role == AdminRole.ADMIN) {
            admin.grantAdmin(admin.createdAt, null);
        }
        return admin;
    }

    /**
     * Records that the account became an admin now, by whom (null: no admin did it). A purge approver must have
     * been one before the request, and not through the requester (audit/AuditRetention through IndependentPurgeApprovers, docs/audit.md).
     */
    public void grantAdmin(Instant at, UUID grantedBy) {
        adminSince = at;
        adminGrantedBy = grantedBy;
    }
}
