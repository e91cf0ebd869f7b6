DROP INDEX IF EXISTS band_transitions_model_entered_idx;
DROP INDEX IF EXISTS engagement_events_sales_touch_idx;
ALTER TABLE scoring_runs DROP COLUMN IF EXISTS band_counts;
ALTER TABLE scoring_runs DROP COLUMN IF EXISTS model_status;
