package dev.roster.scim;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** roster.scim.*: the limits /ServiceProviderConfig advertises and the service enforces (docs/scim.md). */
@ConfigMapping(prefix = "roster.scim")
public interface ScimSettings {

    /** The most resources one list answer holds (count is capped to it). */
    @WithDefault("1000")
    int maxResults();

    /** The most operations one /Bulk request may carry (more: 413 tooMany). */
    @WithDefault("1000")
    int maxOperations();

    /** The largest /Bulk body in bytes (larger: 413). */
    @WithDefault("4194304")
    int maxPayloadSize();

    /**
     * A filter or sortBy no index serves (e.g. title co "x", sortBy=title) is refused with 400 invalidFilter once the
     * table listed (users, or groups for /Groups) holds more rows than this (estimated from PostgreSQL's statistics),
     * rather than scanning and sorting them all.
     */
    @WithDefault("100000")
    long unindexedFilterMaxRows();

    /**
     * The most members one GET /Groups answer lists, over all its groups, when a client asks for them with
     * attributes=members (lists leave members out otherwise): a page is cut short before the group that would pass
     * it (itemsPerPage says how many came), so no list renders every member of a thousand groups.
     */
    @WithDefault("10000")
    int maxListedMembers();

    /**
     * How long a cursor (RFC 9865, decision 0043) stays valid after the answer that gave it: a later request with it
     * gets 400 expiredCursor. /ServiceProviderConfig advertises it as pagination.cursorTimeout.
     */
    @WithDefault("1H")
    Duration cursorTimeout();
}
