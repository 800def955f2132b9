package dev.roster.audit;

import java.util.UUID;

/**
 * Who did it: an admin (id and display name), Roster itself (system), or a directory user acting on
 * their own account (set-password), an API token, with the IP address and user agent of the request if there was one.
 */
public record AuditActor(String kind, UUID id, String name, String ip, String userAgent) {

    public static final String ADMIN = "admin";
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    /** A sync source applying its own run automatically (docs/sync.md); id is the source's. */
    public static final String SOURCE = "source";
    /** An API token (SCIM clients, scripts): its id and "token NAME". */
    public static final String TOKEN = "token";
    /** Someone on a public self-service page, not signed in (decision 0036): known only by their IP and user agent. */
    public static final String PUBLIC = "public";
    /** The name of the {@link #PUBLIC} actor. */
    public static final String SELF_SERVICE = "self-service";
    /** An LDAP service account (docs/ldap.md): its id and "LDAP service NAME". */
    public static final String SERVICE = "service";

    public AuditActor {
        if (!ADMIN.equals(kind) && !SYSTEM.equals(kind) && !USER.equals(kind) && !SOURCE.equals(kind)
                && !TOKEN.equals(kind) && !PUBLIC.equals(kind) && !SERVICE.equals(kind)) {
            throw new IllegalArgumentException("actor kind must be admin, system, user, source, token, public or service, not " + kind);
        }
    }

    public static AuditActor system() {
        return new AuditActor(SYSTEM, null, SYSTEM, null, null);
    }

    public static AuditActor admin(UUID id, String name, String ip, String userAgent) {
        return new AuditActor(ADMIN, id, name, ip, userAgent);
    }

    /** A sync source, acting in an automatic run. */
    public static AuditActor source(UUID sourceId, String name) {
        return new AuditActor(SOURCE, sourceId, "sync source " + name, null, null);
    }

    /** An API token acting (a SCIM client or a script): the token's id and name, never its secret. */
    public static AuditActor token(UUID tokenId, String tokenName, String ip, String userAgent) {
        return new AuditActor(TOKEN, tokenId, "token " + tokenName, ip, userAgent);
    }

    /** Whoever used a public self-service page (the Forgot page), with the request's origin. */
    public static AuditActor selfService(String ip, String userAgent) {
        return new AuditActor(PUBLIC, null, SELF_SERVICE, ip, userAgent);
    }

    /** An LDAP service account acting (a password reset through Password Modify): its id and name, never its secret. */
    public static AuditActor service(UUID serviceId, String serviceName, String ip) {
        return new AuditActor(SERVICE, serviceId, "LDAP service " + serviceName, ip, null);
    }

    /** A directory user acting on their own account, e.g. setting their password from a reset link. */
    public static AuditActor user(UUID userId, String email, String ip, String userAgent) {
        return new AuditActor(USER, userId, email, ip, userAgent);
    }
}
