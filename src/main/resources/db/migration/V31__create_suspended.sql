-- #26 item 1: a user created suspended owes its invitation until it is activated (decision 0037).
ALTER TABLE directory_user ADD COLUMN invite_on_activation boolean NOT NULL DEFAULT false;
CREATE INDEX directory_user_invite_on_activation ON directory_user (id) WHERE invite_on_activation;
