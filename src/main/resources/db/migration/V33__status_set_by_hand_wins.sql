-- #26 review: a scheduled activation is for a user held suspended until its start date. A status set afterwards by
-- anyone (an operator's file, a SCIM client, the user page, a delete, or a leaver's scheduled suspension) that makes the
-- user SUSPENDED or DELETED again wins: the pending activation is cancelled, so the start date cannot undo a deliberate
-- suspension. (Activating early needs nothing: a due activation of a user who is not SUSPENDED is UNCHANGED.)
-- A trigger, because every status write (UserWriter's set-based and single-row forms, soft delete) must obey it;
-- it fires only when the status really changes, so profile-only updates do not pay for it.
CREATE FUNCTION roster_status_cancels_activation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scheduled_change SET status = 'CANCELLED', closed_at = now(),
           closed_reason = 'the user was set ' || NEW.status || ' after it was scheduled'
     WHERE user_id = NEW.id AND kind = 'ACTIVATE' AND status = 'PENDING';
    RETURN NULL;
END
$$;

CREATE TRIGGER directory_user_status_cancels_activation
    AFTER UPDATE OF status ON directory_user
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('SUSPENDED', 'DELETED'))
    EXECUTE FUNCTION roster_status_cancels_activation();
