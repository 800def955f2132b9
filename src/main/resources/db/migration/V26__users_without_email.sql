-- Issue #24, decisions/0031: a user needs an email or a username; deletion frees identifiers.
--
-- A user without a mailbox has a username instead (SCIM's userName, a file matched by username).
ALTER TABLE directory_user ALTER COLUMN email DROP NOT NULL;
ALTER TABLE directory_user ADD CONSTRAINT directory_user_email_or_username
    CHECK (email IS NOT NULL OR username IS NOT NULL);

-- Identifiers are unique among users not deleted: a soft-deleted user no longer holds its email, username or
-- external_id against a new user (a returning employee is created anew). status is the column every writer keeps
-- (softDelete, the apply's deletes, restore, revert); deleted_at follows it. The writers never use ON CONFLICT on
-- these indexes, and every lookup by key says "status <> 'DELETED'", so the planner can use the partial indexes.
DROP INDEX directory_user_email_key;
CREATE UNIQUE INDEX directory_user_email_key ON directory_user (lower(email)) WHERE status <> 'DELETED';
-- The Users page and a group's members are in the order of a user's identifier (its email, or its username when
-- it has none), ties by id: this index keeps their first pages, and every keyset page, cheap.
CREATE INDEX directory_user_identifier_idx ON directory_user (lower(coalesce(email, username)), id);
DROP INDEX directory_user_external_id_key;
CREATE UNIQUE INDEX directory_user_external_id_key ON directory_user (external_id)
    WHERE external_id IS NOT NULL AND status <> 'DELETED';
-- Fails with the duplicated username named when live users share one (SCIM refused that, files did not check it):
-- rename one of them, then start Roster again.
CREATE UNIQUE INDEX directory_user_username_key ON directory_user (lower(username))
    WHERE username IS NOT NULL AND status <> 'DELETED';

-- The Users page search: a user without email is found by its username and names (lower(NULL) || ... was NULL).
DROP INDEX directory_user_search_idx;
CREATE INDEX directory_user_search_idx ON directory_user USING gin (
    (lower(coalesce(email, '')) || ' ' || lower(coalesce(username, '')) || ' ' || lower(coalesce(given_name, ''))
        || ' ' || lower(coalesce(family_name, '')) || ' ' || lower(coalesce(display_name, ''))) gin_trgm_ops);

-- Files, sync sources and SCIM's single rows can match users by username (matchBy=username).
ALTER TABLE batch DROP CONSTRAINT batch_match_by_check;
ALTER TABLE batch ADD CONSTRAINT batch_match_by_check CHECK (match_by IN ('EMAIL', 'EXTERNAL_ID', 'USERNAME'));
ALTER TABLE sync_source DROP CONSTRAINT sync_source_match_by_check;
ALTER TABLE sync_source ADD CONSTRAINT sync_source_match_by_check CHECK (match_by IN ('EMAIL', 'EXTERNAL_ID', 'USERNAME'));
