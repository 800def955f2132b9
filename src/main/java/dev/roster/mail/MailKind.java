package dev.roster.mail;

import dev.roster.credentials.TokenPurpose;

/**
 * What a mail says: an invitation link, a reset link, the notice that a password was changed, or a
 * notice to operators about a sync run (its own subject and text, no link token).
 */
public enum MailKind {
    INVITE, RESET, PASSWORD_CHANGED, SYNC_NOTICE;

    public static MailKind of(TokenPurpose purpose) {
        return purpose == TokenPurpose.INVITE ? INVITE : RESET;
    }

    public boolean hasLink() {
        return this == INVITE || this == RESET;
    }

    public TokenPurpose purpose() {
        return switch (this) {
            case INVITE -> TokenPurpose.INVITE;
            case RESET -> TokenPurpose.RESET;
            case PASSWORD_CHANGED, SYNC_NOTICE -> null;
        };
    }
}
