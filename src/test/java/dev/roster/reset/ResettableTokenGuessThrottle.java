package dev.roster.reset;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/**
 * The token-guess throttle with a reset for tests, which share one application (and so one in-memory
 * throttle) and must not block each other's links: a test-source alternative, so production code carries
 * no method that only tests call (docs/architecture.md, "Test hooks live in test sources").
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class ResettableTokenGuessThrottle extends TokenGuessThrottle {

    /** Forgets every IP's failures. */
    public void clear() {
        failures.clear();
    }
}
