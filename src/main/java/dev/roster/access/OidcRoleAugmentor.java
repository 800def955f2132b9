package dev.roster.access;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.logging.Log;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Maps an OIDC identity (code-flow session or bearer token) to a Roster admin: the configured claim
 * (roster.oidc.role-claim, e.g. groups or realm roles) gives viewer/operator/admin through
 * roster.oidc.*-values, and the admin gets an admin_account row (source OIDC) so the audit trail
 * names them like a local admin. The provider's own roles never reach Roster's checks: an identity
 * without a mapped role, or of a disabled admin, keeps its name but holds no role at all.
 */
@ApplicationScoped
public class OidcRoleAugmentor implements SecurityIdentityAugmentor {

    /** Why an OIDC identity holds no Roster role (an identity attribute; null when it has one). */
    public static final String REFUSED = "roster.oidc-refused";

    @Inject
    OidcRolesConfig config;

    @Inject
    OidcAdminAccounts accounts;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || identity.getAttribute(AdminIdentities.ADMIN_ID) != null) {
            return Uni.createFrom().item(identity);
        }
        AdminRole role = roleOf(jwt, identity.getRoles());
        String email = firstNonBlank(jwt.getClaim("email"), jwt.getClaim("preferred_username"), jwt.getName());
        String name = firstNonBlank(jwt.getClaim("name"), email, email);
        if (role == null) {
            return Uni.createFrom().item(withoutRoles(identity, email, "no Roster role in the claim " + config.roleClaim()));
        }
        if (Boolean.FALSE.equals(asBoolean(jwt.getClaim("email_verified"))) && jwt.getClaim("email") != null) {
            // The email names the admin account: an unverified one could name someone else's.
            return Uni.createFrom().item(withoutRoles(identity, email, "email not verified by the provider"));
        }
        return context.runBlocking(() -> {
            AdminAccount admin = accounts.sync(email, name, role);
            if (admin == null) {
                Log.warnf("OIDC sign-in of %s refused: a local admin has that email", email);
                return withoutRoles(identity, email, "a local admin has this email");
            }
            if (!admin.enabled) {
                return withoutRoles(identity, email, "account disabled");
            }
            return copyOidcState(identity, QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(admin.email))
                    .addRoles(role.securityRoles())
                    .addAttribute(AdminIdentities.ADMIN_ID, admin.id)
                    .addAttribute(AdminIdentities.DISPLAY_NAME, admin.displayName)
                    .addAttribute(AdminIdentities.ROLE, role)
                    .addAttribute(AdminIdentities.CHANNEL, "oidc")
                    // The code flow's identity carries the ID token; a bearer token (client credentials, a script) does not.
                    .addAttribute(AdminIdentities.INTERACTIVE, identity.getCredential(IdTokenCredential.class) != null));
        });
    }

    AdminRole roleOf(JsonWebToken jwt, Set<String> existingRoles) {
        List<String> values = new ArrayList<>(existingRoles);
        Object claim = jwt.getClaim(config.roleClaim());
        if (claim instanceof Collection<?> many) {
            many.forEach(v -> values.add(clean(v)));
        } else if (claim != null) {
            values.add(clean(claim));
        }
        if (values.stream().anyMatch(config.adminValues()::contains)) {
            return AdminRole.ADMIN;
        }
        if (values.stream().anyMatch(config.operatorValues()::contains)) {
            return AdminRole.OPERATOR;
        }
        return values.stream().anyMatch(config.viewerValues()::contains) ? AdminRole.VIEWER : null;
    }

    /** Group claims may carry full paths ("/roster-operators") and JSON strings keep their quotes. */
    private static String clean(Object value) {
        return String.valueOf(value).replace("\"", "").replaceFirst("^/", "");
    }

    /** Signed in at the provider, but no Roster role: every role check refuses; pages say "not allowed". */
    private static SecurityIdentity withoutRoles(SecurityIdentity identity, String email, String reason) {
        return copyOidcState(identity, QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(email))
                .addAttribute(AdminIdentities.CHANNEL, "oidc")
                .addAttribute(REFUSED, reason));
    }

    /** Keeps the tokens and Quarkus OIDC's attributes (logout and token refresh read them). */
    private static SecurityIdentity copyOidcState(SecurityIdentity original, QuarkusSecurityIdentity.Builder builder) {
        original.getAttributes().forEach((key, value) -> {
            if (!key.startsWith("roster.")) {
                builder.addAttribute(key, value);
            }
        });
        return builder.addCredentials(original.getCredentials()).build();
    }

    private static Object asBoolean(Object claim) {
        if (claim == null) {
            return null;
        }
        String text = clean(claim);
        return "true".equalsIgnoreCase(text) ? Boolean.TRUE : "false".equalsIgnoreCase(text) ? Boolean.FALSE : null;
    }

    private static String firstNonBlank(Object... values) {
        for (Object v : values) {
            if (v != null && !clean(v).isBlank()) {
                return clean(v);
            }
        }
        return "unknown";
    }

    /** Keeps the admin_account row of an OIDC admin in step with the provider. */
    @ApplicationScoped
    public static class OidcAdminAccounts {

        @Inject
        jakarta.enterprise.event.Event<AdminAccessReduced> reduced;

        /**
         * The OIDC admin of this email, created at first sight and re-roled when the provider's claim
         * changed; null when the email belongs to a local admin (a provider must not take that over).
         * Runs on every OIDC request: writes only when something changed.
         */
        @Transactional
        @ActivateRequestContext
        public AdminAccount sync(String email, String name, AdminRole role) {
            AdminAccount admin = AdminAccount.findByEmail(email).orElse(null);
            if (admin == null) {
                admin = AdminAccount.newLocal(email, name, null, role);
                admin.source = AdminAccount.Source.OIDC;
                admin.persist();
                return admin;
            }
            if (admin.source != AdminAccount.Source.OIDC) {
                return null;
            }
            if (admin.role != role || !admin.displayName.equals(name)) {
                if (role.compareTo(admin.role) < 0) {
                    // The provider demoted them: what they minted as an admin goes with the role.
                    reduced.fire(new AdminAccessReduced(admin.id, role, Operator.system()));
                }
                if (admin.role != role) {
                    // The provider's claim made (or unmade) the admin: no Roster admin did.
                    admin.grantAdmin(role == AdminRole.ADMIN ? Instant.now() : null, null);
                }
                admin.role = role;
                admin.displayName = name;
                admin.updatedAt = Instant.now();
            }
            return admin;
        }

        /** Called once per OIDC session start (the code flow's redirect back). */
        @Transactional
        @ActivateRequestContext
        public AdminAccount markSignedIn(java.util.UUID adminId) {
            AdminAccount admin = AdminAccount.findById(adminId);
            if (admin != null) {
                admin.lastSignInAt = Instant.now();
            }
            return admin;
        }
    }
}
