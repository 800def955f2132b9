package dev.roster.mapping;

import java.util.List;
import java.util.Map;

/**
 * A mapping Roster cannot use: it sends two columns to one field, leaves a required field out, names columns the
 * file does not have, or a profile no longer fits the header. 422 with every problem and Roster's proposal.
 */
public final class MappingRefused extends RuntimeException {

    private final transient List<String> problems;
    private final transient List<Map<String, Object>> proposal;

    public MappingRefused(String message, List<String> problems, List<Map<String, Object>> proposal) {
        super(message);
        this.problems = List.copyOf(problems);
        this.proposal = proposal == null ? List.of() : List.copyOf(proposal);
    }

    public List<String> problems() {
        return problems;
    }

    public List<Map<String, Object>> proposal() {
        return proposal;
    }
}
