package dev.roster.support;

import java.time.Duration;

import dev.roster.ldap.LdapSettings;
import io.smallrye.config.SmallRyeConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * roster.ldap.* for the in-process tests: the configured values, except that a test may lower the large-directory
 * guard's threshold and the unpaged size limit to see them answer without filling the directory. A test-source
 * alternative to the config mapping, like {@link ScimLimits}.
 */
@Alternative
@Priority(1)
@Singleton
public class LdapLimits implements LdapSettings {

    private final LdapSettings configured = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
            .getConfigMapping(LdapSettings.class);
    private volatile Long unindexedFilterMaxRows;
    private volatile Integer maxResults;

    /** Sets the guard's threshold; null restores the configured one. */
    public void unindexedFilterMaxRows(Long rows) {
        unindexedFilterMaxRows = rows;
    }

    /** Sets the unpaged size limit; null restores the configured one. */
    public void maxResults(Integer results) {
        maxResults = results;
    }

    @Override
    public long unindexedFilterMaxRows() {
        Long set = unindexedFilterMaxRows;
        return set != null ? set : configured.unindexedFilterMaxRows();
    }

    @Override
    public int maxResults() {
        Integer set = maxResults;
        return set != null ? set : configured.maxResults();
    }

    @Override
    public boolean enabled() {
        return configured.enabled();
    }

    @Override
    public String host() {
        return configured.host();
    }

    @Override
    public int port() {
        return configured.port();
    }

    @Override
    public int ldapsPort() {
        return configured.ldapsPort();
    }

    @Override
    public String baseDn() {
        return configured.baseDn();
    }

    @Override
    public boolean allowCleartextBinds() {
        return configured.allowCleartextBinds();
    }

    @Override
    public int maxPageSize() {
        return configured.maxPageSize();
    }

    @Override
    public Duration timeLimit() {
        return configured.timeLimit();
    }

    @Override
    public int maxConnections() {
        return configured.maxConnections();
    }

    @Override
    public int maxMessageBytes() {
        return configured.maxMessageBytes();
    }

    @Override
    public int maxFilterComponents() {
        return configured.maxFilterComponents();
    }

    @Override
    public int maxFilterDepth() {
        return configured.maxFilterDepth();
    }

    @Override
    public int maxConcurrentSearches() {
        return configured.maxConcurrentSearches();
    }

    @Override
    public int maxGroupMembers() {
        return configured.maxGroupMembers();
    }

    @Override
    public java.util.Optional<java.util.List<String>> trustedClients() {
        return configured.trustedClients();
    }

    @Override
    public boolean seedServiceAccount() {
        return configured.seedServiceAccount();
    }

    @Override
    public Tls tls() {
        return configured.tls();
    }

    @Override
    public Lockout lockout() {
        return configured.lockout();
    }
}
