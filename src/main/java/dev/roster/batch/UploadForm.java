package dev.roster.batch;

import java.nio.file.Path;

import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * An upload's multipart form as the Batches page and POST /api/batches receive it, strings as sent;
 * {@link BatchService#uploadFile} checks and parses it into a {@link dev.roster.batch.state.UploadRequest}.
 * The page sends no inline mapping (it has the mapping step instead): its {@code mapping} is null.
 */
public record UploadForm(FileUpload file, String operation, String matchBy, String createGroups, String scope,
        String absent, String profile, String mapping) {

    Path uploadedFile() {
        return file == null ? null : file.uploadedFile();
    }

    String fileName() {
        return file == null ? null : file.fileName();
    }
}
