package dev.roster.mapping;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.access.Operator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.csv.ColumnNames;
import dev.roster.csv.HeaderRecognition;
import dev.roster.csv.PasswordColumns;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/** Named mapping profiles: a header's columns and their targets, found again by the header they were made for. */
@ApplicationScoped
public class MappingProfiles {

    /** One column of a profile. */
    public record Entry(String column, String target) {
    }

    /** A saved profile. */
    public record Profile(UUID id, String name, List<Entry> columns, String createdByName, Instant createdAt,
            Instant updatedAt) {

        public HeaderRecognition.Choice choice() {
            Map<String, String> targets = new LinkedHashMap<>();
            columns.forEach(e -> targets.put(e.column(), e.target()));
            return new HeaderRecognition.Choice(targets, name);
        }

        /** "Mail, Vorname, Nachname" for the list page. */
        public String header() {
            return String.join(", ", columns.stream().map(Entry::column).toList());
        }
    }

    private static final TypeReference<List<Entry>> ENTRIES = new TypeReference<>() {
    };

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    ObjectMapper json;

    /** The key a header is found by: its names, trimmed and lower-cased, in order. */
    public static String headerKey(List<String> written) {
        return String.join("\u001f", written.stream().map(n -> n.strip().toLowerCase(Locale.ROOT)).toList());
    }

    public List<Profile> list() {
        return jdbc.list("SELECT * FROM mapping_profile ORDER BY lower(name)", this::profile);
    }

    public Profile find(UUID id) {
        return jdbc.one("SELECT * FROM mapping_profile WHERE id = ?", this::profile, id)
                .orElseThrow(() -> new NotFoundException("No mapping profile with id " + id + "."));
    }

    /** A profile by its id or, failing that, its name (as the upload API's "profile" field names it). */
    public Optional<Profile> byIdOrName(String idOrName) {
        String value = idOrName.strip();
        try {
            UUID id = UUID.fromString(value);
            Optional<Profile> byId = jdbc.one("SELECT * FROM mapping_profile WHERE id = ?", this::profile, id);
            if (byId.isPresent()) {
                return byId;
            }
        } catch (IllegalArgumentException notAnId) {
            // a name
        }
        return jdbc.one("SELECT * FROM mapping_profile WHERE lower(name) = lower(?)", this::profile, value);
    }

    /** The newest profile made for exactly this header. */
    public Optional<Profile> forHeader(List<String> written) {
        return jdbc.one("SELECT * FROM mapping_profile WHERE header_key = ? ORDER BY updated_at DESC LIMIT 1", this::profile,
                headerKey(written));
    }

    /** Saves a profile in the caller's transaction, with its mapping-profile.saved event. */
    public Profile save(Connection c, String name, List<Entry> columns, Operator who) throws SQLException {
        String clean = checkName(c, name, null);
        List<String> problems = new ArrayList<>();
        for (Entry e : columns) {
            if (!ColumnNames.isValidTarget(e.target())) {
                problems.add("column \"" + e.column() + "\" is mapped to \"" + e.target() + "\", which is not a Roster field");
            } else if (!ColumnNames.IGNORE.equals(e.target()) && !ColumnNames.PASSWORD_HASH.equals(e.target())
                    && (PasswordColumns.passwordLike(e.column())
                            || ColumnNames.isAttribute(e.target()) && PasswordColumns.passwordLike(e.target()))) {
                // Refused at use anyway (PasswordColumns.enforce); saying so at save spares a profile that never works.
                problems.add("column \"" + e.column() + "\" holds passwords and is mapped to \"" + e.target()
                        + "\"; map it to ignore (its cells must then be empty) or to password_hash");
            }
        }
        if (columns.isEmpty()) {
            problems.add("a profile needs at least one column");
        }
        if (!problems.isEmpty()) {
            throw new MappingRefused("The mapping profile cannot be saved: " + String.join("; ", problems) + ".", problems, null);
        }
        UUID id = UUID.randomUUID();
        Jdbc.update(c, """
                INSERT INTO mapping_profile (id, name, header_key, columns, created_by, created_by_name)
                VALUES (?, ?, ?, ?::jsonb, ?, ?)""", id, clean, headerKey(columns.stream().map(Entry::column).toList()),
                toJson(columns), who.id(), who.name());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("profileId", id.toString());
        details.put("name", clean);
        details.put("columns", columns);
        audit.record(c, who.actor(), new AuditEventDraft(AuditAction.MAPPING_PROFILE_SAVED, null, null, null, details));
        return Jdbc.one(c, "SELECT * FROM mapping_profile WHERE id = ?", this::profile, id).orElseThrow();
    }

    public Profile create(String name, List<Entry> columns, Operator who) {
        return jdbc.inTransaction(c -> save(c, name, columns, who));
    }

    public Profile rename(UUID id, String name, Operator who) {
        return jdbc.inTransaction(c -> {
            Profile before = Jdbc.one(c, "SELECT * FROM mapping_profile WHERE id = ? FOR UPDATE", this::profile, id)
                    .orElseThrow(() -> new NotFoundException("No mapping profile with id " + id + "."));
            String clean = checkName(c, name, id);
            // updated_at stays: it picks the profile for a header (forHeader), and a new name changes no mapping, so
            // renaming must not make a profile the chosen one without its renamer being barred from approving.
            Jdbc.update(c, "UPDATE mapping_profile SET name = ? WHERE id = ?", clean, id);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("profileId", id.toString());
            details.put("before", before.name());
            details.put("after", clean);
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.MAPPING_PROFILE_RENAMED, null, null, null, details));
            return Jdbc.one(c, "SELECT * FROM mapping_profile WHERE id = ?", this::profile, id).orElseThrow();
        });
    }

    public void delete(UUID id, Operator who) {
        jdbc.runInTransaction(c -> {
            Profile before = Jdbc.one(c, "SELECT * FROM mapping_profile WHERE id = ? FOR UPDATE", this::profile, id)
                    .orElseThrow(() -> new NotFoundException("No mapping profile with id " + id + "."));
            Jdbc.update(c, "DELETE FROM mapping_profile WHERE id = ?", id);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("profileId", id.toString());
            details.put("name", before.name());
            details.put("columns", before.columns());
            audit.record(c, who.actor(), new AuditEventDraft(AuditAction.MAPPING_PROFILE_DELETED, null, null, null, details));
        });
    }

    private String checkName(Connection c, String name, UUID self) throws SQLException {
        String clean = name == null ? "" : name.strip();
        if (clean.isEmpty() || clean.length() > 100) {
            throw new MappingRefused("Give the mapping profile a name of 1 to 100 characters.",
                    List.of("the profile name is empty or longer than 100 characters"), null);
        }
        boolean taken = Jdbc.one(c, "SELECT 1 FROM mapping_profile WHERE lower(name) = lower(?) AND id IS DISTINCT FROM ?",
                rs -> Boolean.TRUE, clean, self).isPresent();
        if (taken) {
            throw new ClientErrorException("A mapping profile named \"" + clean + "\" already exists; choose another name.", 409);
        }
        return clean;
    }

    private Profile profile(ResultSet rs) throws SQLException {
        List<Entry> columns;
        try {
            columns = json.readValue(rs.getString("columns"), ENTRIES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("mapping_profile.columns is not a column list", e);
        }
        return new Profile(rs.getObject("id", UUID.class), rs.getString("name"), columns, rs.getString("created_by_name"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
