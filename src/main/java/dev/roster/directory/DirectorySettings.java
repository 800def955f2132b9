package dev.roster.directory;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.users.*: how long a deleted user can be restored, and how often the purge after it runs. */
@ConfigMapping(prefix = "roster.users")
public interface DirectorySettings {

    /** roster.users.delete-retention: a deleted user can be restored this long. */
    @WithDefault("30D")
    Duration deleteRetention();

    /** roster.users.purge-every: how often the purge of users past the retention runs (read by @Scheduled). */
    @WithDefault("1h")
    String purgeEvery();
}
