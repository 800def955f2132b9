package dev.roster.reset;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.reset.*: how many invalid set-password links one IP may open in a window (TokenGuessThrottle). */
@ConfigMapping(prefix = "roster.reset")
public interface ResetThrottleConfig {

    @WithDefault("20")
    int maxBadTokensPerIp();

    @WithDefault("10M")
    Duration badTokenWindow();
}
