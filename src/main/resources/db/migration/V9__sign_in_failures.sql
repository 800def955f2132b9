-- Failed and throttled sign-in attempts, aggregated per account, client IP and time window (issue #12):
-- the first failure of a window goes to the audit trail at once, the others only raise "attempts" here,
-- and AdminSignInFailures writes one summary event with their count once the window has closed.
-- Identifiers are truncated before they reach this table, so a row stays small whatever was typed.
CREATE TABLE sign_in_failure_window (
    window_start timestamptz NOT NULL,
    account_key  varchar(200) NOT NULL,
    ip           varchar(64) NOT NULL,
    attempts     integer NOT NULL,
    recorded     integer NOT NULL DEFAULT 0,
    channel      varchar(16) NOT NULL,
    last_reason  varchar(64) NOT NULL,
    known_admin  boolean NOT NULL,
    user_agent   varchar(200),
    PRIMARY KEY (window_start, ip, account_key)
);
