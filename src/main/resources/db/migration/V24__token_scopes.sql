-- A token is a program with narrow scopes; revoking it stops what it configured (#23, decision 0026).

-- Token scopes: a set instead of read / read-write. Today's scopes map to the same powers:
-- READ -> {read}; READ_WRITE -> {read, scim, batches, directory} (every operator write a token could make before,
-- except sync sources and mapping profiles, which only signed-in people change from now on).
ALTER TABLE api_token ADD COLUMN scopes text[];
UPDATE api_token SET scopes = CASE scope WHEN 'READ' THEN ARRAY['read'] ELSE ARRAY['read', 'scim', 'batches', 'directory'] END;
ALTER TABLE api_token ALTER COLUMN scopes SET NOT NULL;
ALTER TABLE api_token ADD CONSTRAINT api_token_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'scim', 'batches', 'directory']);
ALTER TABLE api_token DROP COLUMN scope;
-- Why a token was revoked when nobody pressed Revoke (its creator was demoted or disabled).
ALTER TABLE api_token ADD COLUMN revoked_reason text;
CREATE INDEX api_token_created_by_idx ON api_token (created_by) WHERE revoked_at IS NULL;

-- Revoking a token pauses the sources it created or last changed: a source remembers its creator too.
ALTER TABLE sync_source ADD COLUMN created_by uuid;
UPDATE sync_source s SET created_by = (
    SELECT e.actor_id FROM audit_event e
     WHERE e.action = 'sync.source-created' AND e.details::jsonb ->> 'sourceId' = s.id::text
     ORDER BY e.seq LIMIT 1);
