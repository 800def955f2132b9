package dev.roster.credentials;

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
}
