package dev.roster.batch.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roster.access.AdminRole;
import dev.roster.support.Batches;
import dev.roster.support.Sql;
import dev.roster.support.TestAdmins;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** #27: a plan of 1,000 rows or more leaves statistics that know its batch, so its diff pages read it by index. */
@QuarkusTest
class PlanStatisticsTest {

    @Inject
    TestAdmins admins;
    @Inject
    Sql sql;

    @Test
    void aPlanOfAThousandRowsIsAnalysedAndItsTabPagesUseTheKindIndex() {
        String op = admins.create(AdminRole.OPERATOR);
        String m = "pst" + System.nanoTime();
        StringBuilder csv = new StringBuilder("email,given_name,family_name\n");
        for (int i = 0; i < 1_000; i++) {
            csv.append(m).append('-').append(i).append("@example.com,N").append(i).append(",Stat\n");
        }
        Object before = sql.rows("SELECT clock_timestamp() AS t").get(0).get("t");
        String id = Batches.upload(op, TestAdmins.PASSWORD, csv.toString(), "onboard", "stats.csv");
        assertEquals("PLANNED", Batches.awaitPlanned(op, TestAdmins.PASSWORD, id).getString("status"));
        assertEquals(1, sql.count("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'plan_item' AND last_analyze >= ?",
                before), "plan_item analysed after the plan: " + sql.rows("SELECT last_analyze FROM pg_stat_user_tables "
                        + "WHERE relname = 'plan_item'") + " (upload at " + before + ")");
        // the estimate for the new batch is its size, not one row: a tab's page is a range of the kind index
        String plan = sql.rows("EXPLAIN SELECT line FROM plan_item WHERE batch_id = '" + id + "'::uuid AND kind = 'CREATE' "
                + "AND kind_ord > 500 ORDER BY kind_ord LIMIT 50").toString();
        assertTrue(plan.contains("plan_item_kind_idx"), plan);
    }
}
