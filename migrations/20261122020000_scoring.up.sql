-- Scoring engine (ISSUE 4).

-- The model version's status when the run started. Only runs of the ACTIVE version record
-- band/status transitions (and are what later runs compare with): scoring a DRAFT or RETIRED
-- version is a preview or a backfill and must not start SLA clocks.
ALTER TABLE scoring_runs ADD COLUMN model_status text CHECK (model_status IN ('DRAFT', 'ACTIVE', 'RETIRED'));
-- Accounts per band ([{ band, count, averageTotal, holdoutCount }]), counted once when the run
-- commits, so distributions and run lists never re-scan a run's 100k snapshots.
ALTER TABLE scoring_runs ADD COLUMN band_counts jsonb CHECK (band_counts IS NULL OR jsonb_typeof(band_counts) = 'array');

-- SLA checks look up the first sales touch of an account after a transition: a small partial
-- index instead of walking all of the account's events.
CREATE INDEX engagement_events_sales_touch_idx ON engagement_events (account_id, occurred_at) WHERE type = 'sales_touch' AND NOT is_bot;

-- Transitions are listed per model line and time window.
CREATE INDEX band_transitions_model_entered_idx ON band_transitions (model_id, entered_at, id);
