package dev.roster.batch.state;


/**
 * Where a batch is in its life: planned from its file, then applied once or discarded. NEEDS_MAPPING: uploaded on
 * the page with columns Roster cannot place; it waits for an admin to map them, then plans.
 */
public enum BatchStatus {
    PLANNING, PLANNED, REJECTED, APPLYING, APPLIED, FAILED, DISCARDED, NEEDS_MAPPING
}
