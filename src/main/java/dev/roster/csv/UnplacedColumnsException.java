package dev.roster.csv;

import java.util.List;

/**
 * A header Roster cannot read on its own: columns it cannot place, a header that fits two templates equally, or a
 * mapping that does not fit the file. Carries a proposal for every column, so a page can offer a mapping step and
 * the API can answer with the proposals.
 */
public final class UnplacedColumnsException extends CsvRefusedException {

    private final transient List<MappedColumn> proposal;
    private final List<String> problems;

    public UnplacedColumnsException(String fileName, Long line, String column, String problem,
            List<MappedColumn> proposal, List<String> problems) {
        super(fileName, line, column, problem);
        this.proposal = List.copyOf(proposal);
        this.problems = List.copyOf(problems);
    }

    /** A proposed target, with its reason, for every source column. */
    public List<MappedColumn> proposal() {
        return proposal;
    }

    /** Every problem found, one sentence each. */
    public List<String> problems() {
        return problems;
    }
}
