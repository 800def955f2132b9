package dev.roster.plan;

/** Receives planned changes one by one, in file order. */
public interface PlanSink {

    void accept(PlannedChange change);

    /** Called after each chunk with the number of data rows planned so far. */
    default void progress(long rowsRead) {
    }
}
