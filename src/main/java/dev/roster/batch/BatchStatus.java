package dev.roster.batch;

/** Where a batch is in its life: planned from its file, then applied once or discarded. */
public enum BatchStatus {
    PLANNING, PLANNED, REJECTED, APPLYING, APPLIED, FAILED, DISCARDED
}
