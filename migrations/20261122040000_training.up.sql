-- Training runs, weight proposals and council reviews (ISSUE 5).

-- The process that runs a training run: a random key on which it holds a session-level
-- advisory lock, pg_advisory_lock(4212010, owner), while it has queued or running work. A run
-- still QUEUED or RUNNING whose owner's lock is free belongs to a process that died; the next
-- start-up marks it FAILED. Replicas never fail each other's live runs.
ALTER TABLE training_runs ADD COLUMN owner integer;
COMMENT ON COLUMN training_runs.stage IS 'What the run is doing: queued, extracting, fitting: holdout | cross-validation | final, screening, proposing, done.';
COMMENT ON COLUMN training_runs.report IS 'The training report (src/training/training-report.ts): the ml/ report plus the current and proposed model''s numbers on the same deals.';

-- Start-up recovery looks only at unfinished runs.
CREATE INDEX training_runs_unfinished_idx ON training_runs (owner) WHERE status IN ('QUEUED', 'RUNNING');
