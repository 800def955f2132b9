-- Mail: password tokens (reset and invitation) and the transactional outbox the sender drains.

-- Only the SHA-256 of a token is kept here; the raw token lives in the link of one mail.
CREATE TABLE password_token (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES directory_user (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('RESET', 'INVITE')),
    token_hash text NOT NULL,
    batch_id   uuid,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    voided_at  timestamptz
);
CREATE UNIQUE INDEX password_token_hash_key ON password_token (token_hash);
-- Issuing a new token voids the user's open ones of the same purpose: found through this index.
CREATE INDEX password_token_open_idx ON password_token (user_id, purpose) WHERE used_at IS NULL AND voided_at IS NULL;

CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('INVITE', 'RESET', 'PASSWORD_CHANGED')),
    status          text NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED')),
    user_id         uuid,
    recipient       text NOT NULL,
    display_name    text,
    subject         text NOT NULL,
    batch_id        uuid,
    token_id        uuid,
    -- The raw token of the link, AES-256-GCM encrypted (nonce || ciphertext); NULL once not needed.
    token_secret    bytea,
    link_expires_at timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
-- The sender's claim query: due messages, PENDING ones and SENDING ones whose lease ran out
-- (a claim sets next_attempt_at to the lease's end, so one index serves both).
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status IN ('PENDING', 'SENDING');
CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at DESC, id);
CREATE INDEX mail_outbox_batch_idx ON mail_outbox (batch_id, status) WHERE batch_id IS NOT NULL;
CREATE INDEX mail_outbox_user_idx ON mail_outbox (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (lower(recipient));
CREATE INDEX mail_outbox_token_idx ON mail_outbox (token_id) WHERE token_id IS NOT NULL;
-- Keeps the "links kept" clean-up cheap.
CREATE INDEX mail_outbox_secret_idx ON mail_outbox (link_expires_at) WHERE token_secret IS NOT NULL;

-- The key that encrypts token_secret when roster.mail.token-key is not configured: made once,
-- by whichever instance starts first.
CREATE TABLE mail_token_key (
    id         integer PRIMARY KEY CHECK (id = 1),
    key_bytes  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
