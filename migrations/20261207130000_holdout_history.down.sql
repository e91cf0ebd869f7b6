DROP INDEX IF EXISTS contacts_account_external_idx;
DROP INDEX IF EXISTS contact_scores_sql_idx;
ALTER TABLE holdout_assignments DROP COLUMN IF EXISTS reason;
DROP TABLE IF EXISTS holdout_memberships;
