-- The public self-service pages (issue #25, decision 0036): a "Forgot your password?" request is made by
-- someone nobody has authenticated; its audit events name the actor kind 'public' (name 'self-service',
-- with the request's IP and user agent), neither a directory user nor Roster itself. 'service' is V28's
-- LDAP service accounts.
ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_event_actor_kind_check;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_actor_kind_check
    CHECK (actor_kind IN ('admin', 'system', 'user', 'token', 'source', 'service', 'public'));
