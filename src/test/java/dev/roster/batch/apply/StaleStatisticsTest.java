package dev.roster.batch.apply;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Plans smaller than the analyse threshold are applied under statistics taken before them, which estimate
 * the new batch at about one row of plan_item. Statements that join the plan to itself then became nested
 * loops over the whole plan per row (1.4 s for 1k created users, minutes for 10k). This sets that scene in
 * one rolled-back transaction and counts the plan_item rows each statement reads (rows x loops, from
 * EXPLAIN ANALYZE): linear in the plan, whatever the machine's speed.
 */
@QuarkusTest
class StaleStatisticsTest {

    private static final int CREATES = 2000;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper json;

    @Test
    void insertAndManagerChecksReadThePlanLinearlyUnderStatisticsThatPredateIt() throws Exception {
        UUID big = UUID.randomUUID();
        UUID small = UUID.randomUUID();
        String domain = "@stale-" + System.nanoTime() + ".example.com";
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                for (UUID id : new UUID[] { big, small }) {
                    st.executeUpdate("INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes) "
                            + "VALUES ('" + id + "', 'ONBOARD', 'EMAIL', 'PLANNED', 'stale.csv', 'x', 1)");
                }
                // An earlier large plan, analysed: the statistics know its batch and not the next one.
                st.executeUpdate("INSERT INTO plan_item (batch_id, line, kind, key, ord, kind_ord) SELECT '" + big
                        + "', g, 'UNCHANGED', 'k' || g, g, g FROM generate_series(2, 20001) g");
                st.execute("SELECT roster_analyze('plan_item')");
                // The new plan: users whose managers are created by the same file (user i reports to i / 10).
                st.executeUpdate("INSERT INTO plan_item (batch_id, line, kind, key, ord, kind_ord, fields) SELECT '" + small
                        + "', g, 'CREATE', 'u' || g || '" + domain + "', g, g, jsonb_build_array("
                        + "jsonb_build_object('name', 'email', 'before', null, 'after', 'u' || g || '" + domain + "'), "
                        + "jsonb_build_object('name', 'manager', 'before', null, 'after', CASE WHEN g > 20 THEN 'u' || (g / 10) || '"
                        + domain + "' END)) FROM generate_series(2, " + (CREATES + 1) + ") g");

                // One more row names a manager nobody has: the check finds it alone (the others are created here).
                st.executeUpdate("INSERT INTO plan_item (batch_id, line, kind, key, ord, kind_ord, fields) VALUES ('" + small
                        + "', " + (CREATES + 2) + ", 'CREATE', 'lost" + domain + "', " + (CREATES + 2) + ", " + (CREATES + 2)
                        + ", '[{\"name\": \"email\", \"before\": null, \"after\": \"lost" + domain + "\"}, "
                        + "{\"name\": \"manager\", \"before\": null, \"after\": \"nobody" + domain + "\"}]')");
                try (PreparedStatement ps = c.prepareStatement(ApplyGroupSql.MISSING_MANAGERS)) {
                    ps.setObject(1, small);
                    ps.setObject(2, small);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next() && rs.getString(8).equals("nobody" + domain), "the missing manager is found");
                        assertFalse(rs.next(), "managers created by the same plan are not missing");
                    }
                }

                long checkRead = planItemRowsRead(c, ApplyGroupSql.MISSING_MANAGERS, small);
                long insertRead = planItemRowsRead(c, ApplySql.INSERT_CREATES, small);
                assertTrue(checkRead <= 4L * CREATES, "the manager check read " + checkRead + " plan rows for " + CREATES);
                assertTrue(insertRead <= 4L * CREATES, "the insert read " + insertRead + " plan rows for " + CREATES);
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM directory_user u JOIN directory_user m ON m.id = u.manager_id "
                        + "WHERE u.email LIKE '%" + domain + "'")) {
                    rs.next();
                    assertTrue(rs.getLong(1) == CREATES - 19, "every created user with a manager has it: " + rs.getLong(1));
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Runs the statement under EXPLAIN ANALYZE and sums rows x loops over its nodes that read plan_item. */
    private long planItemRowsRead(Connection c, String sql, UUID batchId) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
            for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                ps.setObject(i, batchId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rowsRead(json.readTree(rs.getString(1)).get(0).get("Plan"));
            }
        }
    }

    private static long rowsRead(JsonNode node) {
        long sum = "plan_item".equals(node.path("Relation Name").asText())
                ? node.path("Actual Rows").asLong() * node.path("Actual Loops").asLong()
                : 0;
        for (JsonNode child : node.path("Plans")) {
            sum += rowsRead(child);
        }
        return sum;
    }
}
