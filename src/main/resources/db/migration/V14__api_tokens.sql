-- API tokens (#15): bearer credentials for SCIM clients and scripts, created by admins on the API tokens page.
-- Only the SHA-256 of the secret is stored; the secret is shown once, at creation.
CREATE TABLE api_token (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 100 AND name !~ '[[:cntrl:]]'),
    scope           text NOT NULL CHECK (scope IN ('READ', 'READ_WRITE')),
    secret_sha256   text NOT NULL,
    created_by      uuid,
    created_by_name text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    revoked_by_name text
);
CREATE UNIQUE INDEX api_token_secret_key ON api_token (secret_sha256);

-- A write made with a token names the token as its actor.
ALTER TABLE audit_event DROP CONSTRAINT audit_event_actor_kind_check;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_actor_kind_check
    CHECK (actor_kind IN ('admin', 'system', 'user', 'token'));

-- SCIM looks users up by userName (case-insensitive, RFC 7643 §4.1.1; a user without a username shows its email):
-- filter=userName eq "..." is an index read.
CREATE INDEX directory_user_username_idx ON directory_user (lower(coalesce(username, email)));
