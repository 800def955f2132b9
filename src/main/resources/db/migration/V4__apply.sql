-- Applying plans: who applied or approved a batch and when, what refused it, and undo links.
ALTER TABLE batch
    ADD COLUMN applied_by        uuid,
    ADD COLUMN applied_by_name   text,
    ADD COLUMN apply_started_at  timestamptz,
    ADD COLUMN applied_at        timestamptz,
    ADD COLUMN skip_errors       boolean NOT NULL DEFAULT false,
    ADD COLUMN override_reason   text,
    ADD COLUMN failure           text,
    ADD COLUMN conflicts         jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN approved_by       uuid,
    ADD COLUMN approved_by_name  text,
    ADD COLUMN approved_at       timestamptz,
    ADD COLUMN reverts_batch     uuid REFERENCES batch (id),
    ADD COLUMN reverted_by_batch uuid REFERENCES batch (id);

-- What a soft-deleted user was before, so restore brings exactly that back.
ALTER TABLE directory_user ADD COLUMN status_before_delete text, ADD COLUMN purged_at timestamptz;
CREATE INDEX directory_user_deleted_idx ON directory_user (deleted_at) WHERE deleted_at IS NOT NULL;

-- The id a CREATE row of a batch gives its user: derived, so every part of one apply (users,
-- audit events, invitations) agrees on it without reading uncommitted rows back.
CREATE FUNCTION roster_created_user_id(batch uuid, line bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT md5($1::text || ':' || $2::text)::uuid $$;
