package dev.roster.batch.apply;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.batch.Batch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The audit events an apply writes, streamed from its plan in file order: one per change (two for an
 * invited create), then batch.applied (and batch.reverted for a revert). Reported as progress.
 */
@ApplicationScoped
class ApplyAuditDrafts {

    private static final TypeReference<List<Map<String, String>>> FIELDS = new TypeReference<>() {
    };

    @Inject
    ObjectMapper json;

    /** One audit event per change (two for an invited create), then batch.applied, in file order. */
    Iterator<AuditEventDraft> of(Connection read, Batch batch, ApplyEngine.Progress progress) throws SQLException {
        PreparedStatement ps = read.prepareStatement("""
                SELECT p.line, p.kind, coalesce(p.user_id, roster_created_user_id(p.batch_id, p.line)), p.fields::text,
                       p.send_invite AND p.password_hash IS NULL, p.password_hash IS NOT NULL, u.email, u.status,
                       (SELECT f->>'after' FROM jsonb_array_elements(p.fields) f WHERE f->>'name' = 'email')
                  FROM plan_item p LEFT JOIN directory_user u ON u.id = p.user_id
                 WHERE p.batch_id = ? AND p.kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET')
                 ORDER BY p.line""");
        ps.setFetchSize(2000);
        ps.setObject(1, batch.id);
        ResultSet rs = ps.executeQuery();
        Deque<AuditEventDraft> pending = new ArrayDeque<>();
        long[] rows = { 0 };
        boolean[] closed = { false };
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (!pending.isEmpty()) {
                    return true;
                }
                if (closed[0]) {
                    return false;
                }
                try {
                    if (rs.next()) {
                        readRow();
                    } else {
                        rs.close();
                        ps.close();
                        closed[0] = true;
                        pending.add(appliedEvent(batch, rows[0]));
                        if (batch.revertsBatch != null) {
                            pending.add(new AuditEventDraft(AuditAction.BATCH_REVERTED, null, null, batch.revertsBatch,
                                    Map.of("revertedBy", batch.id.toString())));
                        }
                    }
                } catch (SQLException | IOException e) {
                    throw new IllegalStateException("could not read the plan: " + e.getMessage(), e);
                }
                return !pending.isEmpty();
            }

            @Override
            public AuditEventDraft next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.poll();
            }

            private void readRow() throws SQLException, IOException {
                long line = rs.getLong(1);
                String kind = rs.getString(2);
                UUID userId = rs.getObject(3, UUID.class);
                List<Map<String, String>> fields = json.readValue(rs.getString(4), FIELDS);
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("line", line);
                switch (kind) {
                    case "CREATE" -> {
                        details.put("fields", fields);
                        if (rs.getBoolean(6)) {
                            details.put("passwordImported", true);
                        }
                        String email = rs.getString(9);
                        pending.add(new AuditEventDraft(AuditAction.USER_CREATED, userId, email, batch.id, details));
                        if (rs.getBoolean(5)) {
                            pending.add(new AuditEventDraft(AuditAction.INVITE_ISSUED, userId, email, batch.id,
                                    Map.of("line", line)));
                        }
                    }
                    case "UPDATE" -> {
                        details.put("fields", fields);
                        pending.add(new AuditEventDraft(AuditAction.USER_UPDATED, userId, rs.getString(7), batch.id, details));
                    }
                    case "DELETE" -> {
                        details.put("statusBefore", rs.getString(8));
                        pending.add(new AuditEventDraft(AuditAction.USER_DELETED, userId, rs.getString(7), batch.id, details));
                    }
                    default -> pending.add(new AuditEventDraft(AuditAction.PASSWORD_RESET_ISSUED, userId, rs.getString(7),
                            batch.id, details));
                }
                rows[0]++;
                if (rows[0] % 1000 == 0) {
                    progress.done(rows[0]);
                }
            }
        };
    }

    private static AuditEventDraft appliedEvent(Batch batch, long rows) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fileName", batch.fileName);
        details.put("sha256", batch.sha256);
        details.put("changes", rows);
        details.put("create", batch.countCreate);
        details.put("update", batch.countUpdate);
        details.put("delete", batch.countDelete);
        details.put("reset", batch.countReset);
        details.put("skippedErrors", batch.countError);
        return new AuditEventDraft(AuditAction.BATCH_APPLIED, null, null, batch.id, details);
    }
}
