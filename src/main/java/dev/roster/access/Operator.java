package dev.roster.access;

import java.util.UUID;

import dev.roster.audit.AuditActor;

/**
 * Who acts: the signed-in admin's id, display name and role, and the actor their audit events name
 * (with the request's origin). A value, so background work (an apply) keeps it after the request.
 */
public record Operator(UUID id, String name, String role, AuditActor actor) {

    public boolean isAdmin() {
        return AdminRole.ADMIN_ROLE.equals(role);
    }

    /** Roster itself, for work nobody asked for in a request (resumed planning, interrupted applies). */
    public static Operator system() {
        return new Operator(null, AuditActor.SYSTEM, "none", AuditActor.system());
    }
}
