package dev.roster.reset;

import java.util.UUID;

/**
 * CDI events for the audit trail, fired synchronously inside the transaction that made the
 * change, so an observer can write its audit event in that same transaction.
 */
public final class ResetEvents {

    private ResetEvents() {
    }

    /** A reset link (audit action password.reset-issued) or an invitation (invite.issued) was issued and queued. */
    public record TokenIssued(UUID userId, String email, UUID batchId, String purpose) {
        public String auditAction() {
            return TokenPurpose.INVITE.name().equals(purpose) ? "invite.issued" : "password.reset-issued";
        }
    }

    /** A directory user set a password through a reset or invitation link (audit action password.set). */
    public record PasswordSet(UUID userId, String email, String ip, String userAgent) {
    }
}
