package dev.roster.directory;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A user's lockout after failed binds, as the user's page shows it. Declared here, implemented above by the LDAP service
 * (ldap/LdapLockout), so the user page can show it and offer the unlock without importing it.
 */
public interface BindLockouts {

    /** A lockout in force, or failures counting towards one. */
    record State(int failures, Instant lockedUntil) {
        public boolean locked() {
            return lockedUntil != null && lockedUntil.isAfter(Instant.now());
        }
    }

    /** The policy in words, e.g. "5 failed binds within 15 minutes lock an account for 15 minutes"; empty when off. */
    Optional<String> policy();

    Optional<State> stateOf(UUID userId);
}
