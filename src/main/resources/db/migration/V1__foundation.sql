-- Foundation: the directory users that batches manage, and the admins who manage them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE directory_user (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    external_id   text,
    username      text,
    given_name    text,
    family_name   text,
    display_name  text,
    phone         text,
    department    text,
    title         text,
    locale        text,
    status        text NOT NULL CHECK (status IN ('INVITED', 'ACTIVE', 'SUSPENDED', 'DELETED')),
    attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
    password_hash text,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);
-- Emails are unique whatever their case; the planner looks them up lowercased.
CREATE UNIQUE INDEX directory_user_email_key ON directory_user (lower(email));
CREATE UNIQUE INDEX directory_user_external_id_key ON directory_user (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX directory_user_status_idx ON directory_user (status);
-- Substring search on the Users page stays fast with a million users.
CREATE INDEX directory_user_search_idx ON directory_user USING gin (
    (lower(email) || ' ' || lower(coalesce(given_name, '')) || ' ' || lower(coalesce(family_name, ''))
        || ' ' || lower(coalesce(display_name, ''))) gin_trgm_ops);

CREATE TABLE admin_account (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    display_name    text NOT NULL,
    password_hash   text,
    role            text NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
    enabled         boolean NOT NULL DEFAULT true,
    source          text NOT NULL DEFAULT 'LOCAL' CHECK (source IN ('LOCAL', 'OIDC')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz
);
CREATE UNIQUE INDEX admin_account_email_key ON admin_account (lower(email));

-- Server-side sessions: revocable at sign-out, shared by every instance.
CREATE TABLE admin_session (
    token_hash   text PRIMARY KEY,
    admin_id     uuid NOT NULL REFERENCES admin_account (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ip           text,
    user_agent   text
);
CREATE INDEX admin_session_admin_idx ON admin_session (admin_id);
