-- Two database roles (docs/audit.md, docs/decisions/0007-audit-database-roles.md).
-- Flyway runs as the migration owner, which owns every table. The app's datasource is the runtime
-- role, named by the placeholder runtime_role (quarkus.flyway.placeholders.runtime_role, by default the
-- datasource's username). The runtime role may only INSERT and SELECT audit_event: it cannot UPDATE,
-- DELETE, TRUNCATE, ALTER it or disable its triggers (all of which need the owner). The retention purge
-- goes through audit_purge(), a SECURITY DEFINER function owned by the owner, which refuses any cutoff
-- in the future or inside the minimum retention in audit_policy (which only the owner can change).
-- When the runtime role is the owner (a single-role deployment) the grants are skipped and Roster
-- warns at every start (AuditDatabaseRoles).

-- The database's own floor for the purge; the owner may raise it: UPDATE audit_policy SET min_retention = '2 years'.
CREATE TABLE audit_policy (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    min_retention interval NOT NULL CHECK (min_retention >= interval '0')
);
INSERT INTO audit_policy (id, min_retention) VALUES (true, '${audit_min_retention}'::interval);

-- Signed checkpoints of the chain head (AuditCheckpoints): HMAC-SHA256 with a key kept outside the
-- database, so whoever owns the table can neither forge one nor rewrite the chain under one unnoticed.
CREATE TABLE audit_checkpoint (
    id           uuid PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    reason       text NOT NULL,         -- scheduled, purge, manual
    head_seq     bigint NOT NULL,       -- 0 when the chain is empty
    head_hash    char(64) NOT NULL,
    first_seq    bigint,                -- the oldest event left when it was made (after a purge: toSeq + 1)
    first_prev   char(64),              -- that event's prev_hash (the anchor of the remaining chain)
    purged_count bigint,                -- a purge checkpoint: what it removed and the hash of its export
    purged_sha256 char(64),
    key_id       text NOT NULL,
    signature    char(64) NOT NULL,     -- hex HMAC-SHA256 over the canonical text (AuditCheckpoint.signedText)
    text         text NOT NULL          -- the signed canonical text itself, what an auditor saves
);
CREATE INDEX audit_checkpoint_created_idx ON audit_checkpoint (created_at);

-- A purge asked for by one admin and approved (and carried out) by another.
CREATE TABLE audit_purge_request (
    id             uuid PRIMARY KEY,
    cutoff         timestamptz NOT NULL,
    requested_by   uuid NOT NULL,
    requested_name text,
    requested_at   timestamptz NOT NULL,
    status         text NOT NULL CHECK (status IN ('REQUESTED', 'DONE', 'REJECTED')),
    decided_by     uuid,
    decided_name   text,
    decided_at     timestamptz,
    removed_count  bigint,
    receipt        bytea,                -- the removed events as JSON Lines, gzip: the purge's receipt
    receipt_sha256 char(64),
    checkpoint_id  uuid
);
CREATE INDEX audit_purge_request_status_idx ON audit_purge_request (status, requested_at);

-- Four eyes that mean four: who made each admin an admin, and since when (AdminDirectory keeps them).
-- admin_since: when the account last became an admin (added, re-roled to admin, re-enabled as one);
-- admin_granted_by: the admin who did it (null: the bootstrap, the OIDC provider, or not known). A purge
-- approver must have been an admin before the request and not be in the requester's line of grants.
ALTER TABLE admin_account ADD COLUMN admin_since timestamptz, ADD COLUMN admin_granted_by uuid;
UPDATE admin_account SET admin_since = created_at WHERE role = 'ADMIN';
-- Admins that exist already: the grant is read from the trail (the last admin.changed that could make one).
UPDATE admin_account a SET admin_granted_by = g.actor_id
  FROM (SELECT DISTINCT ON (d->>'adminId') d->>'adminId' AS admin_id, actor_id
          FROM (SELECT seq, actor_id, details::jsonb AS d FROM audit_event WHERE action = 'admin.changed') e
         WHERE d->>'change' = 'added' OR (d->>'change' = 'role' AND d->>'after' = 'admin')
            OR (d->>'change' = 'enabled' AND d->>'after' = 'true')
         ORDER BY d->>'adminId', seq DESC) g
 WHERE a.id::text = g.admin_id AND a.role = 'ADMIN';

-- The one way events leave audit_event. Deletes the prefix up to p_to_seq, every event of which must be
-- older than p_cutoff (the append-only trigger checks each row), and p_cutoff must lie before
-- now() - audit_policy.min_retention. Returns how many events it removed.
CREATE FUNCTION audit_purge(p_to_seq bigint, p_cutoff timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    floor_interval interval;
    removed bigint;
BEGIN
    SELECT min_retention INTO floor_interval FROM public.audit_policy;
    IF p_cutoff IS NULL OR p_to_seq IS NULL THEN
        RAISE EXCEPTION 'audit purge refused: no cutoff' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_cutoff > now() - coalesce(floor_interval, interval '365 days') THEN
        RAISE EXCEPTION 'audit purge refused: cutoff % is inside the minimum retention of % (audit_policy)',
            p_cutoff, coalesce(floor_interval, interval '365 days') USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(418581342580);  -- AuditTrail.CHAIN_LOCK
    PERFORM set_config('roster.audit_purge', 'on', true);
    PERFORM set_config('roster.audit_purge_before', to_char(p_cutoff AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), true);
    DELETE FROM public.audit_event WHERE seq <= p_to_seq;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('roster.audit_purge', 'off', true);
    PERFORM set_config('roster.audit_purge_before', '', true);
    RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION audit_purge(bigint, timestamptz) FROM PUBLIC;

-- ANALYZE needs the owner (PostgreSQL 15): the runtime role asks for the tables an apply fills.
CREATE FUNCTION roster_analyze(p_table text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF p_table NOT IN ('directory_user', 'plan_item') THEN
        RAISE EXCEPTION 'roster_analyze: % is not analysable from the app', p_table USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('ANALYZE public.%I', p_table);
END
$$;
REVOKE ALL ON FUNCTION roster_analyze(text) FROM PUBLIC;

DO $$
DECLARE
    runtime text := '${runtime_role}';
BEGIN
    IF runtime = '' OR runtime = current_user THEN
        RAISE NOTICE 'Roster: the runtime role is the migration owner (%): single-role set-up, audit_event is not protected from it', current_user;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = runtime) THEN
        RAISE EXCEPTION 'Roster: the runtime role % does not exist. Create it (CREATE ROLE % LOGIN PASSWORD ...; .ci/db-setup does so locally) or see docs/audit.md', runtime, runtime;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime);
    EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', runtime);
    -- Normal rights on the tables (those of later migrations too), none on the migration history.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', runtime);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', runtime);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', runtime);
    IF to_regclass('public.flyway_schema_history') IS NOT NULL THEN
        EXECUTE format('REVOKE ALL ON public.flyway_schema_history FROM %I', runtime);
    END IF;
    -- The audit trail: append and read only.
    EXECUTE format('REVOKE ALL ON audit_event, audit_checkpoint, audit_policy FROM %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON audit_event, audit_checkpoint TO %I', runtime);
    EXECUTE format('GRANT SELECT ON audit_policy TO %I', runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION audit_purge(bigint, timestamptz), roster_analyze(text) TO %I', runtime);
END
$$;
