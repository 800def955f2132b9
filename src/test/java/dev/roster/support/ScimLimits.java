package dev.roster.support;

import java.time.Duration;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.roster.scim.ScimSettings;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * roster.scim.* for the in-process tests: the configured values, except that a test may lower the
 * large-directory guard's threshold to see it refuse without filling a table with 100,000 users.
 * A test-source alternative to the config mapping, like {@link FourEyes}.
 */
@Alternative
@Priority(1)
@Singleton
public class ScimLimits implements ScimSettings {

    private final Config config = ConfigProvider.getConfig();
    private final long configuredMaxRows = config.getOptionalValue("roster.scim.unindexed-filter-max-rows", Long.class)
            .orElse(100_000L);
    private volatile long unindexedFilterMaxRows = configuredMaxRows;

    @Override
    public int maxResults() {
        return config.getOptionalValue("roster.scim.max-results", Integer.class).orElse(1000);
    }

    @Override
    public int maxOperations() {
        return config.getOptionalValue("roster.scim.max-operations", Integer.class).orElse(1000);
    }

    @Override
    public int maxPayloadSize() {
        return config.getOptionalValue("roster.scim.max-payload-size", Integer.class).orElse(4_194_304);
    }

    private volatile Integer maxListedMembers;

    @Override
    public int maxListedMembers() {
        Integer set = maxListedMembers;
        return set != null ? set : config.getOptionalValue("roster.scim.max-listed-members", Integer.class).orElse(10_000);
    }

    /** Sets the members cap of group lists; null restores the configured one. */
    public void maxListedMembers(Integer members) {
        maxListedMembers = members;
    }

    @Override
    public long unindexedFilterMaxRows() {
        return unindexedFilterMaxRows;
    }

    /** Sets the threshold; null restores the configured one. */
    public void unindexedFilterMaxRows(Long rows) {
        unindexedFilterMaxRows = rows == null ? configuredMaxRows : rows;
    }

    @Override
    public Duration cursorTimeout() {
        return config.getOptionalValue("roster.scim.cursor-timeout", Duration.class).orElse(Duration.ofHours(1));
    }
}
