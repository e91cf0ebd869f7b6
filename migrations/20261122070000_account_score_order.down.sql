CREATE INDEX account_scores_run_total_idx ON account_scores (run_id, total);
DROP INDEX account_scores_run_total_account_idx;
