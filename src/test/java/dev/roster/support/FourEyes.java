package dev.roster.support;

import dev.roster.batch.state.BatchSettings;
import org.eclipse.microprofile.config.ConfigProvider;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * roster.approval.* for the in-process tests: starts from the configured value and lets a test switch
 * four-eyes mode on and off, so the approval tests need no Quarkus boot of their own. A test-source
 * alternative to the config mapping; production code reads {@link BatchSettings.Approval} only.
 */
@Alternative
@Priority(1)
@Singleton
public class FourEyes implements BatchSettings.Approval {

    private volatile boolean enabled = ConfigProvider.getConfig()
            .getOptionalValue("roster.approval.enabled", Boolean.class).orElse(false);

    @Override
    public boolean enabled() {
        return enabled;
    }

    public void enabled(boolean on) {
        enabled = on;
    }
}
