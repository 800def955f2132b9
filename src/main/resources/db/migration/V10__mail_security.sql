-- Mail and link security (issue #12).

-- A queued mail whose link died before it went out is CANCELLED: never sent, never resent.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check
    CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED', 'CANCELLED'));

-- Reset and invitation links belong to an address and to an account that may have a password.
-- When a user's email changes (ignoring case), or the user is suspended or deleted, by any path
-- (a CSV apply, the user pages, the lifecycle jobs, a future SCIM endpoint, psql), every open
-- token of the user is voided; a restore or reactivation later does not bring them back
-- (voided_at is never cleared). Mails carrying those links that are still waiting (PENDING) or
-- given up (FAILED, so "resend failed" cannot revive them) become CANCELLED, and every kept
-- encrypted link of them is dropped. One statement-level trigger with transition tables keeps it
-- set-based: a 1M-row apply runs it once, not a million times. It runs with the rights of whoever
-- updates directory_user (that role already updates password_token and mail_outbox), so it works
-- unchanged when a migration owner other than the runtime role owns the tables.
CREATE FUNCTION directory_user_void_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone uuid[];
BEGIN
    -- Most updates (profile fields) change no address or status: one hash join over the statement's
    -- rows finds that, and nothing else is touched.
    SELECT array_agg(n.id) INTO gone
      FROM new_users n JOIN old_users o ON o.id = n.id
     WHERE lower(n.email) IS DISTINCT FROM lower(o.email)
        OR (n.status IS DISTINCT FROM o.status AND n.status IN ('SUSPENDED', 'DELETED'));
    IF gone IS NULL THEN
        RETURN NULL;
    END IF;
    WITH voided AS (
        UPDATE password_token t SET voided_at = now()
         WHERE t.user_id = ANY (gone) AND t.used_at IS NULL AND t.voided_at IS NULL
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
     WHERE m.token_id = v.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER directory_user_void_links
    AFTER UPDATE ON directory_user
    REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users
    FOR EACH STATEMENT EXECUTE FUNCTION directory_user_void_links();
