package dev.roster.mail;

import java.util.UUID;

/**
 * CDI events for the audit trail (mail.sent, mail.failed), fired synchronously inside the short
 * transaction that records the outcome, so an observer can write in that same transaction.
 */
public final class MailEvents {

    private MailEvents() {
    }

    /** The SMTP server accepted the message (or, with quarkus.mailer.mock=true, the local Sent mail page has it). */
    public record MailSent(UUID messageId, UUID userId, String email, UUID batchId, String kind) {
    }

    /** Messages one sender pass delivered, recorded in one transaction (in file order of the pass). */
    public record MailsSent(java.util.List<MailSent> sent) {
    }

    /** The message was given up: a permanent (5xx) reply, or the last allowed attempt failed. */
    public record MailFailed(UUID messageId, UUID userId, String email, UUID batchId, String kind, String smtpReply) {
    }

    /** Internal: messages were queued; observed after commit to wake the sender. */
    public record Queued(long count) {
    }
}
