package dev.roster.batch;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.batch.planning.BatchPlanning;
import dev.roster.mapping.MappingRefused;
import dev.roster.mapping.UploadMappings;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.sql.Jdbc;
import dev.roster.web.PageOf;
import io.quarkus.panache.common.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/** Uploads, finds and discards batches; planning itself is {@link BatchPlanning}'s. */
@ApplicationScoped
public class BatchService {

    @Inject
    Jdbc jdbc;
    @Inject
    BatchFileStore files;
    @Inject
    BatchPlanning planning;
    @Inject
    BatchTransitions transitions;
    @Inject
    BatchMappings mappings;
    @Inject
    UploadMappings uploadMappings;

    /**
     * Stores the file in PostgreSQL (streamed, with its SHA-256 and size) as a new PLANNING batch, with
     * its batch.uploaded event in the same transaction, and starts planning it in the background.
     */
    public UUID upload(InputStream content, String fileName, Operation operation, MatchKey matchBy, Operator who) {
        return upload(content, fileName, operation, matchBy, false, who);
    }

    /** As above; createGroups: groups the file names that do not exist are created (docs/groups.md). */
    public UUID upload(InputStream content, String fileName, Operation operation, MatchKey matchBy, boolean createGroups,
            Operator who) {
        return upload(content, fileName, operation, matchBy, createGroups, new UploadMappings.Decision(null, null, null, null),
                false, who);
    }

    /**
     * An upload whose header was read beforehand ({@link UploadMappings}); with {@code askMapping} (the page), a
     * header with columns Roster cannot place waits in NEEDS_MAPPING instead of being refused by planning.
     */
    public UUID upload(InputStream content, String fileName, Operation operation, MatchKey matchBy, boolean createGroups,
            UploadMappings.Decision decision, boolean askMapping, Operator who) {
        UUID id = UUID.randomUUID();
        String name = cleanFileName(fileName);
        boolean waits = askMapping && decision.needsMapping();
        try {
            jdbc.runInTransaction(c -> {
                transitions.startUpload(c, id, operation, matchBy, name, createGroups, waits, who);
                BatchFileStore.StoredFile stored;
                try {
                    stored = files.store(c, id, content, planning.limits().maxBytes());
                } catch (IOException e) {
                    throw new IllegalStateException("could not store the upload: " + e.getMessage(), e);
                }
                if (stored.size() == 0) {
                    throw new BadRequestException(name + ": the file is empty. Download a template, fill it in and upload it.");
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("fileName", name);
                details.put("operation", operation.name().toLowerCase());
                details.put("matchBy", matchBy.name().toLowerCase());
                if (createGroups) {
                    details.put("createGroups", true);
                }
                details.put("sha256", stored.sha256());
                details.put("size", stored.size());
                mappings.record(c, id, decision, details);
                transitions.uploaded(c, id, stored.sha256(), stored.size(), details, who);
            });
        } catch (BatchFileStore.TooLargeException e) {
            throw new ClientErrorException(name + ": " + e.getMessage(), 413);
        }
        if (!waits) {
            planning.submit(id);
        }
        return id;
    }

    /** A form or API flag: true, on (a checked checkbox), yes or 1. */
    public static boolean yes(String flag) {
        return flag != null && List.of("true", "on", "yes", "1").contains(flag.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** An upload as the API and the page receive it: a temporary file, its original name, the form's choices. */
    public UUID uploadFile(java.nio.file.Path file, String fileName, String operation, String matchBy, Operator who) {
        return uploadFile(file, fileName, operation, matchBy, false, who);
    }

    /** As above, with the "create missing groups" choice (form checkbox, API parameter createGroups=true). */
    public UUID uploadFile(java.nio.file.Path file, String fileName, String operation, String matchBy, boolean createGroups,
            Operator who) {
        return uploadFile(file, fileName, operation, matchBy, createGroups, null, null, false, who);
    }

    /**
     * An upload with an optional mapping profile (id or name) or inline mapping (JSON); {@code askMapping} for the
     * page, whose uploads of unknown headers go to the mapping step.
     *
     * @throws MappingRefused when the given profile or mapping does not fit the file
     */
    public UUID uploadFile(java.nio.file.Path file, String fileName, String operation, String matchBy, boolean createGroups,
            String profile, String mapping, boolean askMapping, Operator who) {
        if (file == null || fileName == null || fileName.isBlank()) {
            throw new BadRequestException("Choose a CSV file to upload (the multipart field \"file\").");
        }
        Operation op = parseOperation(operation);
        MatchKey key = parseMatchBy(matchBy);
        UploadMappings.Decision decision = uploadMappings.decide(() -> open(file), cleanFileName(fileName),
                planning.limits(), op, key, profile, mapping);
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return upload(in, fileName, op, key, createGroups, decision, askMapping, who);
        } catch (IOException e) {
            throw new IllegalStateException("could not read the upload: " + e.getMessage(), e);
        }
    }

    private static InputStream open(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.newInputStream(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Batch find(UUID id) {
        Batch batch = Batch.findById(id);
        if (batch == null) {
            throw new NotFoundException("No batch with id " + id + ".");
        }
        return batch;
    }

    /** The batch as the database has it now, even if this request read it before a change. */
    public Batch fresh(UUID id) {
        Batch cached = Batch.findById(id);
        if (cached != null) {
            Batch.getEntityManager().detach(cached);
        }
        return find(id);
    }

    public PageOf<Batch> list(int page, int size) {
        var query = Batch.find("order by createdAt desc, id");
        long total = query.count();
        List<Batch> items = query.page(Page.of(page - 1, size)).list();
        return new PageOf<>(items, total, page, size);
    }

    /** Discards a batch that has not been applied; its plan is dropped, its file kept for the record. */
    public void discard(UUID id, Operator who) {
        if (!jdbc.inTransaction(c -> transitions.discard(c, id, who))) {
            Batch batch = find(id);
            throw new ClientErrorException("Batch " + id + " is " + batch.status + " and can no longer be discarded.", 409);
        }
    }

    /**
     * Plans the stored file again as a new batch (after a refused, stale apply); the old batch is
     * discarded. Returns the new batch's id.
     */
    public UUID replan(UUID id, Operator who) {
        Batch old = find(id);
        if (old.isRevert()) {
            throw new ClientErrorException("A revert has no file to plan again: revert the original batch again instead.", 409);
        }
        if (!old.isReplannable()) {
            throw new ClientErrorException("Only a planned or failed batch can be re-planned; this one is " + old.status + ".", 409);
        }
        UUID fresh = UUID.randomUUID();
        if (!jdbc.inTransaction(c -> transitions.replan(c, id, fresh, old.fileName, who))) {
            throw new ClientErrorException("Batch " + id + " changed while re-planning; reload it.", 409);
        }
        planning.submit(fresh);
        return fresh;
    }

    static String cleanFileName(String fileName) {
        String name = fileName == null || fileName.isBlank() ? "upload.csv" : fileName;
        name = name.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}]", "").trim();
        if (name.length() > 200) {
            name = name.substring(0, 200);
        }
        return name.isEmpty() ? "upload.csv" : name;
    }

    static Operation parseOperation(String value) {
        try {
            return Operation.parse(value == null ? "" : value);
        } catch (RuntimeException e) {
            throw new BadRequestException("Unknown operation \"" + value
                    + "\": use onboard, update, delete, reset or mixed.");
        }
    }

    static MatchKey parseMatchBy(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("email")) {
            return MatchKey.EMAIL;
        }
        String v = value.trim().toLowerCase().replace('-', '_');
        if (v.equals("external_id") || v.equals("externalid")) {
            return MatchKey.EXTERNAL_ID;
        }
        throw new BadRequestException("Unknown match key \"" + value + "\": use email or external_id.");
    }
}
