package dev.roster.directory;

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
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencsv.CSVWriter;
import com.opencsv.ICSVWriter;

import dev.roster.csv.SpreadsheetSafeCell;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Streams every directory user as CSV in the columns an update upload accepts, from a
 * server-side cursor: a million users never sit in memory. Formula-like cells are neutralised.
 */
@ApplicationScoped
public class UserCsvExport {

    public static final List<String> FIXED_COLUMNS = List.of("email", "external_id", "username", "given_name",
            "family_name", "display_name", "phone", "department", "title", "locale", "status");
    private static final TypeReference<Map<String, String>> ATTRIBUTES = new TypeReference<>() {
    };

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;

    /** Writes the export and returns the number of users written. */
    public long write(OutputStream out) {
        return jdbc.readOnly(c -> {
            try {
                return write(c, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private long write(Connection c, OutputStream out) throws SQLException, IOException {
        List<String> attributeNames = Jdbc.list(c,
                "SELECT DISTINCT k FROM directory_user, jsonb_object_keys(attributes) AS k ORDER BY k", rs -> rs.getString(1));
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        writer.write('\uFEFF');
        CSVWriter csv = new CSVWriter(writer, ',', ICSVWriter.DEFAULT_QUOTE_CHARACTER,
                ICSVWriter.DEFAULT_ESCAPE_CHARACTER, "\r\n");
        List<String> header = new ArrayList<>(FIXED_COLUMNS);
        attributeNames.forEach(n -> header.add("attr." + n));
        csv.writeNext(header.toArray(String[]::new), false);
        long count = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT email, external_id, username, given_name, family_name, display_name, phone, department,
                       title, locale, status, attributes::text
                  FROM directory_user ORDER BY lower(email)""")) {
            ps.setFetchSize(2000);
            try (ResultSet rs = ps.executeQuery()) {
                String[] row = new String[header.size()];
                while (rs.next()) {
                    for (int i = 0; i < FIXED_COLUMNS.size(); i++) {
                        row[i] = cell(rs.getString(i + 1));
                    }
                    Map<String, String> attributes = json.readValue(rs.getString(12), ATTRIBUTES);
                    for (int i = 0; i < attributeNames.size(); i++) {
                        row[FIXED_COLUMNS.size() + i] = cell(attributes.get(attributeNames.get(i)));
                    }
                    csv.writeNext(row, true);
                    count++;
                }
            }
        }
        csv.flush();
        return count;
    }

    private static String cell(String value) {
        return value == null ? "" : SpreadsheetSafeCell.neutralise(value);
    }
}
