package dev.roster.sync;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import dev.roster.background.BackgroundThreads;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** "Run now": a source's run on this instance, in the background or on the caller's thread. */
@ApplicationScoped
public class SyncService {

    @Inject
    SyncRunner runner;

    private ExecutorService executor;

    @PostConstruct
    void start() {
        executor = BackgroundThreads.perTask("roster-sync-run");
    }

    void stop(@Observes ShutdownEvent event) {
        BackgroundThreads.stop(executor, true, Duration.ofSeconds(10));
    }

    /** Runs the source now for an admin ({@code by}: recorded on the run, so they cannot approve what it plans). */
    public void runInBackground(UUID sourceId, UUID by) {
        executor.submit(() -> {
            try {
                runner.run(sourceId, SyncRun.MANUAL, by);
            } catch (RuntimeException e) {
                Log.errorf(e, "the run of sync source %s failed", sourceId);
            }
        });
    }

    /** The run's id, or empty when another run of the source is in progress. */
    public Optional<UUID> runNow(UUID sourceId, UUID by) {
        return runner.run(sourceId, SyncRun.MANUAL, by);
    }
}
