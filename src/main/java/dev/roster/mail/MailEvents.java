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

    /**
     * An admin was shown the link of a message on the Sent mail page (the link itself is never
     * part of the event): fired inside the transaction of {@link SentMailViews#reveal}.
     */
    public record LinkViewed(UUID messageId, UUID userId, String email, UUID batchId, String kind) {
    }

    /** Internal: messages were queued; observed after commit to wake the sender. */
    public record Queued(long count) {
    }
}
