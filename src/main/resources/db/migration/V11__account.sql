-- An admin who must choose a new password before doing anything else: the bootstrap admin whose
-- password Roster generated and printed in the log (access/BootstrapAdmin, access/AccountService).
ALTER TABLE admin_account ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
