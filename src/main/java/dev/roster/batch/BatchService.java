package dev.roster.batch;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.Operator;
import dev.roster.batch.planning.BatchPlanning;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchFileStore;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.batch.state.UploadRequest;
import dev.roster.mapping.MappingRefused;
import dev.roster.mapping.UploadMappings;
import dev.roster.plan.AbsentPolicy;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.SyncScope;
import dev.roster.sql.Jdbc;
import dev.roster.web.PageOf;
import io.quarkus.panache.common.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;

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
     * its batch.uploaded event in the same transaction, and starts planning it in the background. Planning
     * reads the header (Roster's format or a template) as it always did.
     */
    public UUID upload(InputStream content, UploadRequest request) {
        return upload(content, request, NO_DECISION);
    }

    /** No header read beforehand: planning reads it (Roster's format or a template) as it always did. */
    static final UploadMappings.Decision NO_DECISION = new UploadMappings.Decision(null, null, null, null);

    /**
     * An upload whose header was read beforehand ({@link UploadMappings}); from the page, a header with columns
     * Roster cannot place waits in NEEDS_MAPPING instead of being refused by planning.
     */
    private UUID upload(InputStream content, UploadRequest request, UploadMappings.Decision decision) {
        boolean waits = request.asksForMapping() && decision.needsMapping();
        UUID id = store(content, request, decision, waits);
        if (!waits) {
            planning.submit(id);
        }
        return id;
    }

    /**
     * Stores a sync source's file as a batch and plans it on the calling thread (a source's run waits for its
     * plan); returns the batch's id, whatever the plan's outcome (PLANNED or REJECTED).
     */
    public UUID uploadAndPlan(InputStream content, UploadRequest request) {
        UUID id = store(content, request, NO_DECISION, false);
        planning.planNow(id);
        return id;
    }

    private UUID store(InputStream content, UploadRequest request, UploadMappings.Decision decision, boolean waits) {
        UUID id = UUID.randomUUID();
        String name = cleanFileName(request.fileName());
        Operation operation = request.operation();
        UploadRequest.SyncOptions sync = request.sync();
        try {
            jdbc.runInTransaction(c -> {
                transitions.startUpload(c, id, request, name, waits);
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
                details.put("matchBy", request.matchBy().name().toLowerCase());
                if (request.createGroups()) {
                    details.put("createGroups", true);
                }
                if (operation == Operation.SYNC && sync.scope() != null) {
                    details.put("scope", sync.scope().stored());
                    details.put("absent", sync.absent().word());
                }
                details.put("sha256", stored.sha256());
                details.put("size", stored.size());
                mappings.record(c, id, decision, details);
                transitions.uploaded(c, id, stored.sha256(), stored.size(), details, request.who());
            });
        } catch (BatchFileStore.TooLargeException e) {
            throw new ClientErrorException(name + ": " + e.getMessage(), 413);
        }
        return id;
    }

    /** A form or API flag: true, on (a checked checkbox), yes or 1. */
    public static boolean yes(String flag) {
        return flag != null && List.of("true", "on", "yes", "1").contains(flag.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * An upload as the page and the API receive it: a temporary file, its original name, the form's choices,
     * with an optional mapping profile (id or name) or inline mapping (JSON) read against the header first.
     *
     * @throws MappingRefused when the given profile or mapping does not fit the file
     */
    public UUID uploadFile(UploadForm form, UploadRequest.Origin origin, Operator who) {
        java.nio.file.Path file = form.uploadedFile();
        String fileName = form.fileName();
        if (file == null || fileName == null || fileName.isBlank()) {
            throw new BadRequestException("Choose a CSV file to upload (the multipart field \"file\").");
        }
        Operation op = parseOperation(form.operation());
        MatchKey key = parseMatchBy(form.matchBy());
        UploadRequest.SyncOptions sync = op == Operation.SYNC ? syncOptions(form.scope(), form.absent())
                : UploadRequest.SyncOptions.NONE;
        UploadRequest request = new UploadRequest(fileName, op, key, yes(form.createGroups()), sync, origin, who);
        UploadMappings.Decision decision = uploadMappings.decide(() -> open(file), cleanFileName(fileName),
                planning.limits(), op, key, form.profile(), form.mapping());
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return upload(in, request, decision);
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

    /**
     * A hand-uploaded sync file's scope ({@code attr.<name>=<value>}, {@code source:<name or id>}, or blank
     * for none) and absent policy; a policy other than leave needs a scope.
     */
    UploadRequest.SyncOptions syncOptions(String scope, String absent) {
        AbsentPolicy policy;
        try {
            policy = AbsentPolicy.parse(absent);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("Unknown absent policy \"" + absent + "\": use leave, suspend or delete.");
        }
        if (scope == null || scope.isBlank()) {
            if (policy != AbsentPolicy.LEAVE) {
                throw new BadRequestException("Choose a scope (the users this file owns, e.g. attr.source=workday) to "
                        + policy.word() + " the users absent from the file.");
            }
            return UploadRequest.SyncOptions.NONE;
        }
        String text = scope.strip();
        if (text.regionMatches(true, 0, "source:", 0, 7)) {
            String ref = text.substring(7).strip();
            UUID source = jdbc.one("SELECT id FROM sync_source WHERE id::text = lower(?) OR lower(name) = lower(?)",
                    rs -> rs.getObject(1, UUID.class), ref, ref).orElseThrow(() -> new BadRequestException(
                            "No sync source named \"" + ref + "\" for the scope; see the Sources page."));
            return new UploadRequest.SyncOptions(source, SyncScope.createdBy(source), policy);
        }
        try {
            return new UploadRequest.SyncOptions(null, SyncScope.parse(text), policy);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("The " + e.getMessage() + ".");
        }
    }

    public Batch find(UUID id) {
        return Batch.findExisting(id);
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
        // A sync run that changed nothing (or was refused) keeps its batch off the list (docs/sync.md).
        var query = Batch.find("listed = true order by createdAt desc, id");
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
                    + "\": use onboard, update, delete, reset or mixed (membership, groups, sync for group and desired-state files).");
        }
    }

    static MatchKey parseMatchBy(String value) {
        MatchKey key = MatchKey.parse(value);
        if (key == null) {
            throw new BadRequestException("Unknown match key \"" + value + "\": use " + MatchKey.WORDS + ".");
        }
        return key;
    }
}
