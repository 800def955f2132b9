package dev.roster.access;

import java.util.Optional;

import dev.roster.credentials.PasswordHasher;
import dev.roster.credentials.SecureTokens;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import jakarta.inject.Inject;

/**
 * Creates the first admin at start-up from roster.admin.email / roster.admin.password, once:
 * a restart neither duplicates nor resets it. Without a configured password a strong one is
 * generated and printed once in the log.
 */
@ApplicationScoped
public class BootstrapAdmin {

    @Inject
    BootstrapAdminConfig config;
    @Inject
    LocalLoginConfig localLogin;

    @Transactional
    void onStart(@Observes StartupEvent event) {
        if (localLogin.enabled()) {
            create(config.email(), config.password());
        }
    }

    /**
     * Creates the admin unless one with this email exists; returns the generated password, if one was
     * generated (that admin must change it at first sign-in, see AccountService).
     */
    @Transactional
    Optional<String> create(String email, Optional<String> password) {
        if (AdminAccount.findByEmail(email).isPresent()) {
            return Optional.empty();
        }
        // Advisory lock: two instances starting together create the admin once.
        AdminAccount.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(4242001)").getSingleResult();
        if (AdminAccount.findByEmail(email).isPresent()) {
            return Optional.empty();
        }
        String chosen = password.filter(p -> !p.isBlank()).orElse(null);
        boolean generated = chosen == null;
        if (generated) {
            chosen = SecureTokens.newToken(18);
        }
        AdminAccount admin = AdminAccount.newLocal(email, "Administrator", PasswordHasher.hash(chosen), AdminRole.ADMIN);
        admin.mustChangePassword = generated;
        admin.persist();
        if (generated) {
            Log.warnf("""

                    ================================================================
                     Roster created the first admin. Sign in at /login with
                       email:    %s
                       password: %s
                     This password is shown once, and Roster asks for a new one
                     at the first sign-in (or set ROSTER_ADMIN_PASSWORD before
                     the first start).
                    ================================================================""", email, chosen);
            return Optional.of(chosen);
        }
        Log.infof("Roster created the first admin %s with the configured password", email);
        return Optional.empty();
    }
}
