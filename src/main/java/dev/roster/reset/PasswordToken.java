package dev.roster.reset;

import java.time.Instant;
import java.util.UUID;

import dev.roster.credentials.TokenPurpose;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

/** A reset or invitation token: only its SHA-256 is stored; single use, expiring, bound to one user and purpose. */
@Entity
@Table(name = "password_token")
public class PasswordToken extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Enumerated(EnumType.STRING)
    public TokenPurpose purpose;
    @Column(name = "token_hash")
    public String tokenHash;
    @Column(name = "batch_id")
    public UUID batchId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "used_at")
    public Instant usedAt;
    @Column(name = "voided_at")
    public Instant voidedAt;

    /** The token with this SHA-256, locked so two submissions of one link cannot both use it. */
    public static PasswordToken findByHashForUpdate(String tokenHash) {
        return find("tokenHash", tokenHash).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    public static PasswordToken findByHash(String tokenHash) {
        return find("tokenHash", tokenHash).firstResult();
    }

    /** Usable now for this purpose: not used, not replaced by a newer token, not expired. */
    public boolean usableFor(TokenPurpose wanted, Instant now) {
        return purpose == wanted && usedAt == null && voidedAt == null && now.isBefore(expiresAt);
    }
}
