package dev.roster.plan;

import java.util.List;
import java.util.Map;

/**
 * Totals of a plan.
 *
 * @param counts       changes per kind, every kind present (0 when none)
 * @param warnings     WARNING messages over all rows
 * @param fileWarnings messages about the whole file, such as an encoding guess
 */
public record PlanResult(long rows, Map<ChangeKind, Long> counts, long warnings, List<String> fileWarnings) {

    public PlanResult {
        counts = Map.copyOf(counts);
        fileWarnings = List.copyOf(fileWarnings);
    }

    public long count(ChangeKind kind) {
        return counts.getOrDefault(kind, 0L);
    }
}
