package dev.roster.access;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.agroal.api.AgroalDataSource;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Holds an admin who must choose a new password (the bootstrap admin with a generated one) on the
 * Account page: every other page redirects there, and the API answers 403 with a message saying
 * what to do, until they have changed it. Only the flag's "false" is remembered (for a minute):
 * it never goes back to true, so an instance that remembers it is never wrong for long.
 */
@ApplicationScoped
public class PasswordChangeRequired {

    static final String MESSAGE = "Change your password first: Roster generated it at the first start. "
            + "Use the Account page (/account) or POST /api/me/password with {\"currentPassword\", \"newPassword\"}.";
    /** What a held admin may still reach: the Account page and its API, sign-out, and who they are. */
    private static final Set<String> OPEN = Set.of("/account", "/api/me/password", "/api/me", "/logout", "/logout/oidc");
    private static final Duration REMEMBER = Duration.ofSeconds(60);

    private final Map<UUID, Instant> free = new ConcurrentHashMap<>();

    @Inject
    AgroalDataSource dataSource;
    @Inject
    CurrentIdentityAssociation identities;

    @ServerRequestFilter(priority = 1000)
    public Uni<Response> hold(ResteasyReactiveContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (OPEN.contains(path) || path.startsWith("/login")) {
            return Uni.createFrom().nullItem();
        }
        // A failed authentication is the endpoint's to report (401); here it only means "nobody to hold".
        return identities.getDeferredIdentity().onFailure().recoverWithNull().onItem().transformToUni(identity -> {
            UUID adminId = adminId(identity);
            if (adminId == null || isFree(adminId)) {
                return Uni.createFrom().nullItem();
            }
            return Uni.createFrom().item(() -> mustChange(adminId) ? refusal(request, path) : null)
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        });
    }

    /** Forgets what was remembered about an admin (after they changed their password). */
    void forget(UUID adminId) {
        free.remove(adminId);
    }

    private static UUID adminId(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? null : identity.getAttribute(AdminIdentities.ADMIN_ID);
    }

    private boolean isFree(UUID adminId) {
        Instant until = free.get(adminId);
        return until != null && until.isAfter(Instant.now());
    }

    boolean mustChange(UUID adminId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT must_change_password FROM admin_account WHERE id = ?")) {
            ps.setObject(1, adminId);
            try (ResultSet rs = ps.executeQuery()) {
                boolean must = rs.next() && rs.getBoolean(1);
                if (!must) {
                    if (free.size() > 10_000) {
                        free.clear();
                    }
                    free.put(adminId, Instant.now().plus(REMEMBER));
                }
                return must;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the admin's password flag", e);
        }
    }

    private static Response refusal(ResteasyReactiveContainerRequestContext request, String path) {
        if (path.equals("/api") || path.startsWith("/api/")) {
            return Response.status(403).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("status", 403, "error", MESSAGE)).build();
        }
        if ("true".equalsIgnoreCase(request.getHeaderString("HX-Request"))) {
            return Response.status(403).header("HX-Redirect", "/account").build();
        }
        return Response.seeOther(URI.create("/account")).build();
    }
}
