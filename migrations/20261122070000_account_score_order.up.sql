-- Accounts ordered by current score page through the run's snapshots in index order:
-- (run_id, total, account_id) gives the keyset's tie-breaker without a sort (ISSUE 7).
CREATE INDEX account_scores_run_total_account_idx ON account_scores (run_id, total, account_id);
DROP INDEX account_scores_run_total_idx;
