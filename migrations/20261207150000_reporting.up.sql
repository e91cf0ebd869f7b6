-- A `reporting` schema of stable views for BI tools (Metabase, Looker, Superset, Grafana): plain
-- columns, one row per thing, no per-run tables, no positional arrays. The tables underneath may
-- change; these column lists are the contract (README "BI over SQL"). `quorum reporting grant
-- --role NAME` creates a read-only role that sees only this schema.
CREATE SCHEMA reporting;
COMMENT ON SCHEMA reporting IS 'Quorum: stable read-only views for BI tools';

-- THE place that says which snapshot is an account's current score: the current_scores table
-- the scoring runs keep in step with their snapshots (any kind of run), for each line's ACTIVE
-- version. Every view below reads through this one.
CREATE VIEW reporting.current_snapshot AS
SELECT c.run_id, c.account_id, c.as_of, c.model_id
  FROM current_scores c
  JOIN scoring_models m ON m.id = c.model_id AND m.status = 'ACTIVE';
COMMENT ON VIEW reporting.current_snapshot IS 'Which snapshot is each account''s current score, per model line (the latest of the ACTIVE version)';

-- Current score per account and model line, with band, status, grade and the four components.
CREATE VIEW reporting.current_scores AS
SELECT a.id AS account_id, a.domain, a.name AS account_name, a.industry, a.country, a.region, a.tier,
       a.is_target, a.is_holdout,
       m.name AS model_line, m.version AS model_version, c.model_id, c.run_id, c.as_of,
       s.total::float8 AS total, s.band, s.grade, s.status,
       s.fit::float8 AS fit, s.engagement::float8 AS engagement, s.intent::float8 AS intent, s.committee::float8 AS committee,
       s.engaged_contacts
  FROM reporting.current_snapshot c
  JOIN account_scores s ON s.run_id = c.run_id AND s.account_id = c.account_id AND s.as_of = c.as_of
  JOIN accounts a ON a.id = c.account_id
  JOIN scoring_models m ON m.id = c.model_id;
COMMENT ON VIEW reporting.current_scores IS 'One row per account and model line: the current score with band, status, grade and components';

-- "Why this score": one row per criterion of the current score, with its label. The points of an
-- account's rows add up to its total.
CREATE VIEW reporting.current_contributions AS
SELECT c.account_id, a.domain, m.name AS model_line, m.version AS model_version, c.run_id, c.as_of,
       crit.ordinality::int AS position, crit.value->>'component' AS component, crit.value->>'key' AS criterion,
       crit.value->>'label' AS label, coalesce(s.contributions[crit.ordinality], 0)::float8 AS points
  FROM reporting.current_snapshot c
  JOIN account_scores s ON s.run_id = c.run_id AND s.account_id = c.account_id AND s.as_of = c.as_of
  JOIN accounts a ON a.id = c.account_id
  JOIN scoring_models m ON m.id = c.model_id
  CROSS JOIN LATERAL jsonb_array_elements(m.definition->'criteria') WITH ORDINALITY AS crit(value, ordinality);
COMMENT ON VIEW reporting.current_contributions IS 'One row per criterion of each current score, with its label and points (they add up to the total)';

-- Every stored snapshot, any version, from successful runs: trend lines and "score as of".
CREATE VIEW reporting.score_history AS
SELECT s.account_id, a.domain, m.name AS model_line, m.version AS model_version, m.status AS model_status,
       s.run_id, r.kind AS run_kind, s.as_of,
       s.total::float8 AS total, s.band, s.grade, s.status,
       s.fit::float8 AS fit, s.engagement::float8 AS engagement, s.intent::float8 AS intent, s.committee::float8 AS committee,
       s.engaged_contacts
  FROM account_scores s
  JOIN scoring_runs r ON r.id = s.run_id AND r.status = 'SUCCEEDED'
  JOIN scoring_models m ON m.id = s.model_id
  JOIN accounts a ON a.id = s.account_id;
COMMENT ON VIEW reporting.score_history IS 'Every score snapshot of every account, per run (filter by as_of and model_line)';

-- Band and status transitions with their SLA state, as the API's bandTransitions reports it:
-- MET (first sales touch by the due time), BREACHED (later, or none and the due time passed),
-- PENDING (none yet, not due), NO_SLA.
CREATE VIEW reporting.band_transitions AS
SELECT t.id AS transition_id, t.account_id, a.domain, a.name AS account_name,
       m.name AS model_line, m.version AS model_version, t.run_id,
       t.kind, t.from_value, t.to_value, t.cause, t.entered_at, t.is_holdout,
       t.sla_hours, t.sla_due_at, ft.at AS first_touch_at, t.sla_breached_at,
       CASE WHEN t.sla_hours IS NULL THEN 'NO_SLA'
            WHEN ft.at IS NOT NULL AND ft.at <= t.sla_due_at THEN 'MET'
            WHEN ft.at IS NOT NULL OR now() > t.sla_due_at THEN 'BREACHED'
            ELSE 'PENDING' END AS sla_state,
       CASE WHEN ft.at IS NOT NULL THEN extract(epoch FROM ft.at - t.entered_at) / 3600 END::float8 AS hours_to_first_touch
  FROM band_transitions t
  JOIN accounts a ON a.id = t.account_id
  JOIN scoring_models m ON m.id = t.model_id
  LEFT JOIN LATERAL (
    SELECT min(e.occurred_at) AS at FROM engagement_events e
     WHERE e.account_id = t.account_id AND e.type = 'sales_touch' AND NOT e.is_bot AND e.occurred_at >= t.entered_at
  ) ft ON t.sla_hours IS NOT NULL;
COMMENT ON VIEW reporting.band_transitions IS 'Accounts entering a band or status, with SLA due time, first sales touch and SLA state';

-- KPI facts per account and calendar month (the window [window_start, window_end)): the band at
-- the window's start (latest snapshot at or before it of any version of the line that is ACTIVE
-- now), holdout side at the start, and what happened in the window. Sum and divide these in a BI
-- tool for rates by band; the API's bandKpis adds intervals and holdout lift. Filter by
-- window_start: each month is computed on demand.
CREATE VIEW reporting.kpi_facts AS
WITH months AS (
  SELECT generate_series(date_trunc('month', min(w.at)), date_trunc('month', now()), interval '1 month') AS window_start
    FROM (SELECT min(occurred_at) AS at FROM engagement_events
          UNION ALL SELECT min(created_at) FROM deals
          UNION ALL SELECT min(as_of) FROM account_scores) w
)
SELECT a.id AS account_id, a.domain, a.tier, a.region, a.is_target,
       line.name AS model_line,
       mo.window_start, mo.window_start + interval '1 month' AS window_end,
       b.band AS band_at_start, b.status AS status_at_start,
       (a.is_holdout AND a.holdout_assigned_at <= mo.window_start) AS is_holdout_at_start,
       coalesce(ev.meetings_held, 0) AS meetings_held,
       coalesce(ev.sales_touches, 0) AS sales_touches,
       coalesce(dc.deals_created, 0) AS deals_created,
       coalesce(dc.pipeline_created, 0)::float8 AS pipeline_created,
       coalesce(dw.deals_won, 0) AS deals_won,
       coalesce(dw.deals_lost, 0) AS deals_lost,
       coalesce(dw.won_amount, 0)::float8 AS won_amount,
       dw.median_days_to_close_won::float8 AS median_days_to_close_won
  FROM months mo
  CROSS JOIN accounts a
  JOIN scoring_models line ON line.status = 'ACTIVE'
  LEFT JOIN LATERAL (
    SELECT s.band, s.status FROM account_scores s
      JOIN scoring_runs r ON r.id = s.run_id AND r.status = 'SUCCEEDED'
     WHERE s.account_id = a.id AND s.model_id IN (SELECT v.id FROM scoring_models v WHERE v.name = line.name)
       AND s.as_of <= mo.window_start
     ORDER BY s.as_of DESC, s.run_id DESC LIMIT 1
  ) b ON true
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE e.type = 'meeting_held') AS meetings_held,
           count(*) FILTER (WHERE e.type = 'sales_touch') AS sales_touches
      FROM engagement_events e
     WHERE e.account_id = a.id AND NOT e.is_bot AND e.type IN ('meeting_held', 'sales_touch')
       AND e.occurred_at >= mo.window_start AND e.occurred_at < mo.window_start + interval '1 month'
  ) ev ON true
  LEFT JOIN LATERAL (
    SELECT count(*) AS deals_created, sum(d.amount) AS pipeline_created FROM deals d
     WHERE d.account_id = a.id AND d.created_at >= mo.window_start AND d.created_at < mo.window_start + interval '1 month'
  ) dc ON true
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE d.outcome = 'WON') AS deals_won, count(*) FILTER (WHERE d.outcome = 'LOST') AS deals_lost,
           sum(d.amount) FILTER (WHERE d.outcome = 'WON') AS won_amount,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.closed_at - d.created_at) / 86400) FILTER (WHERE d.outcome = 'WON') AS median_days_to_close_won
      FROM deals d
     WHERE d.account_id = a.id AND d.closed_at >= mo.window_start AND d.closed_at < mo.window_start + interval '1 month'
  ) dw ON true;
COMMENT ON VIEW reporting.kpi_facts IS 'Per account, model line and calendar month: band and holdout side at the start, meetings, touches, deals created, won and lost, won amount';
