package dev.roster.access;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.DefaultBean;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The clock every time-dependent rule reads, so tests can move time instead of sleeping. */
public class ClockProducer {

    /**
     * roster.clock.offset moves a packaged Roster's clock (the integration tests' child processes, which a test's
     * MutableClock cannot reach: they restart an instance "on a later day", decision 0041). Only in local mode: a
     * production clock that lies would shift every expiry and every dated change.
     */
    @Produces
    @DefaultBean
    @ApplicationScoped
    Clock clock(@ConfigProperty(name = "roster.clock.offset") Optional<Duration> offset,
            @ConfigProperty(name = "roster.local-mode") boolean localMode) {
        if (offset.isEmpty() || offset.get().isZero()) {
            return Clock.systemUTC();
        }
        if (!localMode) {
            throw new IllegalStateException("roster.clock.offset is for tests in local mode (roster.local-mode=true); "
                    + "remove it: a production clock must be the system's.");
        }
        Log.warnf("the clock is moved by roster.clock.offset=%s (tests only)", offset.get());
        return Clock.offset(Clock.systemUTC(), offset.get());
    }
}
