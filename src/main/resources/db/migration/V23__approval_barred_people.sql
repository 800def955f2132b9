-- People approve, tokens don't (#23, decision 0026).

-- Four-eyes: people barred from approving a batch besides those who uploaded or re-planned its chain: whoever
-- confirmed its mapping and the author of a mapping profile applied to it (copied here, so a profile deleted later
-- still counts). Tokens among the uploaders are expanded to whoever minted them when approval is checked.
ALTER TABLE batch ADD COLUMN barred_approvers uuid[] NOT NULL DEFAULT '{}';
