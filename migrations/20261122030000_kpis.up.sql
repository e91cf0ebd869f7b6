-- Holdout assignments and KPI reports by band (ISSUE 6).

-- What a BAND-stratified draw used, and how many accounts a replacing draw took out.
ALTER TABLE holdout_assignments
  ADD COLUMN model            text,
  ADD COLUMN run_id           bigint REFERENCES scoring_runs (id) ON DELETE SET NULL,
  ADD COLUMN accounts_removed integer NOT NULL DEFAULT 0;
CREATE INDEX holdout_assignments_assigned_idx ON holdout_assignments (assigned_at DESC, id DESC);

-- The KPI report's "had a meeting in the window": one range scan instead of a pass over
-- every event.
CREATE INDEX engagement_events_meetings_idx ON engagement_events (occurred_at, account_id)
  WHERE type = 'meeting_held' AND NOT is_bot AND account_id IS NOT NULL;
