DROP INDEX IF EXISTS engagement_events_meetings_idx;
DROP INDEX IF EXISTS holdout_assignments_assigned_idx;
ALTER TABLE holdout_assignments
  DROP COLUMN IF EXISTS accounts_removed,
  DROP COLUMN IF EXISTS run_id,
  DROP COLUMN IF EXISTS model;
