-- The links trigger of V10, planned at every call (issue #13's stalled membership apply).
--
-- PL/pgSQL caches the plan of a static query with no parameters for the life of the connection,
-- planned for the transition tables as they were at the first call. A pooled connection whose first
-- update touched one row kept a nested loop over new_users x old_users; the next apply on it that
-- bumped 100,000 users then compared 10^10 pairs (minutes of CPU in one statement). EXECUTE plans
-- each call with the transition tables' real sizes: a hash join for a large statement, the same
-- result for a small one. The planning costs well under a millisecond once per statement.
CREATE OR REPLACE FUNCTION directory_user_void_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone uuid[];
BEGIN
    EXECUTE $q$
        SELECT array_agg(n.id)
          FROM new_users n JOIN old_users o ON o.id = n.id
         WHERE lower(n.email) IS DISTINCT FROM lower(o.email)
            OR (n.status IS DISTINCT FROM o.status AND n.status IN ('SUSPENDED', 'DELETED'))$q$
       INTO gone;
    IF gone IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE $q$
        WITH voided AS (
            UPDATE password_token t SET voided_at = now()
             WHERE t.user_id = ANY ($1) AND t.used_at IS NULL AND t.voided_at IS NULL
            RETURNING t.id, t.user_id)
        UPDATE mail_outbox m
           SET status = CASE WHEN m.status IN ('PENDING', 'FAILED') THEN 'CANCELLED' ELSE m.status END,
               last_error = CASE WHEN m.status IN ('PENDING', 'FAILED')
                                 THEN 'cancelled: ' || CASE WHEN u.status IN ('SUSPENDED', 'DELETED')
                                                            THEN 'the user was ' || lower(u.status)
                                                            ELSE 'the user''s email changed' END
                                 ELSE m.last_error END,
               token_secret = NULL, lease_until = NULL, updated_at = now()
          FROM voided v JOIN directory_user u ON u.id = v.user_id
         WHERE m.token_id = v.id$q$
       USING gone;
    RETURN NULL;
END
$$;
