package dev.roster.directory;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import dev.roster.access.CurrentOperator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.csv.ExportLayout;
import dev.roster.sql.Jdbc;
import jakarta.ws.rs.BadRequestException;

/** The streamed CSV download of the directory, shared by the page and the API. */
@ApplicationScoped
public class UserExportResponses {

    @Inject
    UserCsvExport export;
    @Inject
    CurrentOperator operator;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;

    public Response csv() {
        return csv(null);
    }

    /** The export in a format: roster (default), entra, google or okta. */
    public Response csv(String format) {
        ExportLayout.Kind kind;
        try {
            kind = ExportLayout.Kind.parse(format);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("Unknown export format \"" + format + "\": use roster, entra, google or okta.");
        }
        AuditActor actor = operator.get().actor();
        StreamingOutput body = out -> {
            long users = export.write(out, kind);
            // Written once the stream is, in a transaction of its own (the export reads in a read-only one).
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("format", "csv");
            details.put("count", users);
            if (kind != ExportLayout.Kind.ROSTER) {
                details.put("layout", kind.name().toLowerCase(java.util.Locale.ROOT));
            }
            jdbc.runInTransaction(c -> audit.record(c, actor, AuditEventDraft.of(AuditAction.USERS_EXPORTED, details)));
        };
        String name = "roster-users-" + kind.fileTag() + LocalDate.now(ZoneOffset.UTC)
                + ".csv";
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store")
                .build();
    }
}
