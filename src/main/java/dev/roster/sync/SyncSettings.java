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

    /**
     * A URL source's whole download, from connecting to the last byte (the connection at most 10 s of it): a server
     * that sends the headers and then trickles the body is cut off here. No database connection is held meanwhile.
     */
    @WithDefault("60s")
    Duration fetchTimeout();

    /**
     * The shortest time between two scheduled runs of a source: a schedule that fires more often is refused when the
     * source is saved, and a URL source is not fetched by the scheduler or the new-file poll more often than this.
     */
    @WithDefault("5m")
    Duration minInterval();

    /** How many sources may exist; one more is refused (each may hold a scheduler thread while it runs). */
    @WithDefault("50")
    int maxSources();

    /**
     * The longest pause after repeated failures: after n &ge; 2 failed or refused runs in a row, scheduled and polled
     * runs wait min-interval x 2^(n-1) (at most this) after the last one (one failure alone holds nothing back);
     * "Run now" is never held back.
     */
    @WithDefault("24h")
    Duration maxBackoff();

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
