-- The columns and the audit table that the live loop, webhooks, the council's gate and the KPI
-- report all rely on, created once so each feature can build on them (DESIGN §5, §8, §9).

-- A run either re-bases every account (FULL) or re-scores only the accounts that ingest touched.
ALTER TABLE scoring_runs
  ADD COLUMN kind text NOT NULL DEFAULT 'FULL' CHECK (kind IN ('FULL', 'INCREMENTAL'));

-- Why an account moved: new facts, time passing (decay), or a different model version.
ALTER TABLE band_transitions
  ADD COLUMN cause text NOT NULL DEFAULT 'EVENTS' CHECK (cause IN ('EVENTS', 'DECAY', 'MODEL_CHANGE')),
  -- Set once by the SLA sweep when the due time passed with no first touch.
  ADD COLUMN sla_breached_at timestamptz;
CREATE INDEX band_transitions_breached_idx ON band_transitions (sla_breached_at) WHERE sla_breached_at IS NOT NULL;

-- Audit log of every change to a model line: who activated, approved, rejected, submitted or
-- rolled back which version, when and why. It is also the activation history: the version that
-- was ACTIVE for `line` at instant t is the model of the latest ACTIVATED / ROLLBACK /
-- BREAK_GLASS entry at or before t.
CREATE TABLE model_changes (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  line              text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('ACTIVATED', 'APPROVED', 'REJECTED', 'SUBMITTED', 'ROLLBACK', 'BREAK_GLASS')),
  model_id          bigint NOT NULL REFERENCES scoring_models (id) ON DELETE CASCADE,
  previous_model_id bigint REFERENCES scoring_models (id) ON DELETE SET NULL,
  proposal_id       bigint REFERENCES weight_proposals (id) ON DELETE SET NULL,
  actor_key_id      bigint REFERENCES api_keys (id) ON DELETE SET NULL,
  actor_name        text,
  actor_role        text,
  reason            text,
  comment           text,
  at                timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX model_changes_line_at_idx ON model_changes (line, at DESC, id DESC);
CREATE INDEX model_changes_activations_idx ON model_changes (line, at DESC) WHERE kind IN ('ACTIVATED', 'ROLLBACK', 'BREAK_GLASS');

-- Versions activated before this log existed: their activation time is all that is known.
INSERT INTO model_changes (line, kind, model_id, actor_name, at)
SELECT name, 'ACTIVATED', id, created_by, activated_at
  FROM scoring_models WHERE activated_at IS NOT NULL
 ORDER BY activated_at;
