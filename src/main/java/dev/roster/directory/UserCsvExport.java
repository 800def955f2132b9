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
 * {@code groups} lists the live groups ("Sales|Support"; none for a deleted user, who counts as no
 * group's member) and {@code manager} the manager's email (blank when the manager is deleted), so the
 * export re-uploaded as an update plans as unchanged.
 */
@ApplicationScoped
public class UserCsvExport {

    public static final List<String> FIXED_COLUMNS = List.of("email", "external_id", "username", "given_name",
            "family_name", "display_name", "phone", "department", "title", "locale", "status", "groups", "manager");
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
                SELECT u.email, u.external_id, u.username, u.given_name, u.family_name, u.display_name, u.phone, u.department,
                       u.title, u.locale, u.status,
                       CASE WHEN u.status <> 'DELETED' THEN
                           (SELECT string_agg(g.name, '|' ORDER BY lower(g.name), g.name)
                              FROM group_membership m JOIN user_group g ON g.id = m.group_id
                             WHERE m.user_id = u.id AND g.deleted_at IS NULL) END,
                       (SELECT lower(b.email) FROM directory_user b WHERE b.id = u.manager_id AND b.status <> 'DELETED'),
                       u.attributes::text
                  FROM directory_user u ORDER BY lower(u.email)""")) {
            ps.setFetchSize(2000);
            try (ResultSet rs = ps.executeQuery()) {
                String[] row = new String[header.size()];
                while (rs.next()) {
                    for (int i = 0; i < FIXED_COLUMNS.size(); i++) {
                        row[i] = cell(rs.getString(i + 1));
                    }
                    Map<String, String> attributes = json.readValue(rs.getString(FIXED_COLUMNS.size() + 1), ATTRIBUTES);
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
