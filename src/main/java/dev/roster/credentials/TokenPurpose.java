package dev.roster.credentials;


/** What a password token lets its holder do: set a forgotten password, or accept an invitation. */
public enum TokenPurpose {
    RESET, INVITE;

    /** The path of the public page a link of this purpose opens: /reset/{token} or /invite/{token}. */
    public String path() {
        return this == RESET ? "reset" : "invite";
    }
}
