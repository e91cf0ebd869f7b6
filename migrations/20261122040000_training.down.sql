DROP INDEX IF EXISTS training_runs_unfinished_idx;
COMMENT ON COLUMN training_runs.report IS NULL;
COMMENT ON COLUMN training_runs.stage IS NULL;
ALTER TABLE training_runs DROP COLUMN IF EXISTS owner;
