package dev.roster.mail;

/**
 * Where an outbox message is: waiting, claimed by a sender (under a lease), delivered, given up, or
 * cancelled before it went out because its link died (the user's email changed, or the user was
 * suspended or deleted: the directory_user_void_links trigger, V10).
 */
public enum OutboxStatus {
    PENDING, SENDING, SENT, FAILED, CANCELLED
}
