package dev.roster.access;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.PasswordPolicy;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotFoundException;

/**
 * Adds, disables and re-roles admins; refuses to leave Roster without an enabled admin. A password
 * one admin chooses for another meets credentials/PasswordPolicy and must be changed by its owner at
 * their first sign-in (must_change_password, held by PasswordChangeRequired).
 */
@ApplicationScoped
public class AdminDirectory {

    /** A password refused by the policy: a sentence and the policy's problems. */
    public static class PasswordRefused extends BadRequestException {
        private final List<String> problems;

        PasswordRefused(List<String> problems) {
            super("This password cannot be used.");
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    @Inject
    AdminSessionStore sessions;
    @Inject
    LocalPasswordIdentityProvider basicCache;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;
    @Inject
    Event<AdminAccessReduced> reduced;

    @Transactional
    public AdminAccount add(String email, String displayName, String password, AdminRole role, Operator who) {
        String cleanEmail = email == null ? "" : email.trim();
        if (!cleanEmail.matches("[^@\\s]+@[^@\\s]+")) {
            throw new BadRequestException("\"" + cleanEmail + "\" is not an email address.");
        }
        if (AdminAccount.findByEmail(cleanEmail).isPresent()) {
            throw new BadRequestException("An admin with the email " + cleanEmail + " exists already.");
        }
        String name = displayName == null || displayName.isBlank() ? cleanEmail : displayName.trim();
        List<String> problems = PasswordPolicy.violations(password, cleanEmail, List.of(name));
        if (!problems.isEmpty()) {
            throw new PasswordRefused(problems);
        }
        AdminAccount admin = AdminAccount.newLocal(cleanEmail, name, PasswordHasher.hash(password), role);
        if (role == AdminRole.ADMIN) {
            admin.grantAdmin(admin.createdAt, who.id());
        }
        // Another admin knows this password: its owner must choose their own at the first sign-in. The id
        // is new, so PasswordChangeRequired cannot have remembered it as free.
        admin.mustChangePassword = true;
        admin.persist();
        recordChange(who, admin, "added", null, role.label());
        return admin;
    }

    @Transactional
    public void changeRole(UUID id, AdminRole role, Operator who) {
        AdminAccount admin = find(id);
        if (admin.role == role) {
            return;
        }
        if (admin.role == AdminRole.ADMIN && role != AdminRole.ADMIN) {
            requireAnotherEnabledAdmin(admin);
        }
        String before = admin.role.label();
        admin.role = role;
        admin.updatedAt = Instant.now();
        if (role == AdminRole.ADMIN) {
            admin.grantAdmin(admin.updatedAt, who.id());
        } else {
            admin.grantAdmin(null, null);
        }
        sessions.closeAllOf(admin.id);
        basicCache.forgetAll();
        recordChange(who, admin, "role", before, role.label());
        if (role.compareTo(AdminRole.parse(before)) < 0) {
            reduced.fire(new AdminAccessReduced(admin.id, role, who));
        }
    }

    @Transactional
    public void setEnabled(UUID id, boolean enabled, Operator who) {
        AdminAccount admin = find(id);
        if (admin.enabled == enabled) {
            return;
        }
        if (!enabled && admin.id.equals(who.id())) {
            throw new BadRequestException("You cannot disable your own account.");
        }
        if (!enabled && admin.role == AdminRole.ADMIN) {
            requireAnotherEnabledAdmin(admin);
        }
        admin.enabled = enabled;
        admin.updatedAt = Instant.now();
        if (enabled && admin.role == AdminRole.ADMIN) {
            admin.grantAdmin(admin.updatedAt, who.id());
        }
        if (!enabled) {
            sessions.closeAllOf(admin.id);
            basicCache.forgetAll();
        }
        recordChange(who, admin, "enabled", String.valueOf(!enabled), String.valueOf(enabled));
        if (!enabled) {
            reduced.fire(new AdminAccessReduced(admin.id, null, who));
        }
    }

    /** admin.changed, in the changing transaction: the change and its event commit or roll back together. */
    private void recordChange(Operator who, AdminAccount admin, String change, String before, String after) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("adminId", admin.id);
        details.put("change", change);
        details.put("before", before);
        details.put("after", after);
        jdbc.inCallersTransaction(c -> audit.record(c, who.actor(), new AuditEventDraft(AuditAction.ADMIN_CHANGED,
                null, admin.email, null, details)));
    }

    private AdminAccount find(UUID id) {
        AdminAccount admin = AdminAccount.findById(id);
        if (admin == null) {
            throw new NotFoundException("No admin with id " + id);
        }
        return admin;
    }

    private static void requireAnotherEnabledAdmin(AdminAccount leaving) {
        long others = AdminAccount.count("role = ?1 and enabled = true and id <> ?2", AdminRole.ADMIN, leaving.id);
        if (others == 0) {
            throw new BadRequestException("Roster needs at least one enabled admin with the admin role.");
        }
    }
}
