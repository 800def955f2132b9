package dev.roster.support;

import java.time.Duration;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.roster.batch.state.BatchSettings;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * roster.safety.* for the in-process tests: the test database's users are all minutes old, so the delete cap's base
 * leaves none out (age zero) unless a test sets the production age to show what it prevents. A test-source
 * alternative to the config mapping, like {@link FourEyes}; production code reads {@link BatchSettings.Safety} only.
 */
@Alternative
@Priority(1)
@Singleton
public class DeleteCapBase implements BatchSettings.Safety {

    private final double maxDeleteFraction = ConfigProvider.getConfig()
            .getOptionalValue("roster.safety.max-delete-fraction", Double.class).orElse(0.2);
    private volatile Duration baseAge = Duration.ZERO;

    @Override
    public double maxDeleteFraction() {
        return maxDeleteFraction;
    }

    @Override
    public Duration deleteCapBaseAge() {
        return baseAge;
    }

    public void baseAge(Duration age) {
        baseAge = age;
    }
}
