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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencsv.CSVWriter;
import com.opencsv.ICSVWriter;

import dev.roster.csv.ColumnNames;
import dev.roster.csv.ExportLayout;
import dev.roster.csv.SpreadsheetSafeCell;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Streams every directory user as CSV in the columns an update upload accepts, from a
 * server-side cursor: a million users never sit in memory. Users without email re-upload matched by username. Formula-like cells are neutralised.
 * {@code groups} lists the live groups ("Sales|Support"; none for a deleted user, who counts as no
 * group's member) and {@code manager} the manager's email (blank when the manager is deleted), so the
 * export re-uploaded as an update plans as unchanged.
 */
@ApplicationScoped
public class UserCsvExport {

    /** Roster's columns; the SCIM attributes of issue #24 (ColumnNames.EXTENDED) come last, after manager. */
    public static final List<String> FIXED_COLUMNS = Stream.concat(Stream.of("email", "external_id", "username", "given_name",
            "family_name", "display_name", "phone", "department", "title", "locale", "status", "groups", "manager"),
            ColumnNames.EXTENDED.stream()).toList();
    private static final TypeReference<Map<String, String>> ATTRIBUTES = new TypeReference<>() {
    };

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;

    /** Writes the export in Roster's format and returns the number of users written. */
    public long write(OutputStream out) {
        return write(out, ExportLayout.Kind.ROSTER);
    }

    /**
     * Writes the export in Roster's format or a vendor template's (deleted users are left out of a vendor file,
     * which has no way to say "deleted"); returns the number of users written.
     */
    public long write(OutputStream out, ExportLayout.Kind kind) {
        return jdbc.readOnly(c -> {
            try {
                return write(c, out, kind);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private long write(Connection c, OutputStream out, ExportLayout.Kind kind) throws SQLException, IOException {
        List<String> attributeNames = Jdbc.list(c,
                "SELECT DISTINCT k FROM directory_user, jsonb_object_keys(attributes) AS k ORDER BY k", rs -> rs.getString(1));
        ExportLayout layout = ExportLayout.of(kind, FIXED_COLUMNS, attributeNames);
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        writer.write('\uFEFF');
        for (String line : layout.preamble()) {
            writer.write(line);
            writer.write("\r\n");
        }
        CSVWriter csv = new CSVWriter(writer, ',', ICSVWriter.DEFAULT_QUOTE_CHARACTER,
                ICSVWriter.DEFAULT_ESCAPE_CHARACTER, "\r\n");
        List<ExportLayout.Column> columns = layout.columns();
        csv.writeNext(columns.stream().map(ExportLayout.Column::header).toArray(String[]::new), false);
        // where each column's value comes from: a fixed column (index), an attribute (-1 - index), or nothing
        int[] from = new int[columns.size()];
        int[] fallback = new int[columns.size()]; // a fixed column's index, or -1
        for (int i = 0; i < columns.size(); i++) {
            String source = columns.get(i).source();
            fallback[i] = columns.get(i).fallback() == null ? -1 : FIXED_COLUMNS.indexOf(columns.get(i).fallback());
            int fixed = FIXED_COLUMNS.indexOf(source);
            int attribute = source.startsWith("attr.") ? attributeNames.indexOf(source.substring(5)) : -1;
            from[i] = fixed >= 0 ? fixed : attribute >= 0 ? -1 - attribute : Integer.MIN_VALUE;
        }
        long count = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT u.email, u.external_id, u.username, u.given_name, u.family_name, u.display_name, u.phone, u.department,
                       u.title, u.locale, u.status,
                       CASE WHEN u.status <> 'DELETED' THEN
                           (SELECT string_agg(g.name, '|' ORDER BY lower(g.name), g.name)
                              FROM group_membership m JOIN user_group g ON g.id = m.group_id
                             WHERE m.user_id = u.id AND g.deleted_at IS NULL) END,
                       (SELECT lower(b.email) FROM directory_user b WHERE b.id = u.manager_id AND b.status <> 'DELETED'),
                       """ + String.join(", ", ColumnNames.EXTENDED.stream().map(column -> "u." + column).toList()) + """
                       , u.attributes::text
                  FROM directory_user u""" + where(kind)
                + " ORDER BY lower(coalesce(u.email, u.username)), u.id")) {
            ps.setFetchSize(2000);
            try (ResultSet rs = ps.executeQuery()) {
                String[] fixed = new String[FIXED_COLUMNS.size()];
                String[] row = new String[columns.size()];
                while (rs.next()) {
                    for (int i = 0; i < fixed.length; i++) {
                        fixed[i] = rs.getString(i + 1);
                    }
                    Map<String, String> attributes = json.readValue(rs.getString(FIXED_COLUMNS.size() + 1), ATTRIBUTES);
                    for (int i = 0; i < row.length; i++) {
                        String value = from[i] >= 0 ? fixed[from[i]]
                                : from[i] == Integer.MIN_VALUE ? null : attributes.get(attributeNames.get(-1 - from[i]));
                        if (value == null && fallback[i] >= 0) {
                            value = fixed[fallback[i]];
                        }
                        row[i] = cell(columns.get(i).convert().apply(value));
                    }
                    csv.writeNext(row, true);
                    count++;
                }
            }
        }
        csv.flush();
        return count;
    }

    /**
     * Deleted users go only into Roster's own format; users without email (decisions/0031) not into Entra's or
     * Google's, which name every user by an address (userPrincipalName, Email Address) and refuse a row without one.
     */
    private static String where(ExportLayout.Kind kind) {
        return switch (kind) {
            case ROSTER -> "";
            case OKTA -> " WHERE u.status <> 'DELETED'";
            case ENTRA, GOOGLE -> " WHERE u.status <> 'DELETED' AND u.email IS NOT NULL";
        };
    }

    private static String cell(String value) {
        return value == null ? "" : SpreadsheetSafeCell.neutralise(value);
    }
}
