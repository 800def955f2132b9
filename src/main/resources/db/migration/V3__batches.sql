-- Batches: one uploaded file for one operation, its stored bytes, and its plan.
CREATE TABLE batch (
    id                uuid PRIMARY KEY,
    operation         text NOT NULL CHECK (operation IN ('ONBOARD', 'UPDATE', 'DELETE', 'RESET', 'MIXED')),
    match_by          text NOT NULL CHECK (match_by IN ('EMAIL', 'EXTERNAL_ID')),
    status            text NOT NULL CHECK (status IN ('PLANNING', 'PLANNED', 'REJECTED', 'APPLYING', 'APPLIED',
                                                      'FAILED', 'DISCARDED')),
    file_name         text NOT NULL,
    sha256            text NOT NULL,
    size_bytes        bigint NOT NULL,
    row_count         bigint NOT NULL DEFAULT 0,
    count_create      bigint NOT NULL DEFAULT 0,
    count_update      bigint NOT NULL DEFAULT 0,
    count_delete      bigint NOT NULL DEFAULT 0,
    count_reset       bigint NOT NULL DEFAULT 0,
    count_unchanged   bigint NOT NULL DEFAULT 0,
    count_error       bigint NOT NULL DEFAULT 0,
    count_warning     bigint NOT NULL DEFAULT 0,
    warnings          jsonb NOT NULL DEFAULT '[]'::jsonb,
    error             text,
    progress_done     bigint NOT NULL DEFAULT 0,
    progress_total    bigint NOT NULL DEFAULT 0,
    -- Planning runs in the background on one instance; a stale heartbeat means that instance died.
    planning_heartbeat timestamptz,
    planning_attempts int NOT NULL DEFAULT 0,
    created_by        uuid,
    created_by_name   text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    planned_at        timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batch_created_idx ON batch (created_at DESC);
CREATE INDEX batch_status_idx ON batch (status);

-- The uploaded bytes, in 1 MiB chunks, so any instance can plan or apply the file.
CREATE TABLE batch_file_chunk (
    batch_id uuid NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
    seq      int NOT NULL,
    data     bytea NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- One planned change per data row of the file.
CREATE TABLE plan_item (
    batch_id        uuid NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
    line            bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET', 'UNCHANGED', 'ERROR')),
    key             text,
    user_id         uuid,
    planned_version bigint,
    fields          jsonb NOT NULL DEFAULT '[]'::jsonb,
    messages        jsonb NOT NULL DEFAULT '[]'::jsonb,
    has_warning     boolean NOT NULL DEFAULT false,
    send_invite     boolean NOT NULL DEFAULT false,
    password_hash   text,
    original        jsonb,
    PRIMARY KEY (batch_id, line)
);
CREATE INDEX plan_item_kind_idx ON plan_item (batch_id, kind, line);
CREATE INDEX plan_item_key_idx ON plan_item (batch_id, key text_pattern_ops);
