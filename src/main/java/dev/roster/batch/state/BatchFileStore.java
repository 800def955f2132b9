package dev.roster.batch.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.UUID;

import dev.roster.sql.Jdbc;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Keeps uploaded files in PostgreSQL as 1 MiB chunks, so any instance can plan or apply them;
 * writing and reading stream chunk by chunk, never the whole file in memory.
 */
@ApplicationScoped
public class BatchFileStore {

    static final int CHUNK = 1 << 20;

    /** The stored file's fingerprint. */
    public record StoredFile(String sha256, long size) {
    }

    /** The upload was larger than allowed; nothing is kept. */
    public static class TooLargeException extends RuntimeException {
        public TooLargeException(long limit) {
            super("the file is larger than the limit of " + (limit / (1024 * 1024)) + " MB. Split it into smaller files.");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    /** Gives batch {@code to} the stored file of batch {@code from} (a re-plan), in the caller's transaction. */
    public static void copy(Connection c, UUID from, UUID to) throws SQLException {
        Jdbc.update(c, "INSERT INTO batch_file_chunk (batch_id, seq, data) SELECT ?, seq, data FROM batch_file_chunk WHERE batch_id = ?",
                to, from);
    }

    /** Streams {@code in} into the batch's chunks on the given connection (the caller's transaction). */
    public StoredFile store(Connection c, UUID batchId, InputStream in, long maxBytes) throws SQLException, IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        int seq = 0;
        try (DigestInputStream digesting = new DigestInputStream(in, sha);
                PreparedStatement ps = c.prepareStatement("INSERT INTO batch_file_chunk (batch_id, seq, data) VALUES (?, ?, ?)")) {
            byte[] buffer = new byte[CHUNK];
            while (true) {
                int filled = digesting.readNBytes(buffer, 0, CHUNK);
                if (filled == 0) {
                    break;
                }
                size += filled;
                if (size > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
                ps.setObject(1, batchId);
                ps.setInt(2, seq++);
                ps.setBytes(3, filled == CHUNK ? buffer : java.util.Arrays.copyOf(buffer, filled));
                ps.executeUpdate();
                if (filled < CHUNK) {
                    break;
                }
            }
        }
        return new StoredFile(HexFormat.of().formatHex(sha.digest()), size);
    }

    /** Reads the stored file back, one chunk query at a time. */
    public InputStream open(UUID batchId) {
        return new ChunkInputStream(batchId);
    }

    private final class ChunkInputStream extends InputStream {
        private final UUID batchId;
        private int nextSeq;
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean ended;

        ChunkInputStream(UUID batchId) {
            this.batchId = batchId;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return chunk[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() {
            while (pos >= chunk.length) {
                if (ended) {
                    return false;
                }
                chunk = loadChunk(nextSeq++);
                pos = 0;
                if (chunk == null) {
                    ended = true;
                    chunk = new byte[0];
                    return false;
                }
            }
            return true;
        }

        private byte[] loadChunk(int seq) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement("SELECT data FROM batch_file_chunk WHERE batch_id = ? AND seq = ?")) {
                ps.setObject(1, batchId);
                ps.setInt(2, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            } catch (SQLException e) {
                throw new UncheckedIOException(new IOException("could not read the stored file: " + e.getMessage(), e));
            }
        }
    }
}
