package dev.roster.batch.state;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The batch side's settings, each key with its default here and nowhere else (operations.md lists
 * them): file limits, planning threads, the delete cap, four-eyes mode, interrupted applies.
 */
public final class BatchSettings {

    private BatchSettings() {
    }

    /** roster.csv.*: limits an uploaded file must stay within. */
    @ConfigMapping(prefix = "roster.csv")
    public interface Csv {
        @WithDefault("104857600")
        long maxBytes();

        @WithDefault("1000000")
        long maxRows();

        @WithDefault("4096")
        int maxCellChars();
    }

    /** roster.planning.*: background planning. */
    @ConfigMapping(prefix = "roster.planning")
    public interface Planning {
        /** Batches planned at once on one instance. */
        @WithDefault("2")
        int threads();
    }

    /** roster.safety.*: the delete cap. */
    @ConfigMapping(prefix = "roster.safety")
    public interface Safety {
        /** Share of the users that are not deleted that one batch may delete without an admin's written reason. */
        @WithDefault("0.2")
        double maxDeleteFraction();

        /**
         * Users created less than this long ago are left out of the delete cap's base, so applying a batch that creates
         * many users first cannot enlarge the share a later batch may delete (decisions/0030).
         */
        @WithDefault("24h")
        Duration deleteCapBaseAge();
    }

    /** roster.approval.*: four-eyes mode. */
    @ConfigMapping(prefix = "roster.approval")
    public interface Approval {
        /** A batch that deletes or resets users needs a second operator's approval. */
        @WithDefault("false")
        boolean enabled();
    }

    /** roster.apply.*: interrupted applies (docs/reliability.md). */
    @ConfigMapping(prefix = "roster.apply")
    public interface Apply {
        /** How long an APPLYING batch without a live applier may wait before it counts as interrupted. */
        @WithDefault("20S")
        Duration interruptedAfter();

        /** How often every instance looks for interrupted applies (read by the @Scheduled expression too). */
        @WithDefault("30s")
        String interruptedCheck();
    }
}
