package dev.roster.batch;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Test hooks, off unless a test sets them: make an apply fail at a chosen line (in-process tests),
 * or pause it at a named phase (roster.test.apply-pause-at, for the crash tests that SIGKILL a
 * packaged Roster there). Unset, the default, they do nothing.
 */
@ApplicationScoped
public class ApplyFaults {

    /** The phases an apply passes, in order, where roster.test.apply-pause-at can hold it. */
    public static final java.util.List<String> PHASES = java.util.List.of("locked", "written", "linked", "audited");

    @ConfigProperty(name = "roster.test.apply-pause-at")
    Optional<String> pauseAt;

    private volatile long failAtLine = -1;

    public void failAtLine(long line) {
        this.failAtLine = line;
    }

    public void clear() {
        this.failAtLine = -1;
    }

    void check(long line) {
        if (line == failAtLine) {
            throw new IllegalStateException("fault injected at line " + line);
        }
    }

    /** Holds the apply (inside its open transaction) for ten minutes when the hook names this phase. */
    void pause(String phase, UUID batchId) {
        if (pauseAt.isEmpty() || !pauseAt.get().equals(phase)) {
            return;
        }
        Log.warnf("roster.test.apply-pause-at: apply of batch %s paused at %s", batchId, phase);
        try {
            Thread.sleep(Duration.ofMinutes(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while paused at " + phase, e);
        }
    }
}
