package dev.roster.directory;

import java.time.LocalDate;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import dev.roster.access.CurrentAdmin;

/** The streamed CSV download of the directory, shared by the page and the API. */
@ApplicationScoped
public class UserExportResponses {

    /** Fired after an export, for the audit trail. */
    public record UsersExported(java.util.UUID adminId, String adminEmail, long users) {
    }

    @Inject
    UserCsvExport export;
    @Inject
    CurrentAdmin currentAdmin;
    @Inject
    Event<UsersExported> exported;

    public Response csv() {
        java.util.UUID adminId = currentAdmin.id();
        String adminEmail = currentAdmin.email();
        StreamingOutput body = out -> {
            long users = export.write(out);
            exported.fire(new UsersExported(adminId, adminEmail, users));
        };
        String name = "roster-users-" + LocalDate.now(ZoneOffset.UTC) + ".csv";
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store")
                .build();
    }
}
