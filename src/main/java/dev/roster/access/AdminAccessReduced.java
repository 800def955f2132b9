package dev.roster.access;

import java.util.UUID;

/**
 * An admin account lost power: demoted to {@code role}, or disabled ({@code role} null). Fired inside the change's
 * JTA transaction, so what the admin handed out (API tokens) is withdrawn in the same commit.
 */
public record AdminAccessReduced(UUID adminId, AdminRole role, Operator who) {
}
