-- Bounded sync fetches (#23, docs/sync.md): a run claims its source with a lease (a row update, committed at
-- once) before it fetches, so no database connection is held while a slow server answers; a lease whose
-- instance died ends by itself. last_fetch_at keeps scheduled and polled fetches of a URL apart by at least
-- roster.sync.min-interval.
ALTER TABLE sync_source
    ADD COLUMN run_lease_id    uuid,
    ADD COLUMN run_lease_until timestamptz,
    ADD COLUMN last_fetch_at   timestamptz;
