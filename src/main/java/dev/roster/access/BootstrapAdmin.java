package dev.roster.access;

import java.util.Optional;

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
        String email = config.email();
        Optional<String> password = config.password();
        if (!localLogin.enabled() || AdminAccount.findByEmail(email).isPresent()) {
            return;
        }
        // Advisory lock: two instances starting together create the admin once.
        AdminAccount.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(4242001)").getSingleResult();
        if (AdminAccount.findByEmail(email).isPresent()) {
            return;
        }
        String chosen = password.filter(p -> !p.isBlank()).orElse(null);
        boolean generated = chosen == null;
        if (generated) {
            chosen = SecureTokens.newToken(18);
        }
        AdminAccount admin = AdminAccount.newLocal(email, "Administrator", PasswordHasher.hash(chosen), AdminRole.ADMIN);
        admin.persist();
        if (generated) {
            Log.warnf("""

                    ================================================================
                     Roster created the first admin. Sign in at /login with
                       email:    %s
                       password: %s
                     This password is shown once. Change it, or set
                     ROSTER_ADMIN_PASSWORD before the first start.
                    ================================================================""", email, chosen);
        } else {
            Log.infof("Roster created the first admin %s with the configured password", email);
        }
    }
}
