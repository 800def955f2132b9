-- #26 review: a day's run batch that Roster held for an operator (over the schedule's limits, or refused by the apply
-- policy, e.g. four-eyes) says so, with the reason. A run batch left PLANNED without it was interrupted between its
-- plan and its apply (a crash) or found stale at apply time: the next run supersedes it (discards it and plans its
-- changes again, once) instead of leaving its changes held by it for ever. Decision 0041.
ALTER TABLE batch ADD COLUMN held_reason text;
