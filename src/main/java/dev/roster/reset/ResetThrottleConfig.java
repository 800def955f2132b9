package dev.roster.reset;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * roster.reset.*: how many invalid set-password links one IP may open in a window, and how many "Forgot your
 * password?" requests one IP and one account may make in theirs (TokenGuessThrottle; decision 0036).
 */
@ConfigMapping(prefix = "roster.reset")
public interface ResetThrottleConfig {

    @WithDefault("20")
    int maxBadTokensPerIp();

    @WithDefault("10M")
    Duration badTokenWindow();

    /** Requests on the Forgot page from one IP per window; more get the "too many attempts" page (429). */
    @WithDefault("10")
    int forgotPerIp();

    /** Reset mails one directory user can be sent from the Forgot page per window; more are dropped silently. */
    @WithDefault("3")
    int forgotPerAccount();

    @WithDefault("1H")
    Duration forgotWindow();
}
