-- Re-planning links the new batch to the one it replaces, so four-eyes approval can exclude everyone
-- who uploaded or re-planned any batch of the chain (issue #12, "four-eyes bypass through re-plan").
ALTER TABLE batch ADD COLUMN replans_batch uuid REFERENCES batch (id);
-- Batches re-planned before this column existed name their predecessor in failure ('superseded by re-plan <id>').
UPDATE batch n SET replans_batch = o.id
  FROM batch o
 WHERE o.failure LIKE 'superseded by re-plan %'
   AND n.id::text = substr(o.failure, length('superseded by re-plan ') + 1);
