package dev.roster.mail;

/** Where an outbox message is: waiting, claimed by a sender (under a lease), delivered, or given up. */
public enum OutboxStatus {
    PENDING, SENDING, SENT, FAILED
}
