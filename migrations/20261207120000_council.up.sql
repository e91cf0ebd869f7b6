-- The council's gate (DESIGN §9): proposals that are not training runs' (hand-written DRAFTs
-- submitted for review), who authored each proposal, whether it is recommended, its stored
-- impact preview, and reviews counted by API key and role.

-- A proposal is TRAINED (a training run's DRAFT) or SUBMITTED (a hand-written DRAFT put up for
-- review with submitModelForReview); only trained ones have a run.
ALTER TABLE weight_proposals
  ALTER COLUMN training_run_id DROP NOT NULL,
  ADD COLUMN kind text NOT NULL DEFAULT 'TRAINED' CHECK (kind IN ('TRAINED', 'SUBMITTED')),
  -- The key that started the run or submitted the draft: it may not review its own proposal.
  ADD COLUMN author_key_id bigint REFERENCES api_keys (id) ON DELETE SET NULL,
  ADD COLUMN author_name text,
  -- NOT_RECOMMENDED: the fit was not better than the current model on the same deals; approving
  -- reviews must acknowledge it. UNASSESSED: a hand-written draft nobody measured.
  ADD COLUMN recommendation text NOT NULL DEFAULT 'RECOMMENDED' CHECK (recommendation IN ('RECOMMENDED', 'NOT_RECOMMENDED', 'UNASSESSED')),
  -- The submitter's reason for a hand-written draft.
  ADD COLUMN comment text,
  -- The impact preview computed when the proposal was made (src/council/impact.sql.ts).
  ADD COLUMN impact jsonb,
  ADD CONSTRAINT weight_proposals_run_of_kind CHECK ((kind = 'TRAINED') = (training_run_id IS NOT NULL));
CREATE INDEX weight_proposals_created_idx ON weight_proposals (created_at DESC, id DESC);

-- Which key started a run (started_by keeps its name, as before).
ALTER TABLE training_runs ADD COLUMN started_by_key_id bigint REFERENCES api_keys (id) ON DELETE SET NULL;

-- Reviews count by key, not by name: two keys may share a name, one key decides once.
ALTER TABLE proposal_reviews
  DROP CONSTRAINT proposal_reviews_one_per_reviewer,
  ADD COLUMN reviewer_role text,
  ADD COLUMN acknowledged_not_recommended boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX proposal_reviews_one_per_key ON proposal_reviews (proposal_id, api_key_id) WHERE api_key_id IS NOT NULL;
CREATE UNIQUE INDEX proposal_reviews_one_per_keyless_reviewer ON proposal_reviews (proposal_id, reviewer) WHERE api_key_id IS NULL;
