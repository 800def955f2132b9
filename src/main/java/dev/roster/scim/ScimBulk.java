package dev.roster.scim;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.roster.access.Operator;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.batch.BatchService;
import dev.roster.batch.state.UploadRequest;
import dev.roster.csv.ColumnNames;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.SingleRowPlan;
import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * /Bulk (RFC 7644 §3.7): the operations run in order in one transaction, each inside a savepoint, so a failed
 * operation leaves no trace and the others commit together with all their audit events. bulkId references
 * ("bulkId:x" in a path or a value) are resolved to the ids created, in whatever order the operations come.
 * {@code asBatch} turns the user operations into a mixed CSV file planned as a batch that waits for an operator.
 */
@ApplicationScoped
public class ScimBulk {

    private static final Pattern BULK_REF = Pattern.compile("bulkId:([A-Za-z0-9_.~-]{1,100})");
    static final Pattern PATH = Pattern.compile("/(Users|Groups)(?:/([^/?#]+))?");

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;
    @Inject
    ObjectMapper json;
    @Inject
    ScimSettings settings;
    @Inject
    ScimUsers users;
    @Inject
    ScimUserSchema userSchema;
    @Inject
    ScimResponses responses;
    @Inject
    ScimGroups groups;
    @Inject
    BatchService batches;
    @Inject
    ScimDeleteCap deleteCap;

    /** Checks the limits and reads the operations. */
    void checkSize(int payloadBytes) {
        if (payloadBytes > settings.maxPayloadSize()) {
            throw new ScimException(413, null, "The request is " + payloadBytes + " bytes; /Bulk takes at most "
                    + settings.maxPayloadSize() + " (maxPayloadSize). Split it.");
        }
    }

    JsonNode operations(JsonNode body, int payloadBytes) {
        checkSize(payloadBytes);
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("A /Bulk body must be a JSON object (a BulkRequest).");
        }
        JsonNode schemas = ScimAttributes.field(body, "schemas");
        if (schemas != null && !schemas.isNull()) {
            // absent: taken as a BulkRequest, as Roster always did (decision 0033); present: it must say so
            ScimMessages.message(body, ScimMedia.BULK_REQUEST_SCHEMA, "A /Bulk");
        }
        JsonNode ops = ScimAttributes.field(body, "Operations");
        if (ops == null || !ops.isArray()) {
            throw ScimException.invalidSyntax("A bulk request needs \"Operations\": a list of {\"method\", \"path\", \"data\"}.");
        }
        if (ops.size() > settings.maxOperations()) {
            throw new ScimException(413, "tooMany", "The request has " + ops.size() + " operations; /Bulk takes at most "
                    + settings.maxOperations() + " (maxOperations). Split it.");
        }
        return ops;
    }

    public ObjectNode run(JsonNode body, int payloadBytes, boolean dryRun, Operator who) {
        JsonNode ops = operations(body, payloadBytes);
        JsonNode fail = ScimAttributes.field(body, "failOnErrors");
        int failOnErrors = fail == null || fail.isNull() ? Integer.MAX_VALUE : Math.max(1, fail.asInt(Integer.MAX_VALUE));
        deleteCap.check(ops);
        ObjectNode[] results = new ObjectNode[ops.size()];
        // Each operation's bulkId references, read once: the ordering passes below only look them up.
        List<Set<String>> references = new ArrayList<>(ops.size());
        for (JsonNode op : ops) {
            references.add(references(op));
        }
        jdbc.runInTransaction(c -> {
            List<AuditEventDraft> drafts = new ArrayList<>();
            Map<String, String> created = new HashMap<>();
            Set<String> declared = new LinkedHashSet<>();
            for (JsonNode op : ops) {
                String bulkId = op.path("bulkId").asText(null);
                if (bulkId != null) {
                    declared.add(bulkId);
                }
            }
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                pending.add(i);
            }
            int errors = 0;
            boolean progress = true;
            while (!pending.isEmpty() && progress && errors < failOnErrors) {
                progress = false;
                for (Iterator<Integer> it = pending.iterator(); it.hasNext() && errors < failOnErrors;) {
                    int i = it.next();
                    JsonNode op = ops.get(i);
                    Set<String> refs = references.get(i);
                    if (!created.keySet().containsAll(refs) && declared.containsAll(refs)) {
                        continue; // waits for an operation that creates what it refers to
                    }
                    it.remove();
                    progress = true;
                    results[i] = one(c, op, created, dryRun, who, drafts);
                    if (results[i].path("status").asInt() >= 400) {
                        errors++;
                    }
                }
            }
            for (int i : pending) {
                if (results[i] == null && errors < failOnErrors) {
                    results[i] = error(ops.get(i), ScimException.invalidValue("This operation refers to a bulkId whose "
                            + "operation failed or that refers back to it."));
                    errors++;
                }
            }
            if (!drafts.isEmpty()) {
                audit.recordAll(c, who.actor(), drafts.iterator());
            }
        });
        ObjectNode answer = json.createObjectNode();
        answer.putArray("schemas").add(ScimMedia.BULK_RESPONSE_SCHEMA);
        if (dryRun) {
            answer.put("dryRun", true);
        }
        ArrayNode out = answer.putArray("Operations");
        for (ObjectNode r : results) {
            if (r != null) {
                out.add(r);
            }
        }
        return answer;
    }

    private Set<String> references(JsonNode op) {
        Set<String> refs = new LinkedHashSet<>();
        Matcher m = BULK_REF.matcher(op.path("path").asText("") + " " + (op.has("data") ? op.get("data").toString() : ""));
        while (m.find()) {
            refs.add(m.group(1));
        }
        return refs;
    }

    private ObjectNode one(Connection c, JsonNode op, Map<String, String> created, boolean dryRun, Operator who,
            List<AuditEventDraft> drafts) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        List<AuditEventDraft> mine = new ArrayList<>();
        try {
            String method = op.path("method").asText("").toUpperCase(Locale.ROOT);
            String path = resolve(op.path("path").asText(""), created);
            JsonNode data = op.has("data") ? resolve(op.get("data").deepCopy(), created) : null;
            String version = op.path("version").asText(null);
            Matcher m = PATH.matcher(path);
            if (!m.matches()) {
                throw ScimException.invalidPath("path \"" + path + "\" is not /Users, /Users/{id}, /Groups or /Groups/{id}.");
            }
            boolean isUsers = m.group(1).equals("Users");
            UUID id = m.group(2) == null ? null : ScimRequests.id(m.group(2));
            if (method.equals("POST") != (m.group(2) == null)) {
                throw ScimException.invalidPath(method + " " + path + ": POST goes to /Users or /Groups, the others to one resource.");
            }
            if (data == null && (method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
                throw ScimException.invalidSyntax(method + " needs \"data\".");
            }
            ScimOutcome outcome = switch (method) {
                case "POST" -> isUsers ? users.create(c, data, dryRun, mine) : groups.create(c, data, dryRun, who.name(), mine);
                case "PUT" -> isUsers ? users.replace(c, id, data, version, dryRun, mine)
                        : groups.replace(c, id, data, version, dryRun, who.name(), mine);
                case "PATCH" -> isUsers ? users.patch(c, id, data, version, dryRun, mine)
                        : groups.patch(c, id, data, version, dryRun, who.name(), mine);
                case "DELETE" -> isUsers ? users.delete(c, id, version, dryRun, mine) : groups.delete(c, id, version, dryRun, mine);
                default -> throw ScimException.invalidSyntax("method is POST, PUT, PATCH or DELETE, not \"" + method + "\".");
            };
            c.releaseSavepoint(savepoint);
            drafts.addAll(mine);
            ObjectNode r = json.createObjectNode();
            r.put("method", method);
            if (op.hasNonNull("bulkId")) {
                r.put("bulkId", op.get("bulkId").asText());
            }
            if (outcome.body() != null && outcome.body().has("id")) {
                String createdId = outcome.body().get("id").asText();
                if (op.hasNonNull("bulkId") && method.equals("POST")) {
                    created.put(op.get("bulkId").asText(), createdId);
                }
                r.put("location", outcome.body().path("meta").path("location").asText());
            } else if (id != null) {
                r.put("location", responses.location(isUsers ? "Users" : "Groups", id));
            }
            if (outcome.etag() != null) {
                r.put("version", outcome.etag());
            }
            r.put("status", Integer.toString(outcome.status()));
            if (dryRun && outcome.body() != null) {
                r.set("response", outcome.body());
            }
            return r;
        } catch (ScimException e) {
            c.rollback(savepoint);
            return error(op, e);
        } catch (SQLException | RuntimeException e) {
            c.rollback(savepoint);
            String reference = UUID.randomUUID().toString().substring(0, 8);
            Log.errorf(e, "Bulk operation failed, reference %s", reference);
            return error(op, new ScimException(500, null, "This operation failed on Roster's side (reference " + reference
                    + "); nothing of it was written."));
        }
    }

    private ObjectNode error(JsonNode op, ScimException e) {
        ObjectNode r = json.createObjectNode();
        r.put("method", op.path("method").asText("").toUpperCase(Locale.ROOT));
        if (op.hasNonNull("bulkId")) {
            r.put("bulkId", op.get("bulkId").asText());
        }
        r.put("status", Integer.toString(e.status()));
        r.set("response", ScimErrors.body(json, e.status(), e.scimType(), e.getMessage()));
        return r;
    }

    private static String resolve(String text, Map<String, String> created) {
        Matcher m = BULK_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String id = created.get(m.group(1));
            if (id == null) {
                throw ScimException.invalidValue("bulkId " + m.group(1) + " is not defined by an operation that succeeded.");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(id));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode resolve(JsonNode node, Map<String, String> created) {
        if (node.isTextual()) {
            return node.asText().contains("bulkId:") ? TextNode.valueOf(resolve(node.asText(), created)) : node;
        }
        if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, resolve(a.get(i), created));
            }
        } else if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                o.set(name, resolve(o.get(name), created));
            }
        }
        return node;
    }

    // ---------------------------------------------------------------- asBatch

    /**
     * Writes the user operations as a mixed CSV file (action, email, new_email and the columns they set) and uploads
     * it like a file: planned in the background, then shown, confirmed (and approved in four-eyes mode) in the browser.
     */
    public UUID asBatch(JsonNode body, int payloadBytes, Operator who) {
        JsonNode ops = operations(body, payloadBytes);
        List<Map<String, String>> rows = jdbc.withConnection(c -> {
            List<Map<String, String>> out = new ArrayList<>();
            int n = 0;
            for (JsonNode op : ops) {
                n++;
                String method = op.path("method").asText("").toUpperCase(Locale.ROOT);
                String path = op.path("path").asText("");
                Matcher m = PATH.matcher(path);
                if (!m.matches() || !m.group(1).equals("Users") || !references(op).isEmpty()) {
                    throw ScimException.invalidValue("Operation " + n + ": asBatch takes user operations (POST /Users, PUT, "
                            + "PATCH or DELETE /Users/{id}) without bulkId references.");
                }
                Map<String, String> row = new LinkedHashMap<>();
                JsonNode data = op.get("data");
                if (method.equals("POST")) {
                    ScimUsers.checkDocument(data);
                    row.put(ColumnNames.ACTION, "create");
                    cells(row, userSchema.desired(data, null), null, n);
                } else {
                    if (method.equals("PUT")) {
                        ScimUsers.checkDocument(data); // the request's syntax before the lookup, as without asBatch
                    } else if (method.equals("PATCH")) {
                        ScimPatchRequest.check(data);
                    }
                    ScimUserSchema.UserRow existing = userSchema.find(c, ScimRequests.id(m.group(2)), false);
                    if (existing.email() == null) {
                        // the batch's rows are matched by email (decisions/0031: a user without one has a username)
                        throw ScimException.invalidValue("Operation " + n + ": user " + existing.id() + " has no email "
                                + "address, and an asBatch file matches users by email; send this operation without asBatch.");
                    }
                    row.put(ColumnNames.ACTION, method.equals("DELETE") ? "delete" : "update");
                    row.put(ColumnNames.EMAIL, existing.email());
                    if (method.equals("PUT") || method.equals("PATCH")) {
                        JsonNode doc = data;
                        if (method.equals("PATCH")) {
                            ObjectNode rendered = userSchema.render(existing);
                            ScimPatch.apply(rendered, data);
                            doc = rendered;
                        }
                        cells(row, userSchema.desired(doc, existing, method.equals("PATCH")), existing, n);
                    } else if (!method.equals("DELETE")) {
                        throw ScimException.invalidSyntax("Operation " + n + ": method is POST, PUT, PATCH or DELETE.");
                    }
                }
                out.add(row);
            }
            return out;
        });
        List<String> header = new ArrayList<>(List.of(ColumnNames.ACTION, ColumnNames.EMAIL));
        for (Map<String, String> row : rows) {
            for (String column : row.keySet()) {
                if (!header.contains(column)) {
                    header.add(column);
                }
            }
        }
        StringBuilder csv = new StringBuilder();
        csv.append(String.join(",", header.stream().map(ScimBulk::quote).toList())).append('\n');
        for (Map<String, String> row : rows) {
            csv.append(String.join(",", header.stream().map(h -> quote(row.getOrDefault(h, ""))).toList())).append('\n');
        }
        return batches.upload(new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)),
                UploadRequest.of("scim-bulk.csv", Operation.MIXED, MatchKey.EMAIL, UploadRequest.Origin.SCIM, who));
    }

    private static void cells(Map<String, String> row, ScimUserSchema.Desired desired, ScimUserSchema.UserRow existing, int n) {
        if (desired.password() != null) {
            throw ScimException.invalidValue("Operation " + n + ": a batch carries no passwords; create this user without "
                    + "asBatch, or leave password out.");
        }
        UUID manager = desired.managerId() == null ? null : ScimQuery.uuid(desired.managerId());
        if (!Objects.equals(manager, existing == null ? null : existing.managerId())) {
            throw ScimException.invalidValue("Operation " + n + ": asBatch cannot change a manager yet; send it without asBatch.");
        }
        for (SingleRowPlan.Cell cell : desired.cells()) {
            String column = cell.column();
            if (ColumnNames.SCIM_ONLY.contains(column)) {
                // a file has no column for these (decisions/0032): refused rather than dropped
                throw ScimException.invalidValue("Operation " + n + ": a batch has no column for " + cell.name()
                        + " (only for a single primary email or phone); send this operation without asBatch.");
            }
            if (existing != null && column.equals(ColumnNames.EMAIL)) {
                if (cell.value().equalsIgnoreCase(existing.email())) {
                    continue;
                }
                column = ColumnNames.NEW_EMAIL;
            }
            row.put(column, cell.value());
        }
    }

    /** A CSV cell, always quoted (RFC 4180). */
    static String quote(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }
}
