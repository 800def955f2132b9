package dev.roster.group;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditEventDraft.FieldChange;
import dev.roster.audit.AuditTrail;
import dev.roster.plan.GroupNames;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;

/**
 * Single-group writes for the pages and the API: create, edit, soft delete, add and remove a member, through
 * the table writers (GroupWriter, MembershipWriter) and event builders (GroupEvents, MembershipEvents). Each runs
 * in one transaction that locks the group, bumps the versions (a membership change bumps the user's and the
 * group's, docs/groups.md) and appends its audit event. Batches change groups set-based
 * in their own apply, not through here.
 */
@ApplicationScoped
public class GroupService {

    /** An edit: null leaves a field as it is; an empty description or external id clears it. */
    public record GroupEdit(String name, String description, String externalId) {
    }

    /** Deleting a group with members without the typed count of its members (the count is in the refusal). */
    public static final class MembershipsNotConfirmed extends ClientErrorException {
        private final long memberships;

        MembershipsNotConfirmed(String group, long memberships) {
            super("The group \"" + group + "\" has " + memberships + (memberships == 1 ? " member" : " members")
                    + ". Deleting it keeps the memberships (they come back if the group is restored) but nobody is in it "
                    + "any more: confirm with the number of members, " + memberships + ".", 409);
            this.memberships = memberships;
        }

        public long memberships() {
            return memberships;
        }
    }

    /** The group is no longer at the version the caller read (HTTP 409, or 412 for an If-Match). */
    public static final class StaleGroup extends ClientErrorException {
        StaleGroup(String message) {
            super(message, 409);
        }
    }

    @Inject
    Jdbc jdbc;
    @Inject
    AuditTrail audit;

    public UserGroup create(String name, String description, String externalId, AuditActor actor) {
        refuseBadName(name);
        String desc = emptyToNull(description);
        String ext = emptyToNull(externalId);
        return jdbc.inTransaction(c -> {
            refuseTaken(c, null, name, ext);
            UUID id = UUID.randomUUID();
            insertOrConflict(() -> GroupWriter.insert(c, id, name, desc, ext), name, ext);
            Map<String, Object> more = new LinkedHashMap<>();
            if (desc != null) {
                more.put("description", desc);
            }
            if (ext != null) {
                more.put("externalId", ext);
            }
            audit.record(c, actor, GroupEvents.of(AuditAction.GROUP_CREATED, id, name, more));
            return GroupQuery.find(c, id).orElseThrow();
        });
    }

    /**
     * Applies an edit if the group is still at {@code expectedVersion} (null: whatever its version). A 409
     * names the version the caller should reload; an edit that changes nothing changes no version.
     */
    public UserGroup update(UUID id, Long expectedVersion, GroupEdit edit, AuditActor actor) {
        if (edit.name() != null) {
            refuseBadName(edit.name());
        }
        return jdbc.inTransaction(c -> {
            UserGroup before = lockLive(c, id);
            refuseStale(before, expectedVersion);
            String name = edit.name() == null ? before.name() : edit.name();
            String desc = edit.description() == null ? before.description() : emptyToNull(edit.description());
            String ext = edit.externalId() == null ? before.externalId() : emptyToNull(edit.externalId());
            List<FieldChange> changes = new ArrayList<>();
            if (!name.equals(before.name())) {
                changes.add(new FieldChange("name", before.name(), name));
            }
            if (!Objects.equals(desc, before.description())) {
                changes.add(new FieldChange("description", before.description(), desc));
            }
            if (!Objects.equals(ext, before.externalId())) {
                changes.add(new FieldChange("external_id", before.externalId(), ext));
            }
            if (changes.isEmpty()) {
                return before;
            }
            refuseTaken(c, id, name.equalsIgnoreCase(before.name()) ? null : name,
                    Objects.equals(ext, before.externalId()) ? null : ext);
            insertOrConflict(() -> GroupWriter.update(c, id, name, desc, ext), name, ext);
            audit.record(c, actor, GroupEvents.of(AuditAction.GROUP_UPDATED, id, name, AuditEventDraft.fieldDetails(changes)));
            return GroupQuery.find(c, id).orElseThrow();
        });
    }

    /**
     * Soft-deletes a group; its memberships stay. A group with live members needs {@code typedMemberships}
     * equal to their number, like deleting users needs the typed count at confirm.
     */
    public void delete(UUID id, Long expectedVersion, Long typedMemberships, AuditActor actor) {
        jdbc.runInTransaction(c -> {
            UserGroup group = lockLive(c, id);
            refuseStale(group, expectedVersion);
            if (group.memberCount() > 0 && (typedMemberships == null || typedMemberships != group.memberCount())) {
                throw new MembershipsNotConfirmed(group.name(), group.memberCount());
            }
            GroupWriter.softDelete(c, id);
            audit.record(c, actor, GroupEvents.of(AuditAction.GROUP_DELETED, id, group.name(),
                    Map.of("memberships", group.memberCount())));
        });
    }

    /**
     * Restores a soft-deleted group with the memberships it kept, unless a live group took its name or external
     * id meanwhile (409: rename that one first).
     */
    public UserGroup restore(UUID id, AuditActor actor) {
        return jdbc.inTransaction(c -> {
            Jdbc.one(c, "SELECT id FROM user_group WHERE id = ? FOR UPDATE", rs -> rs.getObject(1), id)
                    .orElseThrow(() -> new NotFoundException("No group with id " + id + "."));
            UserGroup group = GroupQuery.find(c, id).orElseThrow();
            if (!group.deleted()) {
                throw new ClientErrorException("The group \"" + group.name() + "\" is not deleted: nothing to restore.", 409);
            }
            refuseTaken(c, id, group.name(), group.externalId());
            GroupWriter.restore(c, id);
            audit.record(c, actor, GroupEvents.of(AuditAction.GROUP_RESTORED, id, group.name(),
                    Map.of("memberships", group.memberCount())));
            return GroupQuery.find(c, id).orElseThrow();
        });
    }

    /** Adds a live user to a live group; false when they already were a member (nothing changes, nothing recorded). */
    public boolean addMember(UUID groupId, UUID userId, AuditActor actor) {
        return jdbc.inTransaction(c -> add(c, lockLive(c, groupId), lockUser(c, userId), actor));
    }

    /** Adds the user with this email (any case); see {@link #addMember(UUID, UUID, AuditActor)}. */
    public boolean addMemberByEmail(UUID groupId, String email, AuditActor actor) {
        return jdbc.inTransaction(c -> {
            UserGroup group = lockLive(c, groupId);
            // a live holder first: a deleted user keeps its address but no longer holds it (decisions/0031); each
            // branch names the condition of an index (V26's partial email key, the identifier index), no full scan
            String address = email == null ? "" : email.strip();
            UUID userId = Jdbc.one(c, "(SELECT id, 0 AS rank FROM directory_user WHERE lower(email) = lower(?) "
                    + "AND status <> 'DELETED' LIMIT 1) UNION ALL (SELECT id, 1 FROM directory_user "
                    + "WHERE lower(coalesce(email, username)) = lower(?) AND lower(email) = lower(?) AND status = 'DELETED' "
                    + "ORDER BY deleted_at DESC LIMIT 1) ORDER BY rank LIMIT 1",
                    rs -> rs.getObject(1, UUID.class), address, address, address)
                    .orElseThrow(() -> new ClientErrorException("No directory user has the email \"" + email
                            + "\": check the address.", 422));
            return add(c, group, lockUser(c, userId), actor);
        });
    }

    private boolean add(Connection c, UserGroup group, Member user, AuditActor actor) throws SQLException {
        if ("DELETED".equals(user.status())) {
            throw new ClientErrorException("The user " + user.email() + " is deleted: restore them before adding "
                    + "them to a group.", 409);
        }
        if (MembershipWriter.add(c, group.id(), List.of(user.id()), actor == null ? null : actor.name()).isEmpty()) {
            return false;
        }
        membershipChanged(c, true, group, user, actor);
        return true;
    }

    /** Removes a member; false when they were not one. A deleted user's membership can be removed too. */
    public boolean removeMember(UUID groupId, UUID userId, AuditActor actor) {
        return jdbc.inTransaction(c -> {
            UserGroup group = lockLive(c, groupId);
            Member user = lockUser(c, userId);
            if (MembershipWriter.remove(c, groupId, List.of(userId)).isEmpty()) {
                return false;
            }
            membershipChanged(c, false, group, user, actor);
            return true;
        });
    }

    private record Member(UUID id, String email, String status) {
    }

    @FunctionalInterface
    private interface SqlWrite {
        void run() throws SQLException;
    }

    private void membershipChanged(Connection c, boolean added, UserGroup group, Member user, AuditActor actor)
            throws SQLException {
        MembershipWriter.bumpMembers(c, List.of(user.id()));
        GroupWriter.bumpVersion(c, group.id());
        audit.record(c, actor, MembershipEvents.of(added, user.id(), user.email(), group.id(), group.name()));
    }

    private static UserGroup lockLive(Connection c, UUID id) throws SQLException {
        Jdbc.one(c, "SELECT id FROM user_group WHERE id = ? AND deleted_at IS NULL FOR UPDATE", rs -> rs.getObject(1), id)
                .orElseThrow(() -> new NotFoundException("No group with id " + id + "."));
        return GroupQuery.find(c, id).orElseThrow();
    }

    private static Member lockUser(Connection c, UUID id) throws SQLException {
        return Jdbc.one(c, "SELECT id, email, status FROM directory_user WHERE id = ? FOR UPDATE",
                rs -> new Member(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)), id)
                .orElseThrow(() -> new NotFoundException("No directory user with id " + id + "."));
    }

    private static void refuseStale(UserGroup group, Long expectedVersion) {
        if (expectedVersion != null && expectedVersion != group.version()) {
            throw new StaleGroup("The group \"" + group.name() + "\" changed since you loaded it (version "
                    + expectedVersion + "; it is now at version " + group.version() + "). Reload it and try again.");
        }
    }

    private static void refuseBadName(String name) {
        String problem = GroupNames.problem(name);
        if (problem != null) {
            throw new ClientErrorException(Character.toUpperCase(problem.charAt(0)) + problem.substring(1) + ".", 422);
        }
    }

    /** A clear 409 for a name or external id another live group holds (null: not being set). */
    private static void refuseTaken(Connection c, UUID self, String name, String externalId) throws SQLException {
        if (name != null) {
            String holder = Jdbc.one(c, "SELECT name FROM user_group WHERE lower(name) = lower(?) AND deleted_at IS NULL "
                    + "AND id IS DISTINCT FROM ?", rs -> rs.getString(1), name, self).orElse(null);
            if (holder != null) {
                throw nameTaken(name, holder);
            }
        }
        if (externalId != null && Jdbc.one(c, "SELECT 1 FROM user_group WHERE external_id = ? AND deleted_at IS NULL "
                + "AND id IS DISTINCT FROM ?", rs -> 1, externalId, self).isPresent()) {
            throw externalIdTaken(externalId);
        }
    }

    private static ClientErrorException nameTaken(String name, String holder) {
        return new ClientErrorException("A group named \"" + holder + "\" already exists" + (holder.equals(name) ? ""
                : " (names are the same whatever their case)") + ": choose another name.", 409);
    }

    private static ClientErrorException externalIdTaken(String externalId) {
        return new ClientErrorException("Another group has the external id \"" + externalId + "\": external ids are unique.",
                409);
    }

    /** The unique indexes decide a race two writers run at once: the loser gets the same 409. */
    private static void insertOrConflict(SqlWrite write, String name, String externalId)
            throws SQLException {
        try {
            write.run();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            throw e.getMessage() != null && e.getMessage().contains("user_group_external_id_key")
                    ? externalIdTaken(externalId) : nameTaken(name, name);
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
