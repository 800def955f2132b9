package dev.roster.access;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Maps an OIDC identity to a Roster admin: the configured claim (roster.oidc.role-claim, e.g.
 * groups or realm roles) gives viewer/operator/admin through roster.oidc.*-values, and the admin
 * gets an admin_account row (source OIDC) so the audit trail names them like a local admin.
 */
@ApplicationScoped
public class OidcRoleAugmentor implements SecurityIdentityAugmentor {

    @ConfigProperty(name = "roster.oidc.role-claim")
    String roleClaim;
    @ConfigProperty(name = "roster.oidc.viewer-values")
    Set<String> viewerValues;
    @ConfigProperty(name = "roster.oidc.operator-values")
    Set<String> operatorValues;
    @ConfigProperty(name = "roster.oidc.admin-values")
    Set<String> adminValues;

    @Inject
    OidcAdminAccounts accounts;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || identity.getAttribute(AdminIdentities.ADMIN_ID) != null) {
            return Uni.createFrom().item(identity);
        }
        AdminRole role = roleOf(jwt, identity.getRoles());
        if (role == null) {
            return Uni.createFrom().item(identity);
        }
        String email = firstNonBlank(jwt.getClaim("email"), jwt.getClaim("preferred_username"), jwt.getName());
        String name = firstNonBlank(jwt.getClaim("name"), email, email);
        return context.runBlocking(() -> {
            AdminAccount admin = accounts.sync(email, name, role);
            if (!admin.enabled) {
                return identity;
            }
            return AdminIdentities.of(admin.id, admin.email, admin.displayName, role, "oidc");
        });
    }

    AdminRole roleOf(JsonWebToken jwt, Set<String> existingRoles) {
        List<String> values = new ArrayList<>(existingRoles);
        Object claim = jwt.getClaim(roleClaim);
        if (claim instanceof Collection<?> many) {
            many.forEach(v -> values.add(String.valueOf(v).replace("\"", "").replaceFirst("^/", "")));
        } else if (claim != null) {
            values.add(String.valueOf(claim).replace("\"", "").replaceFirst("^/", ""));
        }
        if (values.stream().anyMatch(adminValues::contains)) {
            return AdminRole.ADMIN;
        }
        if (values.stream().anyMatch(operatorValues::contains)) {
            return AdminRole.OPERATOR;
        }
        return values.stream().anyMatch(viewerValues::contains) ? AdminRole.VIEWER : null;
    }

    private static String firstNonBlank(Object... values) {
        for (Object v : values) {
            if (v != null && !String.valueOf(v).isBlank()) {
                return String.valueOf(v);
            }
        }
        return "unknown";
    }

    /** Keeps the admin_account row of an OIDC admin in step with the provider. */
    @ApplicationScoped
    public static class OidcAdminAccounts {
        @Transactional
        @ActivateRequestContext
        public AdminAccount sync(String email, String name, AdminRole role) {
            AdminAccount admin = AdminAccount.findByEmail(email).orElse(null);
            if (admin == null) {
                admin = AdminAccount.newLocal(email, name, null, role);
                admin.source = AdminAccount.Source.OIDC;
                admin.persist();
            } else if (admin.source == AdminAccount.Source.OIDC && admin.role != role) {
                admin.role = role;
                admin.updatedAt = Instant.now();
            }
            admin.lastSignInAt = Instant.now();
            return admin;
        }
    }
}
