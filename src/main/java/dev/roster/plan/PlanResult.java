package dev.roster.plan;

import java.util.List;
import java.util.Map;

/**
 * Totals of a plan.
 *
 * @param counts       changes per kind, every kind present (0 when none)
 * @param warnings     WARNING messages over all rows
 * @param fileWarnings messages about the whole file, such as an encoding guess
 * @param groups       memberships added and removed (by user rows and membership rows), memberships of deleted groups
 */
public record PlanResult(long rows, Map<ChangeKind, Long> counts, long warnings, List<String> fileWarnings,
                         GroupTotals groups) {

    /** Membership totals of a plan. */
    public record GroupTotals(long membershipAdds, long membershipRemoves, long deletedGroupMemberships,
                              long managerChanges) {
        public static final GroupTotals NONE = new GroupTotals(0, 0, 0, 0);
    }

    public PlanResult(long rows, Map<ChangeKind, Long> counts, long warnings, List<String> fileWarnings) {
        this(rows, counts, warnings, fileWarnings, GroupTotals.NONE);
    }

    public PlanResult {
        counts = Map.copyOf(counts);
        fileWarnings = List.copyOf(fileWarnings);
    }

    public long count(ChangeKind kind) {
        return counts.getOrDefault(kind, 0L);
    }
}
