package dev.roster.mail;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One mail in the transactional outbox. Written in the transaction of the change that causes it,
 * delivered later by {@link MailSender}. The body is never stored: it is rendered from these
 * fields (and the decrypted token of the link) when sent or viewed.
 */
@Entity
@Table(name = "mail_outbox")
public class OutboxMessage extends PanacheEntityBase {

    @Id
    public UUID id;
    @Enumerated(EnumType.STRING)
    public MailKind kind;
    @Enumerated(EnumType.STRING)
    public OutboxStatus status;
    @Column(name = "user_id")
    public UUID userId;
    public String recipient;
    @Column(name = "display_name")
    public String displayName;
    public String subject;
    /** The text of a notice (SYNC_NOTICE); null for the other kinds, whose text is a template. */
    public String body;
    @Column(name = "batch_id")
    public UUID batchId;
    @Column(name = "token_id")
    public UUID tokenId;
    @Column(name = "token_secret")
    public byte[] tokenSecret;
    @Column(name = "link_expires_at")
    public Instant linkExpiresAt;
    public int attempts;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "sent_at")
    public Instant sentAt;
}
