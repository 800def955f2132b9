package dev.roster.access;

import java.util.UUID;

import dev.roster.audit.AuditActor;

/**
 * Who acts: the signed-in admin's id, display name and role, and the actor their audit events name
 * (with the request's origin). A value, so background work (an apply) keeps it after the request.
 * {@code interactive}: a person signed in (a Roster session or OIDC's code flow), not a machine credential
 * (HTTP Basic, an API token, an OIDC bearer token, a sync source); only they may approve (decision 0026).
 */
public record Operator(UUID id, String name, String role, AuditActor actor, boolean interactive) {

    /** Not interactive: Roster itself, a sync source, or a credential a script holds. */
    public Operator(UUID id, String name, String role, AuditActor actor) {
        this(id, name, role, actor, false);
    }

    public boolean isAdmin() {
        return AdminRole.ADMIN_ROLE.equals(role);
    }

    /** Roster itself, for work nobody asked for in a request (resumed planning, interrupted applies). */
    public static Operator system() {
        return new Operator(null, AuditActor.SYSTEM, "none", AuditActor.system());
    }
}
