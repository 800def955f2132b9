-- How a batch's header was read (#14): its source format, what every column became, and the mapping step.
ALTER TABLE batch DROP CONSTRAINT batch_status_check;
ALTER TABLE batch ADD CONSTRAINT batch_status_check
    CHECK (status IN ('PLANNING', 'PLANNED', 'REJECTED', 'APPLYING', 'APPLIED', 'FAILED', 'DISCARDED', 'NEEDS_MAPPING'));

ALTER TABLE batch
    -- roster, entra-create, entra-delete, google, okta, cognito, jumpcloud, mapping, profile
    ADD COLUMN source_format       text,
    ADD COLUMN source_format_label text,
    -- [{index, column, target, reason}] as planning reads the file
    ADD COLUMN column_mapping      jsonb,
    -- the admin's choice (column -> target) planning applies; null reads the header on its own
    ADD COLUMN mapping_choice      jsonb,
    ADD COLUMN mapping_profile_id  uuid,
    ADD COLUMN mapping_profile     text,
    -- what Roster proposes for a header it cannot place, and why it could not
    ADD COLUMN mapping_proposal    jsonb,
    ADD COLUMN mapping_problems    jsonb;

CREATE TABLE mapping_profile (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- the header it was made for, lower-cased, so a later file with the same header is mapped by it
    header_key      text NOT NULL,
    -- [{column, target}] in header order
    columns         jsonb NOT NULL,
    created_by      uuid,
    created_by_name text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mapping_profile_name_idx ON mapping_profile (lower(name));
CREATE INDEX mapping_profile_header_idx ON mapping_profile (header_key);
