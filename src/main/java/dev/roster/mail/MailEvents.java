package dev.roster.mail;

/** Internal CDI events of the outbox (the audit trail is written directly, not through events). */
public final class MailEvents {

    private MailEvents() {
    }

    /** Internal: messages were queued; observed after commit to wake the sender. */
    public record Queued(long count) {
    }
}
