package dev.roster.batch;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.access.CurrentOperator;
import dev.roster.batch.state.Batch;
import dev.roster.csv.ColumnNames;
import dev.roster.mapping.MappingRefused;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/** The mapping step of a batch waiting for one: each column, samples, a proposed target with its reason. */
@Path("/batches/{id}/mapping")
@RolesAllowed(AdminRole.OPERATOR_ROLE)
public class MappingResource {

    /** One source column on the mapping page. */
    public record Row(int index, String column, List<String> samples, String target, String reason, List<Option> options,
            String attribute) {
    }

    /** A choice in a column's list. */
    public record Option(String value, String label, boolean selected) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance mapping(Batch batch, List<Row> rows, List<String> missing, List<String> problems,
                String error, String profileName);

    }

    @Inject
    BatchService batches;
    @Inject
    BatchMappings mappings;
    @Inject
    CurrentOperator operator;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response mapping(@PathParam("id") UUID id) {
        Batch batch = batches.find(id);
        if (!batch.needsMapping()) {
            return Response.seeOther(URI.create("/batches/" + id)).build();
        }
        return Response.ok(page(batch, null, null, batch.mappingProblems, null)).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response confirm(@PathParam("id") UUID id, MultivaluedMap<String, String> form) {
        Map<Integer, String> targets = new LinkedHashMap<>();
        form.forEach((key, values) -> {
            if (key.matches("target\\.[0-9]{1,4}") && !values.isEmpty()) {
                String custom = form.getFirst("custom." + key.substring(7));
                String value = values.get(0);
                targets.put(Integer.parseInt(key.substring(7)), "attr".equals(value) && custom != null
                        ? ColumnNames.ATTRIBUTE_PREFIX + custom.strip() : value);
            }
        });
        String saveAs = form.getFirst("profileName");
        try {
            mappings.confirm(id, targets, saveAs, operator.get());
            return Response.seeOther(URI.create("/batches/" + id)).build();
        } catch (MappingRefused e) {
            return Response.status(422).entity(page(batches.fresh(id), targets, e.getMessage(), e.problems(), saveAs)).build();
        } catch (ClientErrorException e) {
            if (e.getResponse().getStatus() != 409) {
                throw e;
            }
            return Response.status(409).entity(page(batches.fresh(id), targets, e.getMessage(), List.of(), saveAs)).build();
        }
    }

    private TemplateInstance page(Batch batch, Map<Integer, String> chosen, String error, List<String> problems,
            String profileName) {
        List<List<String>> samples = mappings.samples(batch);
        List<Row> rows = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        List<Map<String, Object>> proposal = batch.mappingProposal == null ? List.of() : batch.mappingProposal;
        for (int i = 0; i < proposal.size(); i++) {
            Map<String, Object> p = proposal.get(i);
            String column = String.valueOf(p.get("column"));
            String proposed = String.valueOf(p.get("target"));
            String target = chosen != null && chosen.get(i) != null ? chosen.get(i) : proposed;
            targets.add(target);
            rows.add(new Row(i, column, i < samples.size() ? samples.get(i) : List.of(), target,
                    chosen != null && !target.equals(proposed) ? "your choice" : String.valueOf(p.get("reason")),
                    options(target, column), ColumnNames.isAttribute(target) ? ColumnNames.attributeName(target)
                            : ColumnNames.attributeName(ColumnNames.attributeFor(column))));
        }
        return Templates.mapping(batch, rows, mappings.missingRequired(batch, targets), problems == null ? List.of() : problems,
                error, profileName);
    }

    private static List<Option> options(String target, String column) {
        List<Option> out = new ArrayList<>();
        for (String field : ColumnNames.TARGETS) {
            out.add(new Option(field, field, field.equals(target)));
        }
        boolean attr = ColumnNames.isAttribute(target);
        out.add(new Option("attr", "custom attribute", attr));
        out.add(new Option(ColumnNames.IGNORE, "ignore (not read)", ColumnNames.IGNORE.equals(target)));
        return out;
    }
}
