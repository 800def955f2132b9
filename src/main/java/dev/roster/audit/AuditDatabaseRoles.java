package dev.roster.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Says at start whether the app's database role can change the audit trail. A single-role deployment
 * (Flyway and the app as one role that owns audit_event) still starts, with a warning: whoever holds
 * that role can rewrite the chain. docs/audit.md explains the two-role set-up.
 */
@ApplicationScoped
public class AuditDatabaseRoles {

    @Inject
    AgroalDataSource dataSource;

    /** True when the role the app runs as may change or remove audit events (owner, or UPDATE/DELETE/TRUNCATE rights). */
    public boolean runtimeRoleCanRewrite() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT pg_has_role(current_user, c.relowner, 'USAGE')
                       OR has_table_privilege('public.audit_event', 'UPDATE')
                       OR has_table_privilege('public.audit_event', 'DELETE')
                       OR has_table_privilege('public.audit_event', 'TRUNCATE')
                  FROM pg_class c WHERE c.oid = 'public.audit_event'::regclass""");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not check the database role: " + e.getMessage(), e);
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (runtimeRoleCanRewrite()) {
            Log.warn("The database role of the datasource owns (or may change) audit_event: whoever holds it can rewrite"
                    + " or truncate the audit trail. Run Flyway as a separate owner role (QUARKUS_FLYWAY_USERNAME,"
                    + " QUARKUS_FLYWAY_PASSWORD) and give the app a runtime role: docs/audit.md, \"Database roles\".");
        }
    }
}
