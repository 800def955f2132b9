package dev.roster.batch;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.access.Operator;
import dev.roster.audit.AuditActor;
import dev.roster.batch.planning.BatchPlanning;
import dev.roster.batch.state.Batch;
import dev.roster.batch.state.BatchFileStore;
import dev.roster.batch.state.BatchTransitions;
import dev.roster.csv.ColumnMapping;
import dev.roster.csv.CsvFileReader;
import dev.roster.csv.CsvRecord;
import dev.roster.csv.HeaderRecognition;
import dev.roster.mapping.MappingProfiles;
import dev.roster.mapping.MappingRefused;
import dev.roster.mapping.UploadMappings;
import dev.roster.plan.Planner;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;

/** A batch's column mapping: recorded at upload, chosen on the mapping page, and the samples that page shows. */
@ApplicationScoped
public class BatchMappings {

    static final int SAMPLES = 3;

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    BatchTransitions transitions;
    @Inject
    BatchFileStore files;
    @Inject
    BatchPlanning planning;
    @Inject
    MappingProfiles profiles;
    @Inject
    BatchService batches;

    /** Stores how the header reads (or Roster's proposal) on the batch, and adds it to the upload event's details. */
    void record(Connection c, UUID id, UploadMappings.Decision d, Map<String, Object> details) throws SQLException {
        ColumnMapping m = d.mapping();
        List<Map<String, Object>> columns = m == null ? null : UploadMappings.columnsJson(m.columns());
        List<Map<String, Object>> proposal = d.unplaced() == null ? null : UploadMappings.columnsJson(d.unplaced().proposal());
        String profile = m == null ? null : m.profile();
        Jdbc.update(c, """
                UPDATE batch SET source_format = ?, source_format_label = ?, column_mapping = ?::jsonb, mapping_choice = ?::jsonb,
                                 mapping_profile_id = ?, mapping_profile = ?, mapping_proposal = ?::jsonb, mapping_problems = ?::jsonb
                 WHERE id = ?""", m == null ? null : m.format(), m == null ? null : m.formatLabel(), toJson(columns),
                d.choice() == null ? null : toJson(UploadMappings.choiceJson(d.choice())), d.profileId(), profile,
                toJson(proposal), d.unplaced() == null ? null : toJson(d.unplaced().problems()), id);
        if (d.profileId() != null) {
            barAuthorOfProfile(c, id, d.profileId());
        }
        if (m != null) {
            details.put("sourceFormat", m.formatLabel());
            if (profile != null) {
                details.put("profile", profile);
            }
            details.put("mapping", columns);
        }
        if (d.unplaced() != null) {
            details.put("unplacedColumns", d.unplaced().problems());
        }
    }

    /** The author of a mapping profile applied to a batch may not approve it (the profile chose what columns mean). */
    private static void barAuthorOfProfile(Connection c, UUID batchId, UUID profileId) throws SQLException {
        Jdbc.update(c, """
                UPDATE batch b SET barred_approvers = array_append(b.barred_approvers, p.created_by)
                  FROM mapping_profile p
                 WHERE b.id = ? AND p.id = ? AND p.created_by IS NOT NULL AND NOT p.created_by = ANY (b.barred_approvers)""",
                batchId, profileId);
    }

    /** The columns of a batch waiting for a mapping, as written. */
    public List<String> header(Batch batch) {
        List<String> out = new ArrayList<>();
        if (batch.mappingProposal != null) {
            batch.mappingProposal.forEach(c -> out.add(String.valueOf(c.get("column"))));
        }
        return out;
    }

    /** The first few values of every column, for the mapping page (the file read with every column ignored). */
    public List<List<String>> samples(Batch batch) {
        List<String> header = header(batch);
        Map<String, String> ignoreAll = new LinkedHashMap<>();
        header.forEach(h -> ignoreAll.put(h, "ignore"));
        List<List<String>> perColumn = new ArrayList<>();
        header.forEach(h -> perColumn.add(new ArrayList<>()));
        try (InputStream in = files.open(batch.id);
                CsvFileReader reader = CsvFileReader.open(in, batch.fileName, planning.limits(),
                        new HeaderRecognition.Choice(ignoreAll, null))) {
            for (int row = 0; row < SAMPLES && reader.hasNext(); row++) {
                CsvRecord record = reader.next();
                for (int i = 0; i < header.size(); i++) {
                    String cell = record.cell(i).strip();
                    if (!cell.isEmpty()) {
                        perColumn.get(i).add(cell.length() > 60 ? cell.substring(0, 60) + "…" : cell);
                    }
                }
            }
        } catch (Exception e) {
            // samples are a help; the mapping works without them
        }
        return perColumn;
    }

    /**
     * Confirms a mapping for a batch waiting for one (targets by column index), optionally saving it as a profile,
     * and starts planning.
     *
     * @throws MappingRefused when the mapping sends two columns to one field or leaves a required field out
     */
    public void confirm(UUID id, Map<Integer, String> byIndex, String saveAs, Operator who) {
        Batch batch = batches.fresh(id);
        if (!batch.needsMapping()) {
            throw new ClientErrorException("Batch " + id + " is " + batch.status + ", not waiting for a mapping.", 409);
        }
        List<String> header = header(batch);
        Map<String, String> targets = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String target = byIndex.get(i);
            targets.put(header.get(i), target == null || target.isBlank() ? "ignore" : target.strip());
        }
        String profile = saveAs == null || saveAs.isBlank() ? null : saveAs.strip();
        HeaderRecognition.Choice choice = new HeaderRecognition.Choice(targets, profile);
        ColumnMapping mapping = UploadMappings.read(() -> files.open(id), batch.fileName, planning.limits(), choice);
        if (mapping == null) {
            throw new MappingRefused("The stored file can no longer be read; discard the batch and upload it again.",
                    List.of("file unreadable"), null);
        }
        UploadMappings.checkRequired(mapping, batch.operation, batch.matchBy);
        if (profile != null && AuditActor.TOKEN.equals(who.actor().kind())) {
            throw new ClientErrorException("Mapping profiles are saved only by a person signed in to Roster, never with an "
                    + "API token: leave \"saveAs\" out, or save the profile on the mapping page.", 403);
        }
        jdbc.runInTransaction(c -> {
            UUID profileId = null;
            if (profile != null) {
                List<MappingProfiles.Entry> entries = new ArrayList<>();
                targets.forEach((column, target) -> entries.add(new MappingProfiles.Entry(column, target)));
                profileId = profiles.save(c, profile, entries, who).id();
            }
            List<Map<String, Object>> columns = UploadMappings.columnsJson(mapping.columns());
            Jdbc.update(c, """
                    UPDATE batch SET source_format = ?, source_format_label = ?, column_mapping = ?::jsonb,
                                     mapping_choice = ?::jsonb, mapping_profile_id = ?, mapping_profile = ?, mapping_problems = NULL
                     WHERE id = ?""", mapping.format(), mapping.formatLabel(), toJson(columns),
                    toJson(UploadMappings.choiceJson(choice)), profileId, profile, id);
            // Whoever chooses what the columns mean decides what the plan does: they are not the second pair of eyes.
            if (who.id() != null) {
                Jdbc.update(c, "UPDATE batch SET barred_approvers = array_append(barred_approvers, ?) WHERE id = ? "
                        + "AND NOT ? = ANY (barred_approvers)", who.id(), id, who.id());
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("fileName", batch.fileName);
            details.put("sourceFormat", mapping.formatLabel());
            if (profile != null) {
                details.put("profile", profile);
            }
            details.put("mapping", columns);
            if (!transitions.mapped(c, id, details, who)) {
                throw new ClientErrorException("Batch " + id + " changed while mapping; reload it.", 409);
            }
        });
        planning.submit(id);
    }

    /** {@link #confirm} with targets by column name, as the API sends them (columns left out are ignored). */
    public void confirmByName(UUID id, Map<String, String> byName, String saveAs, Operator who) {
        Batch batch = batches.find(id);
        List<String> header = header(batch);
        Map<String, String> lower = new LinkedHashMap<>();
        (byName == null ? Map.<String, String>of() : byName).forEach((k, v) -> lower.put(k.strip().toLowerCase(java.util.Locale.ROOT), v));
        List<String> unknown = new ArrayList<>();
        for (String name : lower.keySet()) {
            if (header.stream().noneMatch(h -> h.strip().equalsIgnoreCase(name))) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty() && batch.needsMapping()) {
            throw new MappingRefused("The mapping names columns this file does not have: " + String.join(", ", unknown) + ".",
                    unknown.stream().map(u -> "no column \"" + u + "\" in the file").toList(), batch.mappingProposal);
        }
        Map<Integer, String> byIndex = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            byIndex.put(i, lower.get(header.get(i).strip().toLowerCase(java.util.Locale.ROOT)));
        }
        confirm(id, byIndex, saveAs, who);
    }

    /** The fields the batch's operation requires that no proposed column goes to. */
    public List<String> missingRequired(Batch batch, List<String> targets) {
        List<String> missing = new ArrayList<>();
        for (String required : Planner.requiredColumns(batch.operation, batch.matchBy)) {
            if (!targets.contains(required)) {
                missing.add(required);
            }
        }
        return missing;
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
