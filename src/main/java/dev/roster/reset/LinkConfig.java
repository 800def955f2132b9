package dev.roster.reset;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.tokens.*: how long reset and invitation links work. (roster.reset.* belongs to TokenGuessThrottle.) */
@ConfigMapping(prefix = "roster.tokens")
public interface LinkConfig {

    @WithDefault("60M")
    Duration resetTtl();

    @WithDefault("7D")
    Duration inviteTtl();

    /**
     * roster.public-url (ROSTER_PUBLIC_URL): the base of the links in mails, never taken from a
     * request's Host header. Its value is in application.properties, beside the other settings a
     * production start must review. (A mapping of its own: a mapping of all of roster.* would claim
     * every other feature's keys.)
     */
    @ConfigMapping(prefix = "roster.public-url")
    interface PublicUrl {
        @io.smallrye.config.WithParentName
        String value();
    }
}
