package dev.roster.access;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Admin sessions (roster.session.*); the defaults live here. */
@ConfigMapping(prefix = "roster.session")
public interface SessionConfig {

    /** A session unused this long ends. */
    @WithDefault("30M")
    Duration idleTimeout();

    /** A session ends this long after sign-in, however busy: a stolen cookie does not live for ever. */
    @WithDefault("12H")
    Duration maxLifetime();
}
