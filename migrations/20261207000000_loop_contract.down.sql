DROP TABLE model_changes;
DROP INDEX band_transitions_breached_idx;
ALTER TABLE band_transitions DROP COLUMN sla_breached_at, DROP COLUMN cause;
ALTER TABLE scoring_runs DROP COLUMN kind;
