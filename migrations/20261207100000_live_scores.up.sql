-- Live scores (ISSUE 11): a queue of accounts whose facts changed, the current score of every
-- account per model version, and the triggers that fill the queue in the transaction that
-- changed the facts.

-- One row per (line, account) touch. Insert-only: ingest never updates or deletes a row, so a
-- scorer (REPEATABLE READ) deletes exactly the rows its snapshot saw and a touch committed
-- meanwhile stays for the next run. Several rows for one account are harmless (consumers
-- read distinct accounts): re-marking is idempotent.
CREATE TABLE score_queue (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  line       text NOT NULL,
  account_id bigint NOT NULL,
  touched_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX score_queue_line_account_idx ON score_queue (line, account_id);

-- Each account's latest snapshot per model version (by as-of, then run), whichever run wrote
-- it, kept in step with account_scores in the run's transaction. Reads of current scores
-- (account.score, accounts ordered or filtered by score, committees) use it instead of
-- finding "the latest run": with incremental runs an account's latest snapshot can be in any run.
CREATE TABLE current_scores (
  model_id         bigint NOT NULL,
  account_id       bigint NOT NULL,
  run_id           bigint NOT NULL,
  as_of            timestamptz NOT NULL,
  total            real NOT NULL,
  fit              real NOT NULL,
  engagement       real NOT NULL,
  intent           real NOT NULL,
  committee        real NOT NULL,
  band             text NOT NULL,
  grade            text NOT NULL,
  status           text NOT NULL,
  engaged_contacts integer NOT NULL DEFAULT 0,
  contributions    real[] NOT NULL,
  PRIMARY KEY (model_id, account_id)
) WITH (fillfactor = 85);
-- Accounts by score walk (model_id, total, account_id): the keyset's tie-breaker without a sort.
CREATE INDEX current_scores_order_idx ON current_scores (model_id, total, account_id);

INSERT INTO current_scores (model_id, account_id, run_id, as_of, total, fit, engagement, intent, committee, band, grade, status, engaged_contacts, contributions)
SELECT DISTINCT ON (s.model_id, s.account_id)
       s.model_id, s.account_id, s.run_id, s.as_of, s.total, s.fit, s.engagement, s.intent, s.committee, s.band, s.grade, s.status, s.engaged_contacts, s.contributions
  FROM account_scores s JOIN scoring_runs r ON r.id = s.run_id AND r.status = 'SUCCEEDED'
 ORDER BY s.model_id, s.account_id, s.as_of DESC, s.run_id DESC;
ANALYZE current_scores;

CREATE INDEX scoring_runs_kind_idx ON scoring_runs (kind, id DESC);

-- Marks accounts (and, for lines whose ACTIVE model rolls engagement up, their ancestors at
-- any depth) for every ACTIVE line, and wakes the live scorer at commit.
CREATE FUNCTION score_queue_touch(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  WITH RECURSIVE touched AS (
    SELECT DISTINCT x AS account_id FROM unnest(ids) x WHERE x IS NOT NULL
  ), up (account_id, depth) AS (
    SELECT a.parent_id, 1 FROM accounts a JOIN touched t ON a.id = t.account_id WHERE a.parent_id IS NOT NULL
    UNION
    SELECT a.parent_id, u.depth + 1 FROM up u JOIN accounts a ON a.id = u.account_id WHERE a.parent_id IS NOT NULL AND u.depth < 20
  )
  INSERT INTO score_queue (line, account_id)
  SELECT m.name, t.account_id FROM scoring_models m CROSS JOIN touched t WHERE m.status = 'ACTIVE'
  UNION
  SELECT m.name, u.account_id FROM scoring_models m CROSS JOIN up u
   WHERE m.status = 'ACTIVE' AND m.definition->>'rollup' IN ('SUM', 'MAX');
  IF FOUND THEN PERFORM pg_notify('quorum_score_queue', ''); END IF;
END $$;

-- Statement-level triggers see every write path at once (batch mutations, the CSV import's
-- merge, stitching of held facts, the demo loader's COPY): one set-based call per statement.
CREATE FUNCTION score_queue_from_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM score_queue_touch(ARRAY(SELECT DISTINCT account_id FROM new_rows WHERE account_id IS NOT NULL));
  ELSE
    PERFORM score_queue_touch(ARRAY(
      SELECT account_id FROM new_rows WHERE account_id IS NOT NULL
      UNION SELECT account_id FROM old_rows WHERE account_id IS NOT NULL));
  END IF;
  RETURN NULL;
END $$;

-- An account's own fields feed fit; its parent link feeds roll-up (old and new parent both
-- change). Holdout flags and last_engaged_at do not change a score.
CREATE FUNCTION score_queue_from_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM score_queue_touch(ARRAY(SELECT id FROM new_rows UNION SELECT parent_id FROM new_rows WHERE parent_id IS NOT NULL));
  ELSE
    PERFORM score_queue_touch(ARRAY(
      SELECT x FROM new_rows n JOIN old_rows o ON o.id = n.id
             CROSS JOIN LATERAL (VALUES (n.id), (n.parent_id), (o.parent_id)) v(x)
       WHERE x IS NOT NULL
         AND (to_jsonb(n) - ARRAY['is_holdout', 'holdout_assigned_at', 'holdout_assignment_id', 'last_engaged_at', 'updated_at'])
             IS DISTINCT FROM (to_jsonb(o) - ARRAY['is_holdout', 'holdout_assigned_at', 'holdout_assignment_id', 'last_engaged_at', 'updated_at'])));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER score_queue_events_ins AFTER INSERT ON engagement_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_events_upd AFTER UPDATE ON engagement_events REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_intent_ins AFTER INSERT ON intent_signals REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_intent_upd AFTER UPDATE ON intent_signals REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_contacts_ins AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_contacts_upd AFTER UPDATE ON contacts REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_deals_ins AFTER INSERT ON deals REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_deals_upd AFTER UPDATE ON deals REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_facts();
CREATE TRIGGER score_queue_accounts_ins AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_accounts();
CREATE TRIGGER score_queue_accounts_upd AFTER UPDATE ON accounts REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_queue_from_accounts();

-- The last run written of a version (current distribution, the line's latest run).
CREATE INDEX scoring_runs_model_written_idx ON scoring_runs (model_id, id DESC) WHERE status = 'SUCCEEDED';
