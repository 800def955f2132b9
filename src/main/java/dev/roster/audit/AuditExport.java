package dev.roster.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * The audit download for a filter, streamed from a cursor: CSV for people (RFC 4180, UTF-8 with BOM,
 * formula-like cells neutralised) or JSON Lines for auditors (exact stored values, hashes included,
 * so the chain can be re-verified). Each download is itself recorded as audit.exported.
 */
@ApplicationScoped
public class AuditExport {

    public enum Format {
        CSV("csv", "text/csv; charset=UTF-8"), JSONL("jsonl", "application/x-ndjson; charset=UTF-8");

        final String extension;
        final String mediaType;

        Format(String extension, String mediaType) {
            this.extension = extension;
            this.mediaType = mediaType;
        }

        public static Format parse(String value) {
            String v = value == null ? "csv" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "", "csv" -> CSV;
                case "jsonl", "ndjson" -> JSONL;
                default -> throw new BadRequestException("Unknown format \"" + value + "\": use csv or jsonl.");
            };
        }
    }

    public static final String[] HEADER = { "seq", "id", "occurred_at", "actor_kind", "actor_id", "actor_name",
            "actor_ip", "actor_user_agent", "action", "target_user_id", "target_email", "batch_id", "details",
            "prev_hash", "hash" };

    @Inject
    AuditQuery query;
    @Inject
    AuditTrail trail;
    @Inject
    Jdbc jdbc;
    @Inject
    Clock clock;

    /** The streamed download; the actor (the request's operator) is taken while the request is still there. */
    public Response download(AuditFilter filter, Format format, AuditActor actor) {
        StreamingOutput body = out -> {
            long[] count = { 0 };
            boolean complete = false;
            try {
                count[0] = format == Format.CSV ? writeCsv(filter, out) : writeJsonLines(filter, out);
                complete = true;
            } finally {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("format", format.extension);
                details.put("filter", filter.asMap());
                details.put("count", count[0]);
                details.put("complete", complete);
                // After the stream, in a transaction of its own (the export reads outside any).
                jdbc.runInTransaction(c -> trail.record(c, actor, AuditEventDraft.of(AuditAction.AUDIT_EXPORTED, details)));
            }
        };
        String name = "roster-audit-" + filter.fileRange(clock.instant()) + "." + format.extension;
        return Response.ok(body, format.mediaType)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store")
                .build();
    }

    public long writeCsv(AuditFilter filter, OutputStream out) throws IOException {
        out.write(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }); // the UTF-8 BOM spreadsheets look for
        out.write(AuditCsvCopy.header());
        long count = query.copyCsv(filter, out);
        out.flush();
        return count;
    }

    /** One JSON object per line; details is the stored JSON text as a string, exactly what was hashed. */
    public long writeJsonLines(AuditFilter filter, OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        JsonGenerator json = AuditDetails.JSON.getFactory().createGenerator(writer);
        json.setRootValueSeparator(null);
        long count = query.stream(filter, r -> {
            try {
                writeJsonLine(json, r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        json.flush();
        return count;
    }

    /** One event as a JSON Lines row: the exact stored values, details as the hashed text. */
    static void writeJsonLine(JsonGenerator json, AuditRecord r) throws IOException {
        json.writeStartObject();
        json.writeNumberField("seq", r.seq());
        json.writeStringField("id", r.id().toString());
        json.writeStringField("occurredAt", r.occurredAtCanonical());
        json.writeStringField("actorKind", r.actorKind());
        json.writeStringField("actorId", str(r.actorId()));
        json.writeStringField("actorName", r.actorName());
        json.writeStringField("actorIp", r.actorIp());
        json.writeStringField("actorUserAgent", r.actorUserAgent());
        json.writeStringField("action", r.action());
        json.writeStringField("targetUserId", str(r.targetUserId()));
        json.writeStringField("targetEmail", r.targetEmail());
        json.writeStringField("batchId", str(r.batchId()));
        json.writeStringField("details", r.details());
        json.writeStringField("prevHash", r.prevHash());
        json.writeStringField("hash", r.hash());
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private static String str(Object value) {
        return value == null ? null : value.toString();
    }
}
