DROP INDEX IF EXISTS band_transitions_sla_unswept_idx;
ALTER TABLE scoring_runs DROP COLUMN IF EXISTS snapshots_dropped_at;
DROP TABLE IF EXISTS schedule_runs;
