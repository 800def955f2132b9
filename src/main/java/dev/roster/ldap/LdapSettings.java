package dev.roster.ldap;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.ldap.*: the LDAPv3 service (docs/ldap.md); the defaults live here. Off unless enabled. */
@ConfigMapping(prefix = "roster.ldap")
public interface LdapSettings {

    /** Listens at all (the local default and the tests switch it on; production only when configured). */
    @WithDefault("false")
    boolean enabled();

    /** The address both listeners bind to: 127.0.0.1 keeps them on the machine; 0.0.0.0 opens them. */
    @WithDefault("127.0.0.1")
    String host();

    /** Plain LDAP (StartTLS available on it when a certificate is configured); 0 switches plain LDAP off. */
    @WithDefault("3890")
    int port();

    /** LDAPS (TLS from the first byte), only when a certificate is configured; 0 switches it off. */
    @WithDefault("6360")
    int ldapsPort();

    /** The base DN of the tree: users under ou=people, groups under ou=groups, service accounts under ou=services. */
    @WithDefault("dc=roster,dc=local")
    String baseDn();

    /**
     * Simple binds with a password over a connection that is neither TLS nor from the loopback address are refused
     * (confidentialityRequired, 13) unless this is true.
     */
    @WithDefault("false")
    boolean allowCleartextBinds();

    /** The most entries one search without the paged results control returns (then sizeLimitExceeded, 4). */
    @WithDefault("1000")
    int maxResults();

    /** The largest page the paged results control gets (a larger size asked for is cut to this). */
    @WithDefault("1000")
    int maxPageSize();

    /** The longest a search runs (a client's shorter time limit wins); then timeLimitExceeded (3). */
    @WithDefault("30S")
    Duration timeLimit();

    /**
     * A filter no index serves (e.g. (sn=*son*)) is refused with adminLimitExceeded (11) once the directory holds more
     * users than this (PostgreSQL's estimate), as SCIM refuses one (roster.scim.unindexed-filter-max-rows).
     */
    @WithDefault("100000")
    long unindexedFilterMaxRows();

    /**
     * The largest LDAP message the listener reads, before any bind (UnboundID's default is 20 MiB a message, so a few
     * anonymous connections could fill the heap).
     */
    @WithDefault("131072")
    int maxMessageBytes();

    /** A search filter with more components than this is refused with adminLimitExceeded (11). */
    @WithDefault("256")
    int maxFilterComponents();

    /** A search filter nested deeper than this is refused with adminLimitExceeded (11). */
    @WithDefault("16")
    int maxFilterDepth();

    /**
     * Searches running at once (each holds a database connection while it reads); keep it about a quarter of
     * quarkus.datasource.jdbc.max-size. A search that finds none free within a few seconds is answered busy (51).
     */
    @WithDefault("8")
    int maxConcurrentSearches();

    /** The most member values one group entry carries; a larger group is refused with adminLimitExceeded (11). */
    @WithDefault("10000")
    int maxGroupMembers();

    /**
     * Client addresses or CIDR ranges (e.g. 10.0.0.5/32, fd00::/8) of trusted relying parties (Keycloak, Authelia) whose
     * binds skip the per-IP failed-bind counter; the per-account slow-down and lockout still apply. Empty by default.
     */
    Optional<java.util.List<String>> trustedClients();

    /** Connections open at once. */
    @WithDefault("512")
    int maxConnections();

    /**
     * The local default: at the first start with no service account, create the read-only account dev-reader and print
     * its secret once, so ldapsearch works at once (docs/ldap.md).
     */
    @WithDefault("false")
    boolean seedServiceAccount();

    /** TLS for LDAPS and StartTLS: a PKCS#12 or JKS keystore, or a PEM certificate chain and key. */
    Tls tls();

    /** Lockout after failed binds. */
    Lockout lockout();

    interface Tls {
        /** A PKCS#12 (or JKS) keystore holding the server's key and certificate chain. */
        Optional<String> keystoreFile();

        Optional<String> keystorePassword();

        /** A PEM file with the certificate chain (server certificate first); with key-file. */
        Optional<String> certificateFile();

        /** The PEM file with the certificate's private key (PKCS#8, unencrypted). */
        Optional<String> keyFile();
    }

    interface Lockout {
        /** Failed binds of one user within the window that lock their binds; 0 switches lockout off. */
        @WithDefault("5")
        int maxFailures();

        /** The window the failures are counted in (it starts at the first failure). */
        @WithDefault("15M")
        Duration window();

        /** How long a lockout lasts (an admin may lift it earlier on the user's page). */
        @WithDefault("15M")
        Duration duration();
    }
}
