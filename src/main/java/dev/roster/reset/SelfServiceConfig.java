package dev.roster.reset;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.self-service.*: the public password pages of directory users beyond their throttles (decision 0036). */
@ConfigMapping(prefix = "roster.self-service")
public interface SelfServiceConfig {

    /**
     * Every refusal on "Change my password" is answered no sooner than this after the request began, so an account
     * whose imported hash is cheaper or costlier to check than Roster's answers as fast as an unknown name.
     */
    @WithDefault("400ms")
    Duration minRefusalTime();

    /** Right current passwords whose new password is refused (422), per user and hour; past it, the plain refusal. */
    @WithDefault("10")
    int verifiedAttemptsPerHour();

    /**
     * Reset mails the "Forgot your password?" page may cause per hour, all accounts together (per instance); past
     * it, requests are dropped (the same answer) and one audit event says the limit was reached.
     */
    @WithDefault("500")
    int mailsPerHour();

    /**
     * Whether an INVITED user who was never sent an invitation (send_invite=false, created by SCIM) may get a link
     * from the "Forgot your password?" page, and so activate themselves. Off: refused with the same answer.
     */
    @WithDefault("false")
    boolean invitedWithoutInvitation();
}
