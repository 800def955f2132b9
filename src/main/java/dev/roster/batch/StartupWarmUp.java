package dev.roster.batch;

import java.util.concurrent.ExecutorService;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.roster.background.BackgroundThreads;
import dev.roster.batch.apply.ApplyWarmUp;
import dev.roster.batch.planning.PlanningWarmUp;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Warms the code an import runs before the instance reports ready (#27, decision 0044). A just-started JVM
 * interprets bytecode until the JIT has compiled the hot methods; the first 10k-row import after a start took 4.3 s
 * (plan and apply) where the next took 2.8 s. This plans an onboarding and an update of
 * {@code roster.warm-up.rows} generated users and runs an apply's per-row Java work on them, storing nothing
 * (batch.planning.PlanningWarmUp, batch.apply.ApplyWarmUp), then reports ready. 0 turns it off (the test and dev
 * profiles). A failure is logged and the instance reports ready anyway: a cold start is slower, never broken.
 */
@ApplicationScoped
@Readiness
public class StartupWarmUp implements HealthCheck {

    @ConfigProperty(name = "roster.warm-up.rows", defaultValue = "20000")
    int rows;
    @Inject
    PlanningWarmUp planning;
    @Inject
    ApplyWarmUp apply;

    private volatile boolean done;
    private ExecutorService executor;

    void start(@Observes StartupEvent event) {
        if (rows <= 0) {
            done = true;
            return;
        }
        executor = BackgroundThreads.single("roster-warm-up");
        executor.submit(() -> {
            try {
                long started = System.nanoTime();
                long items = planning.run(rows);
                long applied = apply.run(rows);
                Log.infof("warmed up in %d ms: %d plan items and %d events and links built, none stored",
                        (System.nanoTime() - started) / 1_000_000, items, applied);
            } catch (RuntimeException | Error e) {
                Log.warnf(e, "the start-up warm-up failed; the first imports after this start are slower");
            } finally {
                done = true;
            }
        });
        executor.shutdown(); // one task: its thread ends with it
    }

    void stop(@Observes ShutdownEvent event) {
        BackgroundThreads.stop(executor, true, java.time.Duration.ZERO);
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("warm-up").status(done).build();
    }

    /** For tests: whether the warm-up has finished (or is off). */
    boolean done() {
        return done;
    }
}
