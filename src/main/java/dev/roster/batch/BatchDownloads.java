package dev.roster.batch;

import java.util.UUID;

import dev.roster.batch.state.Batch;
import dev.roster.plan.CsvTemplates;
import dev.roster.plan.Operation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** The CSV downloads of batches and templates, shared by pages and API. */
@ApplicationScoped
public class BatchDownloads {

    @Inject
    BatchService batches;
    @Inject
    PlanCsvExport export;

    public Response errors(UUID id) {
        Batch batch = batches.find(id);
        StreamingOutput body = out -> export.writeErrors(batch, out);
        return attachment(body, baseName(batch) + "-errors.csv");
    }

    public Response plan(UUID id) {
        Batch batch = batches.find(id);
        StreamingOutput body = out -> export.writePlan(batch, out);
        return attachment(body, baseName(batch) + "-plan.csv");
    }

    public Response template(String operation) {
        Operation op;
        try {
            op = Operation.parse(operation.replaceFirst("\\.csv$", ""));
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("No template for \"" + operation + "\": use onboard, update, delete, reset or mixed.");
        }
        return Response.ok(CsvTemplates.template(op), "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"" + CsvTemplates.fileName(op) + "\"").build();
    }

    private static String baseName(Batch batch) {
        String name = batch.fileName.replaceAll("(?i)\\.(csv|txt)$", "").replaceAll("[^\\p{L}\\p{N}._-]", "_");
        return name.isEmpty() ? "batch-" + batch.id : name;
    }

    private static Response attachment(StreamingOutput body, String fileName) {
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"" + fileName.replace("\"", "") + "\"")
                .header("Cache-Control", "no-store").build();
    }
}
