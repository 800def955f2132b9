-- #26 item 2: a user's start and end dates, and the dated changes they schedule (decision 0037).
-- The zone the dates are in is the user's timezone (V27, decisions/0032); null: the organisation's.
ALTER TABLE directory_user ADD COLUMN start_date date, ADD COLUMN end_date date;

-- One row per pending (or done, or cancelled) dated change of one user. A user has at most one PENDING change of each
-- kind: a later file that moves a date cancels the pending row and schedules a new one.
CREATE TABLE scheduled_change (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES directory_user (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('ACTIVATE', 'SUSPEND')),
    due_on         date NOT NULL,
    due_at         timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'CANCELLED')),
    -- the batch whose apply scheduled it (null: moved by an operator on the calendar)
    batch_id       uuid REFERENCES batch (id) ON DELETE SET NULL,
    -- the system batch (operation scheduled) that ran it
    run_batch_id   uuid REFERENCES batch (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz,
    closed_reason  text
);
CREATE UNIQUE INDEX scheduled_change_one_pending ON scheduled_change (user_id, kind) WHERE status = 'PENDING';
CREATE INDEX scheduled_change_due ON scheduled_change (due_at) WHERE status = 'PENDING';
CREATE INDEX scheduled_change_batch ON scheduled_change (batch_id);

-- A day's due changes run as a batch of their own (operation SCHEDULED, #26 item 3).
ALTER TABLE batch DROP CONSTRAINT IF EXISTS batch_operation_check;
ALTER TABLE batch ADD CONSTRAINT batch_operation_check
    CHECK (operation IN ('ONBOARD', 'UPDATE', 'DELETE', 'RESET', 'MIXED', 'MEMBERSHIP', 'GROUPS', 'SYNC', 'SCHEDULED'));
CREATE INDEX scheduled_change_run_batch ON scheduled_change (run_batch_id) WHERE run_batch_id IS NOT NULL;
