-- Desired-state sync (#16, docs/sync.md): sources that deliver a full export on a schedule or as new
-- files, the record of each run, which source created a user, and what a sync batch owns.

-- The sync operation (also re-asserted, with every operation of this release, by V19).
ALTER TABLE batch DROP CONSTRAINT IF EXISTS batch_operation_check;
ALTER TABLE batch ADD CONSTRAINT batch_operation_check
    CHECK (operation IN ('ONBOARD', 'UPDATE', 'DELETE', 'RESET', 'MIXED', 'MEMBERSHIP', 'GROUPS', 'SYNC'));

CREATE TABLE sync_source (
    id                 uuid PRIMARY KEY,
    name               text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('DIRECTORY', 'URL')),
    location           text NOT NULL,
    schedule           text NOT NULL DEFAULT '',
    time_zone          text NOT NULL DEFAULT 'UTC',
    on_new_file        boolean NOT NULL DEFAULT false,
    format             text NOT NULL DEFAULT 'roster',
    -- A vendor template or mapping profile by name (#14); only 'roster' files are read for now.
    profile            text,
    match_by           text NOT NULL CHECK (match_by IN ('EMAIL', 'EXTERNAL_ID')),
    scope              text NOT NULL,
    absent             text NOT NULL CHECK (absent IN ('LEAVE', 'SUSPEND', 'DELETE')),
    auto_apply         boolean NOT NULL DEFAULT false,
    limits             jsonb NOT NULL DEFAULT '{}'::jsonb,
    limits_percent     jsonb NOT NULL DEFAULT '{}'::jsonb,
    min_rows_fraction  double precision NOT NULL DEFAULT 0.5 CHECK (min_rows_fraction >= 0 AND min_rows_fraction <= 1),
    paused             boolean NOT NULL DEFAULT false,
    auth_kind          text NOT NULL DEFAULT 'NONE' CHECK (auth_kind IN ('NONE', 'BEARER', 'BASIC')),
    auth_username      text,
    -- The bearer token or password, encrypted with the mail token key (mail/TokenCipher); never returned.
    auth_secret        text,
    created_by_name    text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sync_source_name_key ON sync_source (lower(name));

CREATE TABLE sync_run (
    id            uuid PRIMARY KEY,
    source_id     uuid NOT NULL REFERENCES sync_source (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('RUNNING', 'APPLIED', 'HELD', 'SKIPPED', 'REFUSED', 'FAILED',
                                                  'NO_CHANGES')),
    reason        text,
    trigger       text NOT NULL,
    batch_id      uuid,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    heartbeat     timestamptz NOT NULL DEFAULT now(),
    attempts      int NOT NULL DEFAULT 1,
    instance      text,
    file_name     text,
    file_size     bigint,
    file_modified timestamptz,
    sha256        text,
    file_rows     bigint,
    counts        jsonb NOT NULL DEFAULT '{}'::jsonb,
    applied_by    text
);
CREATE INDEX sync_run_source_idx ON sync_run (source_id, started_at DESC);
-- At most one run of a source at a time, across instances.
CREATE UNIQUE INDEX sync_run_running_key ON sync_run (source_id) WHERE status = 'RUNNING';

-- The source that created a user (its "created by the source" scope); kept when the source is removed.
ALTER TABLE directory_user ADD COLUMN source_id uuid;
CREATE INDEX directory_user_source_idx ON directory_user (source_id) WHERE source_id IS NOT NULL;

-- A sync batch: the source it came from (if any), the scope it owns and the policy for users absent from it.
ALTER TABLE batch
    ADD COLUMN sync_source_id uuid,
    ADD COLUMN sync_scope     text,
    ADD COLUMN sync_absent    text CHECK (sync_absent IN ('LEAVE', 'SUSPEND', 'DELETE')),
    ADD COLUMN count_absent   bigint NOT NULL DEFAULT 0,
    ADD COLUMN sync_scope_size bigint;
-- A run that planned no change keeps its record but not a place in the batch list.
ALTER TABLE batch ADD COLUMN listed boolean NOT NULL DEFAULT true;
CREATE INDEX batch_listed_created_idx ON batch (created_at DESC) WHERE listed;

-- The audit actor of an automatic sync apply is the source.
ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_event_actor_kind_check;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_actor_kind_check
    CHECK (actor_kind IN ('admin', 'system', 'user', 'token', 'source'));

-- Operators are told of held and refused runs by mail: a notice with a text of its own and no link token.
ALTER TABLE mail_outbox DROP CONSTRAINT IF EXISTS mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('INVITE', 'RESET', 'PASSWORD_CHANGED', 'SYNC_NOTICE'));
ALTER TABLE mail_outbox ADD COLUMN body text;

-- Four-eyes through a source (docs/security.md): the admin who last created or changed the source's settings, and
-- on each run the admin who pressed Run now and the source's last editor at that time. All count as uploaders of
-- the run's batch, so none of them can approve it.
ALTER TABLE sync_source ADD COLUMN updated_by uuid;
ALTER TABLE sync_run
    ADD COLUMN triggered_by  uuid,
    ADD COLUMN configured_by uuid;
-- Copied onto the run's batch, which outlives the source and its runs.
ALTER TABLE batch
    ADD COLUMN sync_triggered_by  uuid,
    ADD COLUMN sync_configured_by uuid;
