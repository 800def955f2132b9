package dev.roster.batch;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.web.PageOf;
import io.agroal.api.AgroalDataSource;
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
    AgroalDataSource dataSource;
    @Inject
    BatchFileStore files;
    @Inject
    BatchPlanning planning;
    @Inject
    BatchJournal journal;

    /**
     * Stores the file in PostgreSQL (streamed, with its SHA-256 and size) as a new PLANNING batch
     * and starts planning it in the background.
     */
    public UUID upload(InputStream content, String fileName, Operation operation, MatchKey matchBy, UUID adminId,
            String adminName) {
        UUID id = UUID.randomUUID();
        String name = cleanFileName(fileName);
        BatchFileStore.StoredFile stored;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by, created_by_name)
                    VALUES (?, ?, ?, 'PLANNING', ?, '', 0, ?, ?)""")) {
                ps.setObject(1, id);
                ps.setString(2, operation.name());
                ps.setString(3, matchBy.name());
                ps.setString(4, name);
                ps.setObject(5, adminId);
                ps.setString(6, adminName);
                ps.executeUpdate();
            }
            stored = files.store(c, id, content, planning.limits().maxBytes());
            if (stored.size() == 0) {
                c.rollback();
                throw new BadRequestException(name + ": the file is empty. Download a template, fill it in and upload it.");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE batch SET sha256 = ?, size_bytes = ? WHERE id = ?")) {
                ps.setString(1, stored.sha256());
                ps.setLong(2, stored.size());
                ps.setObject(3, id);
                ps.executeUpdate();
            }
            c.commit();
        } catch (BatchFileStore.TooLargeException e) {
            throw new ClientErrorException(name + ": " + e.getMessage(), 413);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not store the upload: " + e.getMessage(), e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("fileName", name);
        details.put("operation", operation.name().toLowerCase());
        details.put("matchBy", matchBy.name().toLowerCase());
        details.put("sha256", stored.sha256());
        details.put("size", stored.size());
        journal.record("batch.uploaded", id, details);
        planning.submit(id);
        return id;
    }

    /** An upload as the API and the page receive it: a temporary file, its original name, the form's choices. */
    public UUID uploadFile(java.nio.file.Path file, String fileName, String operation, String matchBy, UUID adminId,
            String adminName) {
        if (file == null || fileName == null || fileName.isBlank()) {
            throw new BadRequestException("Choose a CSV file to upload (the multipart field \"file\").");
        }
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return upload(in, fileName, parseOperation(operation), parseMatchBy(matchBy), adminId, adminName);
        } catch (IOException e) {
            throw new IllegalStateException("could not read the upload: " + e.getMessage(), e);
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
    public void discard(UUID id) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int changed;
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batch SET status = 'DISCARDED', updated_at = now(), planning_heartbeat = NULL
                     WHERE id = ? AND status IN ('PLANNING', 'PLANNED', 'REJECTED', 'FAILED')""")) {
                ps.setObject(1, id);
                changed = ps.executeUpdate();
            }
            if (changed == 0) {
                c.rollback();
                Batch batch = find(id);
                throw new ClientErrorException("Batch " + id + " is " + batch.status
                        + " and can no longer be discarded.", 409);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM plan_item WHERE batch_id = ?")) {
                ps.setObject(1, id);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not discard batch " + id + ": " + e.getMessage(), e);
        }
        journal.record("batch.discarded", id, Map.of());
    }

    /**
     * Plans the stored file again as a new batch (after a refused, stale apply); the old batch is
     * discarded. Returns the new batch's id.
     */
    public UUID replan(UUID id, UUID adminId, String adminName) {
        Batch old = find(id);
        if (old.isRevert()) {
            throw new ClientErrorException("A revert has no file to plan again: revert the original batch again instead.", 409);
        }
        if (old.status != BatchStatus.PLANNED && old.status != BatchStatus.FAILED) {
            throw new ClientErrorException("Only a planned or failed batch can be re-planned; this one is " + old.status + ".", 409);
        }
        UUID fresh = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batch (id, operation, match_by, status, file_name, sha256, size_bytes, created_by, created_by_name)
                    SELECT ?, operation, match_by, 'PLANNING', file_name, sha256, size_bytes, ?, ? FROM batch WHERE id = ?""")) {
                ps.setObject(1, fresh);
                ps.setObject(2, adminId);
                ps.setString(3, adminName);
                ps.setObject(4, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO batch_file_chunk (batch_id, seq, data) SELECT ?, seq, data FROM batch_file_chunk WHERE batch_id = ?")) {
                ps.setObject(1, fresh);
                ps.setObject(2, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batch SET status = 'DISCARDED', failure = coalesce(failure, 'superseded by re-plan ' || ?),
                                     updated_at = now() WHERE id = ? AND status IN ('PLANNED', 'FAILED')""")) {
                ps.setString(1, fresh.toString());
                ps.setObject(2, id);
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    throw new ClientErrorException("Batch " + id + " changed while re-planning; reload it.", 409);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM plan_item WHERE batch_id = ?")) {
                ps.setObject(1, id);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not re-plan batch " + id + ": " + e.getMessage(), e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("replans", id.toString());
        details.put("fileName", old.fileName);
        journal.record("batch.uploaded", fresh, details);
        journal.record("batch.discarded", id, Map.of("supersededBy", fresh.toString()));
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
