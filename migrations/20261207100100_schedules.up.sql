-- Schedules (ISSUE 11): what each scheduled job did, and what retention dropped.

-- One row per execution of a scheduled job (graphile-worker runs it; this is what `schedules`
-- reports as last run and status, and proves a tick ran once across API processes).
CREATE TABLE schedule_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL,
  scheduled_for timestamptz,
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  status        text NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  result        jsonb,
  error         text
);
CREATE INDEX schedule_runs_name_idx ON schedule_runs (name, started_at DESC, id DESC);

-- Retention drops a run's snapshot partitions, never rows: the run row stays, marked.
ALTER TABLE scoring_runs ADD COLUMN snapshots_dropped_at timestamptz;

-- The SLA sweep looks only at transitions whose clock is still open.
CREATE INDEX band_transitions_sla_unswept_idx ON band_transitions (sla_due_at)
  WHERE sla_due_at IS NOT NULL AND first_touch_at IS NULL AND sla_breached_at IS NULL;
