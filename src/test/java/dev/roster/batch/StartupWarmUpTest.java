package dev.roster.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roster.batch.apply.ApplyWarmUp;
import dev.roster.batch.planning.PlanningWarmUp;
import dev.roster.support.Sql;
import org.eclipse.microprofile.health.Readiness;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** #27, decision 0044: the warm-up runs the real planning and apply code on generated users and stores nothing. */
@QuarkusTest
class StartupWarmUpTest {

    @Inject
    PlanningWarmUp planning;
    @Inject
    ApplyWarmUp apply;
    @Inject
    @Readiness
    StartupWarmUp warmUp;
    @Inject
    Sql sql;

    @Test
    void theWarmUpPlansAndBuildsEveryRowAndStoresNothing() {
        long users = sql.count("SELECT count(*) FROM directory_user");
        long events = sql.count("SELECT count(*) FROM audit_event");
        long tokens = sql.count("SELECT count(*) FROM password_token");
        long outbox = sql.count("SELECT count(*) FROM mail_outbox");
        long items = sql.count("SELECT count(*) FROM plan_item");
        // an onboarding of 300 (all creates: none of the .invalid addresses is in the directory), then an update of them
        assertEquals(600, planning.run(300));
        // a link per user, a created and an invited event per user
        assertEquals(900, apply.run(300));
        assertEquals(users, sql.count("SELECT count(*) FROM directory_user"));
        assertEquals(events, sql.count("SELECT count(*) FROM audit_event"));
        assertEquals(tokens, sql.count("SELECT count(*) FROM password_token"));
        assertEquals(outbox, sql.count("SELECT count(*) FROM mail_outbox"));
        assertEquals(items, sql.count("SELECT count(*) FROM plan_item"));
        // off in the test profile (roster.warm-up.rows=0): ready at once
        assertTrue(warmUp.done());
        assertEquals("UP", warmUp.call().getStatus().name());
    }
}
