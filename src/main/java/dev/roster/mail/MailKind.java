package dev.roster.mail;

import dev.roster.reset.TokenPurpose;

/** What a mail says: an invitation link, a reset link, or the notice that a password was changed. */
public enum MailKind {
    INVITE, RESET, PASSWORD_CHANGED;

    public static MailKind of(TokenPurpose purpose) {
        return purpose == TokenPurpose.INVITE ? INVITE : RESET;
    }

    public boolean hasLink() {
        return this != PASSWORD_CHANGED;
    }

    public TokenPurpose purpose() {
        return switch (this) {
            case INVITE -> TokenPurpose.INVITE;
            case RESET -> TokenPurpose.RESET;
            case PASSWORD_CHANGED -> null;
        };
    }
}
