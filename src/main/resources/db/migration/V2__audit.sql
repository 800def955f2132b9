-- Audit trail: an append-only, hash-chained log of who changed what, when, from which batch.
-- docs/audit.md describes the canonical form each hash is computed over.
CREATE TABLE audit_event (
    seq              bigint PRIMARY KEY,          -- the chain order: previous event has seq - 1
    id               uuid NOT NULL,             -- random (v4), unique by construction; no index to keep appends fast
    occurred_at      timestamptz NOT NULL,        -- UTC, microseconds
    actor_kind       text NOT NULL CHECK (actor_kind IN ('admin', 'system', 'user')),
    actor_id         uuid,
    actor_name       text,
    actor_ip         text,
    actor_user_agent text,
    action           text NOT NULL,
    target_user_id   uuid,                        -- no FK: users may be purged, their events stay
    target_email     text,                        -- the email at the time of the event
    batch_id         uuid,                        -- no FK: batches may be discarded, their events stay
    details          text NOT NULL DEFAULT '{}',  -- canonical JSON, hashed byte for byte (hence text, not jsonb)
    prev_hash        char(64) NOT NULL,
    hash             char(64) NOT NULL
);
-- Only the indexes the pages need: every index costs the 100k-event appends of an apply (docs/performance.md).
-- Action and actor filters scan newest first along the primary key.
CREATE INDEX audit_event_occurred_idx ON audit_event (occurred_at);
CREATE INDEX audit_event_target_user_idx ON audit_event (target_user_id, seq) WHERE target_user_id IS NOT NULL;
CREATE INDEX audit_event_target_email_idx ON audit_event (lower(target_email), seq) WHERE target_email IS NOT NULL;
CREATE INDEX audit_event_batch_idx ON audit_event (batch_id, seq) WHERE batch_id IS NOT NULL;

-- The database refuses UPDATE, DELETE and TRUNCATE. The one exception is the retention purge
-- (AuditRetention): in its own transaction it sets roster.audit_purge = 'on' and
-- roster.audit_purge_before = <cutoff> with SET LOCAL, and may then delete events older than the cutoff.
CREATE FUNCTION audit_event_refuse_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('roster.audit_purge', true), '') = 'on' THEN
        IF coalesce(current_setting('roster.audit_purge_before', true), '') <> ''
                AND OLD.occurred_at < current_setting('roster.audit_purge_before', true)::timestamptz THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_event %: the retention purge may only delete events older than its cutoff', OLD.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION audit_event_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_changes();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate();
