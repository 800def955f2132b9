package dev.roster.access;

import java.util.Set;

/** What an admin may do; each role includes the ones below it. */
public enum AdminRole {
    VIEWER, OPERATOR, ADMIN;

    public static final String VIEWER_ROLE = "viewer";
    public static final String OPERATOR_ROLE = "operator";
    public static final String ADMIN_ROLE = "admin";

    /** The security roles an identity with this role holds (admin implies operator implies viewer). */
    public Set<String> securityRoles() {
        return switch (this) {
            case VIEWER -> Set.of(VIEWER_ROLE);
            case OPERATOR -> Set.of(VIEWER_ROLE, OPERATOR_ROLE);
            case ADMIN -> Set.of(VIEWER_ROLE, OPERATOR_ROLE, ADMIN_ROLE);
        };
    }

    public String label() {
        return name().toLowerCase();
    }

    public static AdminRole parse(String value) {
        for (AdminRole role : values()) {
            if (role.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + value + "\" (use viewer, operator or admin)");
    }
}
