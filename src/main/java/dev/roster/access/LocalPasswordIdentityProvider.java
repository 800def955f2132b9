package dev.roster.access;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.roster.credentials.SecureTokens;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * HTTP Basic on the API with a local admin's credentials. A verified credential is remembered for
 * a minute (keyed by its SHA-256), so a script's burst of requests pays for Argon2id once.
 */
@ApplicationScoped
public class LocalPasswordIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private record Remembered(SecurityIdentity identity, Instant until) {
    }

    private static final Duration REMEMBER = Duration.ofSeconds(60);
    private final Map<String, Remembered> recent = new ConcurrentHashMap<>();

    @Inject
    SignInService signIn;
    @Inject
    LocalLoginConfig localLogin;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        if (!localLogin.enabled()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("local sign-in is switched off"));
        }
        String email = request.getUsername();
        String password = new String(request.getPassword().getPassword());
        String key = SecureTokens.sha256Hex(email.toLowerCase() + "\u0000" + password);
        Remembered hit = recent.get(key);
        if (hit != null && hit.until.isAfter(Instant.now())) {
            return Uni.createFrom().item(hit.identity);
        }
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        String ip = routing == null ? null : routing.request().remoteAddress().hostAddress();
        String userAgent = routing == null ? null : routing.request().getHeader("User-Agent");
        return context.runBlocking(() -> {
            SignInService.Outcome outcome = signIn.signIn(email, password, ip, userAgent, "basic");
            if (outcome instanceof SignInService.Outcome.SignedIn ok) {
                AdminAccount a = ok.admin();
                SecurityIdentity identity = AdminIdentities.of(a.id, a.email, a.displayName, a.role, "basic");
                if (recent.size() > 10_000) {
                    recent.clear();
                }
                recent.put(key, new Remembered(identity, Instant.now().plus(REMEMBER)));
                return identity;
            }
            throw new AuthenticationFailedException(outcome instanceof SignInService.Outcome.Throttled t
                    ? "too many failed attempts; wait " + t.retryAfter().toSeconds() + " s"
                    : outcome instanceof SignInService.Outcome.Busy ? "too many sign-ins at once; try again in a moment"
                    : "wrong email or password");
        });
    }

    /** Forgets remembered credentials, e.g. after an admin is disabled or re-roled. */
    public void forgetAll() {
        recent.clear();
    }
}
