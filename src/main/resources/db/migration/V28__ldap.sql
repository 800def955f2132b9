-- The LDAPv3 service (#25, docs/ldap.md).

-- Service accounts: the applications (Keycloak, Authelia, Gitea, Grafana, ...) that bind as
-- cn=<name>,ou=services,<base> to search the directory. The secret is 256 random bits shown once;
-- only its SHA-256 is kept (a random secret needs no slow hash, and binds then cost no hashing slot).
CREATE TABLE ldap_service_account (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    description     text CHECK (description IS NULL OR length(description) <= 200),
    access_right    text NOT NULL CHECK (access_right IN ('READ_ONLY', 'PASSWORD_MANAGER')),
    secret_sha256   text NOT NULL,
    created_by      uuid,
    created_by_name text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_bind_at    timestamptz,
    revoked_at      timestamptz,
    revoked_by_name text
);
CREATE UNIQUE INDEX ldap_service_account_name_key ON ldap_service_account (name) WHERE revoked_at IS NULL;

-- Failed binds of directory users: after roster.ldap.lockout.max-failures within the window the account is
-- locked until locked_until (an admin may unlock it earlier on the user's page). One row per user at most.
CREATE TABLE ldap_bind_lockout (
    user_id      uuid PRIMARY KEY REFERENCES directory_user (id) ON DELETE CASCADE,
    failures     integer NOT NULL,
    window_start timestamptz NOT NULL,
    locked_until timestamptz
);

-- A service account acting (a password reset through Password Modify) is an audit actor of its own.
ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_event_actor_kind_check;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_actor_kind_check
    CHECK (actor_kind IN ('admin', 'system', 'user', 'token', 'source', 'service'));

-- Keycloak's group mapper and LDAP clients ask for groups by member: membership by user, then the group, is an index read.
-- (group_membership_user_idx serves it; nothing to add.) Groups by entryUUID: the primary key.
