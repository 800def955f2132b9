-- #26 item 2, the rest (decision 0039): the leaver policy's DELETE as a dated change, and the origin of a change that
-- no batch scheduled (a SCIM write).
ALTER TABLE scheduled_change DROP CONSTRAINT IF EXISTS scheduled_change_kind_check;
ALTER TABLE scheduled_change ADD CONSTRAINT scheduled_change_kind_check CHECK (kind IN ('ACTIVATE', 'SUSPEND', 'DELETE'));
-- who scheduled a change without a batch: 'scim' (a SCIM write set the dates); null with a batch_id: that batch; null
-- without one: an operator's move on the calendar (V32's meaning, kept)
ALTER TABLE scheduled_change ADD COLUMN origin text;

-- A leaver reactivated by hand after the suspension ran (SUSPENDED -> ACTIVE or INVITED, with no suspension pending any
-- more) keeps their account: the pending DELETE of the leaver policy is cancelled, as V33 cancels an activation when a
-- status is set by hand. A joiner activated on their start date still has the suspension pending: the DELETE stays.
CREATE FUNCTION roster_reactivation_cancels_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scheduled_change SET status = 'CANCELLED', closed_at = now(),
           closed_reason = 'the user was set ' || NEW.status || ' after the suspension'
     WHERE user_id = NEW.id AND kind = 'DELETE' AND status = 'PENDING'
       AND NOT EXISTS (SELECT 1 FROM scheduled_change s WHERE s.user_id = NEW.id AND s.kind = 'SUSPEND'
                          AND s.status = 'PENDING');
    RETURN NULL;
END
$$;

CREATE TRIGGER directory_user_reactivation_cancels_delete
    AFTER UPDATE OF status ON directory_user
    FOR EACH ROW WHEN (OLD.status = 'SUSPENDED' AND NEW.status IN ('ACTIVE', 'INVITED'))
    EXECUTE FUNCTION roster_reactivation_cancels_delete();
