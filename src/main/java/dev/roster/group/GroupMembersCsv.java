package dev.roster.group;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

import com.opencsv.CSVWriter;
import com.opencsv.ICSVWriter;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.csv.SpreadsheetSafeCell;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * A group's live members as CSV, streamed from a server-side cursor in email order; formula-like cells are
 * neutralised. Recorded as users.exported (with the group) once written, like the users export.
 */
@ApplicationScoped
public class GroupMembersCsv {

    static final String[] HEADER = { "email", "external_id", "name", "status", "added_at", "added_by" };

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;

    public Response response(UserGroup group, AuditActor actor) {
        StreamingOutput body = out -> {
            long count = jdbc.readOnly(c -> {
                try {
                    return write(c, group, out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("format", "csv");
            details.put("count", count);
            details.put("groupId", group.id().toString());
            details.put("group", group.name());
            jdbc.runInTransaction(c -> audit.record(c, actor, AuditEventDraft.of(AuditAction.USERS_EXPORTED, details)));
        };
        String file = "roster-group-" + group.name().replaceAll("[^A-Za-z0-9._-]+", "-") + "-members.csv";
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .header("Cache-Control", "no-store").build();
    }

    private static long write(Connection c, UserGroup group, OutputStream out) throws SQLException, IOException {
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        writer.write('\uFEFF');
        CSVWriter csv = new CSVWriter(writer, ',', ICSVWriter.DEFAULT_QUOTE_CHARACTER, ICSVWriter.DEFAULT_ESCAPE_CHARACTER,
                "\r\n");
        csv.writeNext(HEADER, false);
        long n = 0;
        try (PreparedStatement ps = c.prepareStatement(GroupQuery.MEMBER_SELECT + " ORDER BY lower(coalesce(u.email, u.username)), u.id")) {
            ps.setFetchSize(2000);
            ps.setObject(1, group.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    GroupMember m = GroupQuery.member(rs);
                    csv.writeNext(new String[] { cell(m.email()), cell(m.externalId()), cell(m.name()), cell(m.status()),
                            m.addedAt().toString(), cell(m.addedBy()) }, true);
                    n++;
                }
            }
        }
        csv.flush();
        return n;
    }

    private static String cell(String value) {
        return value == null ? "" : SpreadsheetSafeCell.neutralise(value);
    }
}
