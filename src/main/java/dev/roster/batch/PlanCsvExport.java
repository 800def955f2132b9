package dev.roster.batch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencsv.CSVWriter;
import com.opencsv.ICSVWriter;

import dev.roster.batch.planning.BatchPlanning;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchFileStore;
import dev.roster.csv.CsvFileReader;
import dev.roster.csv.SpreadsheetSafeCell;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The plan's downloads, streamed from a cursor and spreadsheet-safe: the error report (the
 * failed rows in their original columns plus line and error, ready to fix and re-upload) and
 * the whole plan.
 */
@ApplicationScoped
public class PlanCsvExport {

    private static final TypeReference<List<String>> CELLS = new TypeReference<>() {
    };
    private static final TypeReference<List<PlanItemQuery.FieldChange>> FIELDS = new TypeReference<>() {
    };
    private static final TypeReference<List<PlanItemQuery.RowMessage>> MESSAGES = new TypeReference<>() {
    };

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    BatchFileStore files;
    @Inject
    BatchPlanning planning;

    public void writeErrors(Batch batch, OutputStream out) {
        List<String> header;
        try (CsvFileReader reader = CsvFileReader.open(files.open(batch.id), batch.fileName, planning.limits())) {
            header = new ArrayList<>(reader.header().originalNames());
        } catch (RuntimeException e) {
            header = new ArrayList<>();
        }
        int width = header.size();
        header.add("line");
        header.add("error");
        stream(batch, out, header, "SELECT line, original::text, messages::text FROM plan_item "
                + "WHERE batch_id = ? AND kind = 'ERROR' ORDER BY line", (rs, row) -> {
                    List<String> cells = rs.getString(2) == null ? List.of() : json.readValue(rs.getString(2), CELLS);
                    for (int i = 0; i < width; i++) {
                        row[i] = i < cells.size() ? cells.get(i) : "";
                    }
                    row[width] = String.valueOf(rs.getLong(1));
                    row[width + 1] = messages(rs.getString(3), true);
                });
    }

    public void writePlan(Batch batch, OutputStream out) {
        List<String> header = List.of("line", "kind", "key", "user_id", "changes", "messages");
        stream(batch, out, header, "SELECT line, kind, key, user_id, fields::text, messages::text FROM plan_item "
                + "WHERE batch_id = ? ORDER BY line", (rs, row) -> {
                    row[0] = String.valueOf(rs.getLong(1));
                    row[1] = rs.getString(2);
                    row[2] = rs.getString(3);
                    row[3] = rs.getString(4);
                    StringBuilder changes = new StringBuilder();
                    for (PlanItemQuery.FieldChange f : json.readValue(rs.getString(5), FIELDS)) {
                        if (!changes.isEmpty()) {
                            changes.append("; ");
                        }
                        changes.append(f.name()).append(": ").append(f.before() == null ? "(none)" : f.before())
                                .append(" -> ").append(f.after() == null ? "(cleared)" : f.after());
                    }
                    row[4] = changes.toString();
                    row[5] = messages(rs.getString(6), false);
                });
    }

    private interface RowFiller {
        void fill(ResultSet rs, String[] row) throws SQLException, IOException;
    }

    private void stream(Batch batch, OutputStream out, List<String> header, String sql, RowFiller filler) {
        // In a transaction, so the cursor streams (fetch size) instead of reading every row first.
        jdbc.runInTransaction(c -> {
            try {
                BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
                writer.write('\uFEFF');
                CSVWriter csv = new CSVWriter(writer, ',', ICSVWriter.DEFAULT_QUOTE_CHARACTER,
                        ICSVWriter.DEFAULT_ESCAPE_CHARACTER, "\r\n");
                csv.writeNext(header.stream().map(SpreadsheetSafeCell::neutralise).toArray(String[]::new), false);
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setFetchSize(2000);
                    ps.setObject(1, batch.id);
                    try (ResultSet rs = ps.executeQuery()) {
                        String[] row = new String[header.size()];
                        while (rs.next()) {
                            filler.fill(rs, row);
                            for (int i = 0; i < row.length; i++) {
                                row[i] = row[i] == null ? "" : SpreadsheetSafeCell.neutralise(row[i]);
                            }
                            csv.writeNext(row, true);
                        }
                    }
                }
                csv.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private String messages(String messagesJson, boolean errorsOnly) throws IOException {
        StringBuilder text = new StringBuilder();
        for (PlanItemQuery.RowMessage m : json.readValue(messagesJson, MESSAGES)) {
            if (errorsOnly && !"ERROR".equals(m.severity())) {
                continue;
            }
            if (!text.isEmpty()) {
                text.append("; ");
            }
            if (!errorsOnly) {
                text.append(m.severity().toLowerCase()).append(": ");
            }
            text.append(m.column() == null ? "" : "column \"" + m.column() + "\": ").append(m.text());
        }
        return text.toString();
    }
}
