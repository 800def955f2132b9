package dev.roster.sync;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.sync.*: sync sources' fetching and scheduling (docs/sync.md), each default here and nowhere else. */
@ConfigMapping(prefix = "roster.sync")
public interface SyncSettings {

    /** How often sources set to run "on new file" are looked at (only while such a source exists). */
    @WithDefault("60s")
    Duration pollInterval();

    /** A file in a watched directory is used once its size and time stayed the same this long. */
    @WithDefault("5s")
    Duration settle();

    /** A URL source's whole download (and its connection, at most 10 s of it). */
    @WithDefault("60s")
    Duration fetchTimeout();

    /** The clustered scheduler; off, sources run only through "Run now" (and the API). */
    @WithDefault("true")
    boolean schedulerEnabled();

    /** How often an instance tells the others it is alive; one silent for longer has its runs taken over. */
    @WithDefault("7500ms")
    Duration clusterCheckin();

    /**
     * The one directory (and its subdirectories) directory sources may read; unset, directory sources are refused.
     * Checked on the real paths (symbolic links resolved) when a source is saved and at every fetch.
     */
    Optional<String> directoryRoot();

    /**
     * Whether a URL source may reach loopback, link-local, site-local (private) and unique-local addresses. Off,
     * such a source is refused before connecting: the server must not be turned into a probe of its own network.
     */
    @WithDefault("false")
    boolean allowPrivateAddresses();
}
