package dev.roster.scim;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.roster.access.HashingSlots;
import dev.roster.audit.AuditEventDraft;
import dev.roster.batch.planning.JdbcDirectoryView;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordPolicy;
import dev.roster.csv.ColumnNames;
import dev.roster.directory.UserEvents;
import dev.roster.directory.ScheduleSettings;
import dev.roster.directory.ScheduledChanges;
import dev.roster.directory.UserWriter;
import dev.roster.plan.ChangeKind;
import dev.roster.plan.FieldDiff;
import dev.roster.plan.PlanMessage;
import dev.roster.plan.PlannedChange;
import dev.roster.plan.Schedule;
import dev.roster.plan.Severity;
import dev.roster.plan.SingleRowPlan;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SCIM Users' reads of one user and writes (docs/scim.md): every write is planned as one row through plan/'s checks
 * and rules ({@link SingleRowPlan}), then written in the caller's transaction through directory/UserWriter with the
 * version bump and the user.created / updated / deleted event (directory/UserEvents) an apply writes, so a planned
 * batch that touches the user becomes stale. The mapping is {@link ScimUserSchema}'s, lists {@link ScimUserList}'s.
 */
@ApplicationScoped
public class ScimUsers {

    /** The start and end dates, written like the profile columns; the pending changes follow them. */
    private static final List<String> DATE_COLUMNS = UserWriter.DATES;

    @Inject
    Jdbc jdbc;
    @Inject
    ObjectMapper json;
    @Inject
    ScimUserSchema schema;
    @Inject
    ScimResponses responses;
    @Inject
    ScimWrites writes;
    @Inject
    ScheduleSettings scheduleSettings;
    @Inject
    Clock clock;
    @Inject
    HashingSlots hashing;
    @Inject
    ScimUserTotal userTotal;

    public ObjectNode get(UUID id, String attributes, String excluded) {
        ScimUserSchema.UserRow row = jdbc.withConnection(c -> schema.find(c, id, false));
        return ScimProjection.of(attributes, excluded).apply(schema.render(row));
    }

    public ScimOutcome create(Connection c, JsonNode doc, boolean dryRun, List<AuditEventDraft> drafts) throws SQLException {
        checkDocument(doc);
        return write(c, null, schema.desired(doc, null), dryRun, drafts);
    }

    public ScimOutcome replace(Connection c, UUID id, JsonNode doc, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        checkDocument(doc);
        ScimUserSchema.UserRow existing = schema.find(c, id, !dryRun);
        ScimResponses.checkIfMatch(ifMatch, existing.version());
        return write(c, existing, schema.desired(doc, existing), dryRun, drafts);
    }

    public ScimOutcome patch(Connection c, UUID id, JsonNode body, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts)
            throws SQLException {
        ScimPatchRequest.check(body);
        ScimUserSchema.UserRow existing = schema.find(c, id, !dryRun);
        ScimResponses.checkIfMatch(ifMatch, existing.version());
        ObjectNode doc = schema.render(existing);
        ScimPatch.apply(doc, body);
        return write(c, existing, schema.desired(doc, existing, true), dryRun, drafts);
    }

    public ScimOutcome delete(Connection c, UUID id, String ifMatch, boolean dryRun, List<AuditEventDraft> drafts) throws SQLException {
        writes.refuseDeleteUnderFourEyes("users", "send the deletions to /Bulk?asBatch=true: they become a batch that another "
                + "operator approves and a person confirms in Roster's pages");
        ScimUserSchema.UserRow existing = schema.find(c, id, !dryRun);
        ScimResponses.checkIfMatch(ifMatch, existing.version());
        PlannedChange change = SingleRowPlan.plan(SingleRowPlan.Action.DELETE, existing.email(), existing.username(), List.of(),
                new JdbcDirectoryView(c, json));
        refuseErrors(change);
        if (dryRun) {
            return new ScimOutcome(200, responses.dryRun(List.of(diff(change, change.fields()))), null, false);
        }
        UserWriter.softDelete(c, id);
        drafts.add(UserEvents.deleted(id, identifier(existing.email(), existing.username()), null, null, existing.status(),
                ScimWrites.SOURCE));
        userTotal.changed();
        return new ScimOutcome(204, null, null, true);
    }

    /** A User body's syntax, schema URIs and userName, checked before any lookup (decision 0033). */
    static void checkDocument(JsonNode doc) {
        ScimMessages.resource(doc, ScimMedia.USER_SCHEMA, ScimMessages.USER_EXTENSIONS, "userName");
    }

    private ScimOutcome write(Connection c, ScimUserSchema.UserRow existing, ScimUserSchema.Desired desired, boolean dryRun,
            List<AuditEventDraft> drafts) throws SQLException {
        // start and end dates are planned as a file's row plans them (decision 0039), with the instant of this write
        Schedule schedule = scheduleSettings.at(clock.instant());
        PlannedChange change = SingleRowPlan.plan(existing == null ? SingleRowPlan.Action.CREATE : SingleRowPlan.Action.UPDATE,
                existing == null ? null : existing.email(), existing == null ? null : existing.username(), desired.cells(),
                new JdbcDirectoryView(c, json), schedule);
        refuseErrors(change);
        List<FieldDiff> fields = new ArrayList<>(change.fields());
        UUID managerId = managerChange(c, existing, desired, fields);
        if (desired.clearsEmail()) {
            emailCleared(existing, fields);
        }
        String passwordHash = null;
        String status = existing == null ? createdStatus(change, desired, fields) : null;
        checkUnique(c, existing, fields);
        if (dryRun) {
            ObjectNode d = diff(change, fields);
            if (desired.password() != null) {
                d.withArray("messages").addObject().put("severity", "NOTE").put("column", "password")
                        .put("text", "a password would be set (never shown)");
            }
            return new ScimOutcome(200, responses.dryRun(List.of(d)), null, false);
        }
        if (existing != null && fields.isEmpty()) {
            ObjectNode same = schema.render(existing);
            return new ScimOutcome(200, same, ScimResponses.etag(same), false);
        }
        if (desired.password() != null) {
            String password = desired.password();
            passwordHash = hashing.inSlot(() -> PasswordHasher.hash(password)).orElseThrow(ScimException::busyHashing);
        }
        UUID id = existing == null ? UUID.randomUUID() : existing.id();
        try {
            if (existing == null) {
                insert(c, id, fields, status, passwordHash, managerId);
            } else {
                update(c, id, fields, managerId);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw ScimException.uniqueness("Another user already has this email address, userName or externalId.");
            }
            throw e;
        }
        if (fields.stream().anyMatch(f -> DATE_COLUMNS.contains(f.name()))) {
            // the pending activation, suspension and leaver delete follow the dates, as after a file (decision 0039)
            ScheduledChanges.followUser(c, id, ScimWrites.SOURCE, schedule);
        } else if (existing != null && fields.stream().anyMatch(f -> f.name().equals(ColumnNames.TIMEZONE))) {
            // the user's start and end dates fall in their zone: the pending changes move with it (decision 0037)
            ScheduledChanges.followZone(c, id, schedule);
        }
        drafts.add(event(existing, id, change, fields));
        if (existing == null) {
            userTotal.changed();
        }
        ObjectNode after = schema.render(schema.find(c, id, false));
        return new ScimOutcome(existing == null ? 201 : 200, after, ScimResponses.etag(after), true);
    }

    /** The manager the document asks for (a document without one clears it); adds the manager field when it changes. */
    private static UUID managerChange(Connection c, ScimUserSchema.UserRow existing, ScimUserSchema.Desired desired,
            List<FieldDiff> fields) throws SQLException {
        UUID managerId = existing == null ? null : existing.managerId();
        if (!desired.managerGiven()) {
            return managerId;
        }
        UUID wanted = null;
        String wantedEmail = null;
        if (desired.managerId() != null && !desired.managerId().isBlank()) {
            wanted = ScimQuery.uuid(desired.managerId().strip());
            UUID target = wanted;
            // by id alone: a manager without email is a manager (the diff names it by its username)
            wantedEmail = wanted == null ? null : Jdbc.one(c, "SELECT coalesce(email, username) FROM directory_user "
                    + "WHERE id = ? AND status <> 'DELETED'", rs -> rs.getString(1), target).orElse(null);
            if (wantedEmail == null) {
                throw ScimException.invalidValue("manager.value " + desired.managerId() + " is not the id of a user.");
            }
            if (existing != null && wanted.equals(existing.id())) {
                throw ScimException.invalidValue("A user cannot be their own manager.");
            }
        }
        if (!Objects.equals(wanted, managerId)) {
            fields.add(new FieldDiff("manager", existing == null ? null : existing.managerEmail(), wantedEmail));
            return wanted;
        }
        return managerId;
    }

    /** A document without usable emails removes the address of a user that keeps a userName (decision 0033). */
    private static void emailCleared(ScimUserSchema.UserRow existing, List<FieldDiff> fields) {
        if (after(fields, ColumnNames.USERNAME, existing.username()) == null) {
            throw ScimException.invalidValue("A user needs an email or a userName: give emails, or a userName other than "
                    + "the address.");
        }
        fields.add(new FieldDiff(ColumnNames.EMAIL, existing.email(), null));
    }

    /** A new user's status (SUSPENDED, ACTIVE with a password that passes the policy, else INVITED), as a field. */
    private static String createdStatus(PlannedChange change, ScimUserSchema.Desired desired, List<FieldDiff> fields) {
        String email = change.field(ColumnNames.EMAIL).map(FieldDiff::after).orElse(null);
        if (desired.password() != null) {
            List<String> names = new ArrayList<>();
            change.field(ColumnNames.GIVEN_NAME).ifPresent(f -> names.add(f.after()));
            change.field(ColumnNames.FAMILY_NAME).ifPresent(f -> names.add(f.after()));
            List<String> problems = PasswordPolicy.violations(desired.password(), email, names);
            if (!problems.isEmpty()) {
                throw ScimException.invalidValue("password: " + String.join(" ", problems) + " (the value is not shown or kept).");
            }
        }
        if (change.field(ColumnNames.STATUS).isPresent()) {
            return change.field(ColumnNames.STATUS).get().after(); // a start date ahead: created suspended (decision 0039)
        }
        String status = Boolean.FALSE.equals(desired.active()) ? "SUSPENDED" : desired.password() != null ? "ACTIVE" : "INVITED";
        fields.add(new FieldDiff(ColumnNames.STATUS, null, status));
        return status;
    }

    /** user.created or user.updated with the fields before and after. */
    private static AuditEventDraft event(ScimUserSchema.UserRow existing, UUID id, PlannedChange change, List<FieldDiff> fields) {
        List<Map<String, Object>> changed = fields.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.name());
            m.put("before", f.before());
            m.put("after", f.after());
            return m;
        }).toList();
        if (existing == null) {
            return UserEvents.created(id, change.field(ColumnNames.EMAIL).or(() -> change.field(ColumnNames.USERNAME))
                    .map(FieldDiff::after).orElse(null), null, null, changed, false, ScimWrites.SOURCE);
        }
        String email = identifier(after(fields, ColumnNames.EMAIL, existing.email()),
                after(fields, ColumnNames.USERNAME, existing.username()));
        return UserEvents.updated(id, email, null, null, changed, ScimWrites.SOURCE);
    }

    private void checkUnique(Connection c, ScimUserSchema.UserRow existing, List<FieldDiff> fields) throws SQLException {
        UUID self = existing == null ? new UUID(0, 0) : existing.id();
        for (FieldDiff f : fields) {
            if (f.after() == null) {
                continue;
            }
            if (f.name().equals(ColumnNames.EXTERNAL_ID) && Jdbc.one(c, "SELECT 1 FROM directory_user WHERE external_id = ? "
                    + "AND status <> 'DELETED' AND id <> ?",
                    rs -> 1, f.after(), self).isPresent()) {
                throw ScimException.uniqueness("externalId " + f.after() + " already belongs to another user.");
            }
            if (f.name().equals(ColumnNames.USERNAME) && Jdbc.one(c, "SELECT 1 FROM directory_user WHERE "
                    + "lower(coalesce(username, email)) = lower(?) AND status <> 'DELETED' AND id <> ?", rs -> 1, f.after(), self)
                    .isPresent()) {
                throw ScimException.uniqueness("userName " + f.after() + " already belongs to another user.");
            }
        }
    }

    /** A column's value after these changes (a field that clears it: null). */
    private static String after(List<FieldDiff> fields, String column, String current) {
        for (FieldDiff f : fields) {
            if (f.name().equals(column)) {
                return f.after();
            }
        }
        return current;
    }

    /** How an event names a user: its email, or the username of a user without one. */
    private static String identifier(String email, String username) {
        return email != null ? email : username;
    }

    private static void refuseErrors(PlannedChange change) {
        if (change.kind() != ChangeKind.ERROR) {
            return;
        }
        List<PlanMessage> errors = change.messages(Severity.ERROR);
        String detail = errors.stream().map(m -> (m.column() == null ? "" : m.column() + ": ") + m.text())
                .collect(Collectors.joining("; "));
        if (errors.stream().anyMatch(m -> m.text().contains("already belongs"))) {
            throw ScimException.uniqueness(detail);
        }
        throw ScimException.invalidValue(detail.isEmpty() ? "Roster cannot make this change." : detail);
    }

    private void insert(Connection c, UUID id, List<FieldDiff> fields, String status, String passwordHash, UUID managerId)
            throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (FieldDiff f : fields) {
            if (ColumnNames.isAttribute(f.name())) {
                attributes.put(ColumnNames.attributeName(f.name()), f.after());
            } else if (UserWriter.PROFILE.contains(f.name()) || UserWriter.JSON_PROFILE.contains(f.name())
                    || DATE_COLUMNS.contains(f.name())) {
                columns.put(f.name(), f.after());
            }
        }
        UserWriter.insert(c, List.of(new UserWriter.NewUser(id, columns, status, schema.write(attributes), passwordHash, managerId)));
    }

    private void update(Connection c, UUID id, List<FieldDiff> fields, UUID managerId) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        Map<String, String> attrSet = new LinkedHashMap<>();
        List<String> attrClear = new ArrayList<>();
        boolean managerGiven = false;
        for (FieldDiff f : fields) {
            if (ColumnNames.isAttribute(f.name())) {
                if (f.after() == null) {
                    attrClear.add(ColumnNames.attributeName(f.name()));
                } else {
                    attrSet.put(ColumnNames.attributeName(f.name()), f.after());
                }
            } else if (f.name().equals("manager")) {
                managerGiven = true;
            } else if (ScimUserSchema.PROFILE.contains(f.name()) || DATE_COLUMNS.contains(f.name())) {
                columns.put(f.name(), f.after());
            }
        }
        UserWriter.update(c, id, columns, attrSet.isEmpty() && attrClear.isEmpty() ? null : schema.write(attrSet), attrClear,
                managerGiven, managerId);
    }

    ObjectNode diff(PlannedChange change, List<FieldDiff> fields) {
        ObjectNode d = json.createObjectNode();
        d.put("kind", change.kind() == ChangeKind.UNCHANGED && !fields.isEmpty() ? "UPDATE" : change.kind().name());
        d.put("key", change.key());
        if (change.userId() != null) {
            d.put("userId", change.userId().toString());
            d.put("plannedVersion", change.plannedVersion());
        }
        ArrayNode f = d.putArray("fields");
        for (FieldDiff diff : fields) {
            f.addObject().put("name", diff.name()).put("before", diff.before()).put("after", diff.after());
        }
        ArrayNode m = d.putArray("messages");
        for (PlanMessage msg : change.messages()) {
            m.addObject().put("severity", msg.severity().name()).put("column", msg.column()).put("text", msg.text());
        }
        return d;
    }

}
