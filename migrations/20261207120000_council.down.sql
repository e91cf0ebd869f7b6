DROP INDEX IF EXISTS proposal_reviews_one_per_keyless_reviewer;
DROP INDEX IF EXISTS proposal_reviews_one_per_key;
ALTER TABLE proposal_reviews
  DROP COLUMN acknowledged_not_recommended,
  DROP COLUMN reviewer_role,
  ADD CONSTRAINT proposal_reviews_one_per_reviewer UNIQUE (proposal_id, reviewer);
ALTER TABLE training_runs DROP COLUMN started_by_key_id;
DROP INDEX IF EXISTS weight_proposals_created_idx;
DELETE FROM weight_proposals WHERE kind = 'SUBMITTED';
ALTER TABLE weight_proposals
  DROP CONSTRAINT weight_proposals_run_of_kind,
  DROP COLUMN impact,
  DROP COLUMN comment,
  DROP COLUMN recommendation,
  DROP COLUMN author_name,
  DROP COLUMN author_key_id,
  DROP COLUMN kind,
  ALTER COLUMN training_run_id SET NOT NULL;
