-- Quorum's data as PostGraphile serves it in `npm run bench:compare` (DESIGN §7).
--
-- Views and functions over Quorum's own tables — nothing is copied or precomputed — in
-- schemas of their own: `postgraphile_compare` is what PostGraphile exposes,
-- `postgraphile_compare_private` holds helpers it must not. Smart tags (COMMENT ... '@...') give the views the primary keys and
-- foreign keys PostGraphile needs for relations, and name the relation fields after Quorum's
-- (`score`, `scoreHistory`, `buyingCommittee`, `members`, `contacts`).
--
-- Every definition mirrors the Quorum code that answers the same field; where SQL cannot say
-- the same thing (the KPI report's bootstrap intervals) it says so below. Applied by
-- bench/compare.ts in one transaction; re-applying replaces both schemas.

SET LOCAL client_min_messages = warning;
DROP SCHEMA IF EXISTS postgraphile_compare CASCADE;
DROP SCHEMA IF EXISTS postgraphile_compare_private CASCADE;
CREATE SCHEMA postgraphile_compare_private;
CREATE SCHEMA postgraphile_compare;

-- The current run: the latest (by as-of, then id) successful run of the ACTIVE version of the
-- default model line (src/scoring/latest-run.ts). Zero or one row.
CREATE VIEW postgraphile_compare_private.current_run AS
SELECT r.id AS run_id, r.model_id, r.as_of, m.definition, r.band_counts
  FROM public.scoring_models m
  JOIN public.scoring_runs r ON r.model_id = m.id AND r.status = 'SUCCEEDED'
 WHERE m.name = 'default' AND m.status = 'ACTIVE'
 ORDER BY r.as_of DESC, r.id DESC
 LIMIT 1;

-- Committee settings of the current run's model, with Quorum's fallback when there is no run
-- (src/accounts/buying-committee.loader.ts). Exactly one row.
CREATE VIEW postgraphile_compare_private.committee_settings AS
SELECT COALESCE(NULLIF(ARRAY(SELECT jsonb_array_elements_text(r.definition -> 'committee' -> 'requiredRoles')), '{}'),
                ARRAY['DECISION_MAKER', 'CHAMPION', 'TECHNICAL_EVALUATOR']) AS required_roles,
       COALESCE((r.definition -> 'committee' ->> 'engagedThreshold')::float8, 10) AS engaged_threshold
  FROM (SELECT 1) AS one
  LEFT JOIN postgraphile_compare_private.current_run r ON true;

-- Current scores ---------------------------------------------------------------------------

-- One row per scored account: its snapshot in the current run. The run's id and as-of are
-- init plans, so PostgreSQL prunes account_scores to the run's one partition at execution,
-- as Quorum's literal parameters do at planning.
CREATE VIEW postgraphile_compare.account_scores AS
SELECT s.account_id, s.run_id, s.model_id, s.as_of, s.total, s.fit, s.engagement, s.intent, s.committee,
       s.band, s.grade, s.status, s.engaged_contacts
  FROM public.account_scores s
 WHERE s.run_id = (SELECT run_id FROM postgraphile_compare_private.current_run)
   AND s.as_of = (SELECT as_of FROM postgraphile_compare_private.current_run);
COMMENT ON VIEW postgraphile_compare.account_scores IS E'@primaryKey account_id\n@foreignKey (account_id) references postgraphile_compare.accounts (id)|@fieldName account|@foreignSingleFieldName score\nAn account''s current score under the default model.';
COMMENT ON COLUMN postgraphile_compare.account_scores.total IS E'@behavior +orderBy';

-- The explanation: the stored real[] lined up with the run's model's `criteria`
-- (explain() in src/scoring/score.loaders.ts).
CREATE VIEW postgraphile_compare.score_contributions AS
SELECT s.account_id, c.ord::int AS position, c.item ->> 'component' AS component, c.item ->> 'key' AS criterion,
       c.item ->> 'label' AS label, COALESCE(s.contributions[c.ord], 0) AS points
  FROM public.account_scores s
  JOIN postgraphile_compare_private.current_run r ON r.run_id = s.run_id AND r.as_of = s.as_of
  CROSS JOIN LATERAL jsonb_array_elements(r.definition -> 'criteria') WITH ORDINALITY AS c(item, ord)
 WHERE s.run_id = (SELECT run_id FROM postgraphile_compare_private.current_run)
   AND s.as_of = (SELECT as_of FROM postgraphile_compare_private.current_run);
COMMENT ON VIEW postgraphile_compare.score_contributions IS E'@primaryKey account_id,position\n@foreignKey (account_id) references postgraphile_compare.account_scores (account_id)|@fieldName score|@foreignFieldName contributions';
COMMENT ON COLUMN postgraphile_compare.score_contributions.position IS E'@behavior +orderBy';

-- Accounts ---------------------------------------------------------------------------------

-- The accounts with a current score, and that score's total beside them to order by.
--
-- Rooted at the run's snapshots rather than at `accounts`: ordering by total then walks the
-- run partition's (run_id, total, account_id) index backwards and stops after one page, and
-- totalCount counts the partition's index alone (the join to `accounts` is a LEFT JOIN on its
-- primary key, which PostgreSQL drops when no account column is read). Rooted at `accounts`,
-- every request would join and sort all 100k accounts — and PostGraphile joins single-row
-- relations such as `buyingCommittee` before the LIMIT, so each committee would be computed
-- for every account. The difference from Quorum: an account the current run did not score is
-- not listed here, where Quorum lists it last. Every account of the bench set is scored, so
-- both list the same accounts (bench:compare checks it).
CREATE VIEW postgraphile_compare.accounts AS
SELECT s.account_id AS id, a.domain, a.name, a.parent_id, a.industry, a.employees, a.annual_revenue, a.country, a.region,
       a.tier, a.is_target, a.is_holdout, a.last_engaged_at, a.created_at, s.total AS score_total
  FROM postgraphile_compare.account_scores s
  LEFT JOIN public.accounts a ON a.id = s.account_id;
COMMENT ON VIEW postgraphile_compare.accounts IS E'@primaryKey id\n@unique domain';
COMMENT ON COLUMN postgraphile_compare.accounts.score_total IS E'@behavior +orderBy\nThe current score''s total (default model), for ordering.';
COMMENT ON COLUMN postgraphile_compare.accounts.name IS E'@behavior +orderBy';

-- Score history: every snapshot of any version of the default model line.
CREATE VIEW postgraphile_compare.score_history AS
SELECT s.account_id, s.run_id, s.model_id, s.as_of, s.total, s.fit, s.engagement, s.intent, s.committee,
       s.band, s.grade, s.status, s.engaged_contacts
  FROM public.account_scores s
 WHERE s.model_id IN (SELECT m.id FROM public.scoring_models m WHERE m.name = 'default');
COMMENT ON VIEW postgraphile_compare.score_history IS E'@primaryKey run_id,account_id,as_of';

-- `Account.scoreHistory(from, to)`: snapshots with as-of in [from, to], oldest first
-- (scoreHistoryByAccount in src/scoring/score.loaders.ts).
CREATE FUNCTION postgraphile_compare.accounts_score_history(account postgraphile_compare.accounts, "from" timestamptz DEFAULT NULL, "to" timestamptz DEFAULT NULL)
RETURNS SETOF postgraphile_compare.score_history LANGUAGE sql STABLE AS $$
  SELECT h.* FROM postgraphile_compare.score_history h
   WHERE h.account_id = account.id
     AND ("from" IS NULL OR h.as_of >= "from") AND ("to" IS NULL OR h.as_of <= "to")
   ORDER BY h.as_of, h.run_id
$$;
COMMENT ON FUNCTION postgraphile_compare.accounts_score_history(postgraphile_compare.accounts, timestamptz, timestamptz) IS E'@behavior -connection +list';

-- Contacts ---------------------------------------------------------------------------------

CREATE VIEW postgraphile_compare.contacts AS
SELECT c.id, c.account_id, c.email, c.name, c.title, c.seniority, c.department, c.role, c.is_internal, c.created_at
  FROM public.contacts c;
COMMENT ON VIEW postgraphile_compare.contacts IS E'@primaryKey id\n@unique email\n@foreignKey (account_id) references postgraphile_compare.accounts (id)|@fieldName account|@foreignFieldName contacts';

-- Buying committees (src/accounts/buying-committee.loader.ts) -------------------------------

-- Members: an account's non-internal contacts with a role or engagement in the current run;
-- engagement is the contact's decayed engagement in the run's contact snapshot.
CREATE VIEW postgraphile_compare.committee_members AS
SELECT c.id AS contact_id, c.account_id, c.role, m.engagement,
       (SELECT max(e.occurred_at) FROM public.engagement_events e
         WHERE e.contact_id = c.id AND NOT e.is_bot
           AND e.occurred_at <= COALESCE((SELECT as_of FROM postgraphile_compare_private.current_run), 'infinity')) AS last_engaged_at,
       (m.engagement > 0 AND m.engagement >= (SELECT engaged_threshold FROM postgraphile_compare_private.committee_settings)) AS engaged
  FROM public.contacts c
  LEFT JOIN public.contact_scores cs
    ON cs.run_id = (SELECT run_id FROM postgraphile_compare_private.current_run)
   AND cs.as_of = (SELECT as_of FROM postgraphile_compare_private.current_run)
   AND cs.contact_id = c.id
  CROSS JOIN LATERAL (SELECT COALESCE(cs.engagement, 0)::float8 AS engagement) m
 WHERE c.account_id IS NOT NULL AND NOT c.is_internal
   AND (c.role IS NOT NULL OR m.engagement > 0);
COMMENT ON VIEW postgraphile_compare.committee_members IS E'@primaryKey contact_id\n@foreignKey (account_id) references postgraphile_compare.buying_committees (account_id)|@fieldName committee|@foreignFieldName members\n@foreignKey (contact_id) references postgraphile_compare.contacts (id)|@fieldName contact|@foreignSingleFieldName committeeMembership';
COMMENT ON COLUMN postgraphile_compare.committee_members.engagement IS E'@behavior +orderBy';

-- One committee per account: coverage of the required roles by engaged members, in the
-- model's order of required roles. PostGraphile joins this single-row relation into the page's
-- statement before its LIMIT; it is computed for the page's accounts only because the account
-- list is read in index order (a nested loop that stops after the page, see `accounts`).
CREATE VIEW postgraphile_compare.buying_committees AS
SELECT a.id AS account_id,
       CASE WHEN cardinality(k.required_roles) = 0 THEN 1::float8
            ELSE (cardinality(k.required_roles) - cardinality(y.missing))::float8 / cardinality(k.required_roles) END AS coverage,
       x.engaged_contacts,
       y.missing AS missing_required_roles
  FROM public.accounts a
  CROSS JOIN postgraphile_compare_private.committee_settings k
  CROSS JOIN LATERAL (
    SELECT (count(*) FILTER (WHERE m.engaged))::int AS engaged_contacts,
           COALESCE(array_agg(DISTINCT m.role) FILTER (WHERE m.engaged AND m.role IS NOT NULL), '{}') AS engaged_roles
      FROM postgraphile_compare.committee_members m
     WHERE m.account_id = a.id) x
  CROSS JOIN LATERAL (
    SELECT ARRAY(SELECT q.role FROM unnest(k.required_roles) WITH ORDINALITY AS q(role, ord)
                  WHERE q.role <> ALL (x.engaged_roles) ORDER BY q.ord) AS missing) y;
COMMENT ON VIEW postgraphile_compare.buying_committees IS E'@primaryKey account_id\n@foreignKey (account_id) references postgraphile_compare.accounts (id)|@fieldName account|@foreignSingleFieldName buyingCommittee';

-- Band distribution (ScoringService.distribution) ------------------------------------------

-- Accounts per band of the current run, from the counts the run stored when it committed,
-- laid over the model's bands (empty bands included). `position` is the model's band order,
-- lowest first; Quorum lists highest first (order by POSITION_DESC).
CREATE VIEW postgraphile_compare.band_distribution AS
SELECT b.ord::int AS position, b.item ->> 'name' AS band,
       (b.item ->> 'minScore')::float8 AS min_score,
       COALESCE((r.definition -> 'bands' -> b.ord::int ->> 'minScore')::float8, 100) AS max_score,
       (b.item ->> 'slaHours')::int AS sla_hours, b.item ->> 'play' AS play,
       COALESCE(c.count, 0) AS count,
       CASE WHEN t.total > 0 THEN COALESCE(c.count, 0)::float8 / t.total ELSE 0 END AS share,
       c.average_total, COALESCE(c.holdout_count, 0) AS holdout_count
  FROM postgraphile_compare_private.current_run r
  CROSS JOIN LATERAL jsonb_array_elements(r.definition -> 'bands') WITH ORDINALITY AS b(item, ord)
  CROSS JOIN LATERAL (SELECT COALESCE(sum((x ->> 'count')::int), 0)::int AS total
                        FROM jsonb_array_elements(COALESCE(r.band_counts, '[]')) x) t
  LEFT JOIN LATERAL (SELECT (x ->> 'count')::int AS count, (x ->> 'averageTotal')::float8 AS average_total,
                            (x ->> 'holdoutCount')::int AS holdout_count
                       FROM jsonb_array_elements(COALESCE(r.band_counts, '[]')) x
                      WHERE x ->> 'band' = b.item ->> 'name'
                      LIMIT 1) c ON true;
COMMENT ON VIEW postgraphile_compare.band_distribution IS E'@primaryKey position';
COMMENT ON COLUMN postgraphile_compare.band_distribution.position IS E'@behavior +orderBy';

-- KPI report by band (BandKpiService, src/kpis/band-kpi.sql.ts) -----------------------------
--
-- The same accounts, band at `from`, facts in [from, to) and grouping as Quorum's report
-- statement, with the statistics SQL can state in closed form: rates with Wilson intervals,
-- mean ACV with a normal interval, the median velocity, treated ÷ holdout lifts as point
-- estimates, and the AUC of the score at `from`. What it leaves out: the bootstrap intervals
-- of the ACV and velocity lifts, the Koopman intervals and p-values of the rate lifts, the
-- median's order-statistic interval, scoring accounts as of `from` when they have no snapshot
-- (they are UNSCORED here), the distribution over time, and the warnings.

CREATE TYPE postgraphile_compare.kpi_estimate AS (value float8, low float8, high float8);
CREATE TYPE postgraphile_compare.kpi_side AS (
  accounts int, accounts_with_meeting int, closed_deals int, won_deals int,
  meeting_rate postgraphile_compare.kpi_estimate, win_rate postgraphile_compare.kpi_estimate,
  average_acv postgraphile_compare.kpi_estimate, median_velocity_days postgraphile_compare.kpi_estimate);
CREATE TYPE postgraphile_compare.kpi_lift AS (meeting_rate float8, win_rate float8, average_acv float8, median_velocity_days float8);
CREATE TYPE postgraphile_compare.band_kpi_group AS (band text, treated postgraphile_compare.kpi_side, holdout postgraphile_compare.kpi_side, lift postgraphile_compare.kpi_lift);
CREATE TYPE postgraphile_compare.band_kpi_report AS (
  model_version int, accounts int, treated_accounts int, holdout_accounts int,
  overall postgraphile_compare.band_kpi_group, groups postgraphile_compare.band_kpi_group[], auc float8);

-- The Wilson score interval at 95% (wilsonInterval in src/kpis/stats/proportions.ts).
CREATE FUNCTION postgraphile_compare_private.wilson(x int, n int) RETURNS postgraphile_compare.kpi_estimate
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN n = 0 THEN ROW(NULL, NULL, NULL)::postgraphile_compare.kpi_estimate ELSE
    ROW(x::float8 / n,
        CASE WHEN x = 0 THEN 0 ELSE greatest(0, (x + z2 / 2) / (n + z2) - (z / (n + z2)) * sqrt(x::float8 * (n - x) / n + z2 / 4)) END,
        CASE WHEN x = n THEN 1 ELSE least(1, (x + z2 / 2) / (n + z2) + (z / (n + z2)) * sqrt(x::float8 * (n - x) / n + z2 / 4)) END
    )::postgraphile_compare.kpi_estimate END
    FROM (SELECT 1.959963984540054::float8 AS z, 1.959963984540054::float8 ^ 2 AS z2) c
$$;

-- A mean with its 95% normal interval, floored at 0 (meanInterval in src/kpis/stats/one-sample.ts).
CREATE FUNCTION postgraphile_compare_private.mean_estimate(n int, mean float8, sd float8) RETURNS postgraphile_compare.kpi_estimate
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN n = 0 THEN ROW(NULL, NULL, NULL)::postgraphile_compare.kpi_estimate
              WHEN n = 1 THEN ROW(mean, NULL, NULL)::postgraphile_compare.kpi_estimate
              ELSE ROW(mean, greatest(0, mean - 1.959963984540054 * sd / sqrt(n)), mean + 1.959963984540054 * sd / sqrt(n))::postgraphile_compare.kpi_estimate END
$$;

CREATE FUNCTION postgraphile_compare_private.kpi_side(accounts int, met int, closed int, won int, acv_n int, acv_mean float8, acv_sd float8, median_days float8)
RETURNS postgraphile_compare.kpi_side LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(COALESCE(accounts, 0), COALESCE(met, 0), COALESCE(closed, 0), COALESCE(won, 0),
             postgraphile_compare_private.wilson(COALESCE(met, 0), COALESCE(accounts, 0)),
             postgraphile_compare_private.wilson(COALESCE(won, 0), COALESCE(closed, 0)),
             postgraphile_compare_private.mean_estimate(COALESCE(acv_n, 0), acv_mean, COALESCE(acv_sd, 0)),
             ROW(median_days, NULL, NULL)::postgraphile_compare.kpi_estimate)::postgraphile_compare.kpi_side
$$;

CREATE FUNCTION postgraphile_compare_private.ratio(t float8, h float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN h IS NULL OR h = 0 OR t IS NULL THEN NULL ELSE t / h END $$;

-- `bandKpis(from, to)`: target accounts, treated (not held out) against holdout, by their
-- band at `from` under the default model line.
CREATE FUNCTION postgraphile_compare.band_kpis("from" timestamptz, "to" timestamptz) RETURNS postgraphile_compare.band_kpi_report
LANGUAGE sql STABLE
SET work_mem = '32MB'
AS $$
WITH version AS (
  -- BandKpiService's chooseVersion: the ACTIVE version when it has a run at or before from,
  -- else the version with the latest such run, else the ACTIVE (or newest) version.
  SELECT m.id, m.version, m.definition, run.id AS run_id, run.as_of AS run_as_of
    FROM public.scoring_models m
    LEFT JOIN LATERAL (
      SELECT r.id, r.as_of FROM public.scoring_runs r
       WHERE r.model_id = m.id AND r.status = 'SUCCEEDED' AND r.as_of <= "from"
       ORDER BY r.as_of DESC, r.id DESC LIMIT 1) run ON true
   WHERE m.name = 'default'
   ORDER BY (m.status = 'ACTIVE' AND run.id IS NOT NULL) DESC, run.as_of DESC NULLS LAST, run.id DESC NULLS LAST,
            (m.status = 'ACTIVE') DESC, m.version DESC
   LIMIT 1
), acc AS (
  SELECT a.id, a.is_holdout AS holdout,
         COALESCE(s0.band, fb.band, 'UNSCORED') AS band,
         COALESCE(s0.total::float8, fb.total) AS total
    FROM public.accounts a
    CROSS JOIN version v
    LEFT JOIN public.account_scores s0
      ON s0.run_id = (SELECT run_id FROM version) AND s0.as_of = (SELECT run_as_of FROM version) AND s0.account_id = a.id
    -- Only for accounts missing from the run: their latest snapshot of the version at or before from.
    LEFT JOIN LATERAL (
      SELECT s.band, s.total::float8 AS total
        FROM public.account_scores s
        JOIN public.scoring_runs r ON r.id = s.run_id AND r.status = 'SUCCEEDED'
       WHERE s0.account_id IS NULL AND s.account_id = a.id AND s.model_id = v.id AND s.as_of <= "from"
       ORDER BY s.as_of DESC, s.run_id DESC
       LIMIT 1) fb ON true
   WHERE a.is_target
), meet AS (
  SELECT DISTINCT e.account_id
    FROM public.engagement_events e
   WHERE e.type = 'meeting_held' AND NOT e.is_bot AND e.account_id IS NOT NULL
     AND e.occurred_at >= "from" AND e.occurred_at < "to"
), dl AS MATERIALIZED (
  SELECT d.account_id,
         d.created_at >= "from" AND d.created_at < "to" AS created_in,
         d.outcome <> 'OPEN' AND d.closed_at >= "from" AND d.closed_at < "to" AS closed_in,
         d.outcome = 'WON' AS won, d.amount::float8 AS amount,
         extract(epoch FROM d.closed_at - d.created_at)::float8 / 86400 AS days
    FROM public.deals d
   WHERE d.account_id IS NOT NULL
     AND ((d.created_at >= "from" AND d.created_at < "to") OR (d.closed_at >= "from" AND d.closed_at < "to"))
), per AS (
  SELECT account_id, (count(*) FILTER (WHERE closed_in))::int AS closed, (count(*) FILTER (WHERE closed_in AND won))::int AS won
    FROM dl GROUP BY account_id
), fact AS MATERIALIZED (
  SELECT acc.*, m.account_id IS NOT NULL AS met, COALESCE(p.closed, 0) AS closed, COALESCE(p.won, 0) AS won
    FROM acc
    LEFT JOIN meet m ON m.account_id = acc.id
    LEFT JOIN per p ON p.account_id = acc.id
), grp AS (
  SELECT GROUPING(f.band) AS gb, f.band, f.holdout,
         count(*)::int AS accounts, (count(*) FILTER (WHERE f.met))::int AS met,
         sum(f.closed)::int AS closed, sum(f.won)::int AS won
    FROM fact f
   GROUP BY GROUPING SETS ((f.holdout), (f.band, f.holdout))
), vals AS (
  SELECT GROUPING(f.band) AS gb, f.band, f.holdout,
         count(*)::int AS acv_n, avg(c.amount) AS acv_mean, stddev_samp(c.amount) AS acv_sd,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY c.days) AS median_days
    FROM dl c
    JOIN fact f ON f.id = c.account_id
   WHERE c.closed_in AND c.won
   GROUP BY GROUPING SETS ((f.holdout), (f.band, f.holdout))
), sides AS (
  SELECT g.gb, g.band, g.holdout,
         postgraphile_compare_private.kpi_side(g.accounts, g.met, g.closed, g.won, v.acv_n, v.acv_mean, v.acv_sd, v.median_days) AS side
    FROM grp g
    LEFT JOIN vals v ON v.gb = g.gb AND v.band IS NOT DISTINCT FROM g.band AND v.holdout = g.holdout
), bands AS (
  -- Report order: the model's bands lowest first (empty ones included), then any other band
  -- seen, UNSCORED last (bandOrder in src/kpis/band-kpi.report.ts).
  SELECT name, row_number() OVER (ORDER BY model_order, name = 'UNSCORED', name) AS ord
    FROM (
      SELECT b ->> 'name' AS name, min(COALESCE((b ->> 'minScore')::float8, 0)) AS model_order
        FROM version v, jsonb_array_elements(COALESCE(v.definition -> 'bands', '[]')) b GROUP BY 1
      UNION
      SELECT s.band, 'Infinity'::float8 FROM sides s
       WHERE s.gb = 0 AND s.band NOT IN (SELECT b ->> 'name' FROM version v, jsonb_array_elements(COALESCE(v.definition -> 'bands', '[]')) b)
    ) x
), grouped AS (
  SELECT b.ord, b.name AS band,
         COALESCE(t.side, postgraphile_compare_private.kpi_side(0, 0, 0, 0, 0, NULL, NULL, NULL)) AS treated,
         COALESCE(h.side, postgraphile_compare_private.kpi_side(0, 0, 0, 0, 0, NULL, NULL, NULL)) AS holdout
    FROM (SELECT 0::bigint AS ord, NULL::text AS name, 1 AS gb UNION ALL SELECT ord, name, 0 FROM bands) b
    LEFT JOIN sides t ON t.gb = b.gb AND t.band IS NOT DISTINCT FROM b.name AND NOT t.holdout
    LEFT JOIN sides h ON h.gb = b.gb AND h.band IS NOT DISTINCT FROM b.name AND h.holdout
), report_groups AS (
  SELECT g.ord, ROW(COALESCE(g.band, 'ALL'), g.treated, g.holdout,
             ROW(postgraphile_compare_private.ratio(((g.treated).meeting_rate).value, ((g.holdout).meeting_rate).value),
                 postgraphile_compare_private.ratio(((g.treated).win_rate).value, ((g.holdout).win_rate).value),
                 postgraphile_compare_private.ratio(((g.treated).average_acv).value, ((g.holdout).average_acv).value),
                 postgraphile_compare_private.ratio(((g.treated).median_velocity_days).value, ((g.holdout).median_velocity_days).value))::postgraphile_compare.kpi_lift
         )::postgraphile_compare.band_kpi_group AS grp
    FROM grouped g
), ranked AS (
  SELECT f.won > 0 AS pos, rank() OVER (ORDER BY f.total) + (count(*) OVER (PARTITION BY f.total) - 1) / 2.0 AS r
    FROM fact f
   WHERE f.total IS NOT NULL
), auc AS (
  SELECT count(*) FILTER (WHERE pos) AS p, count(*) FILTER (WHERE NOT pos) AS n, COALESCE(sum(r) FILTER (WHERE pos), 0)::float8 AS rank_sum
    FROM ranked
)
SELECT ROW(
  (SELECT version FROM version),
  (SELECT (((o.grp).treated).accounts + ((o.grp).holdout).accounts) FROM report_groups o WHERE o.ord = 0),
  (SELECT ((o.grp).treated).accounts FROM report_groups o WHERE o.ord = 0),
  (SELECT ((o.grp).holdout).accounts FROM report_groups o WHERE o.ord = 0),
  (SELECT o.grp FROM report_groups o WHERE o.ord = 0),
  ARRAY(SELECT g.grp FROM report_groups g WHERE g.ord > 0 ORDER BY g.ord),
  (SELECT CASE WHEN p = 0 OR n = 0 THEN NULL ELSE (rank_sum - p * (p + 1) / 2.0) / (p * n) END FROM auc)
)::postgraphile_compare.band_kpi_report
$$;
COMMENT ON FUNCTION postgraphile_compare.band_kpis(timestamptz, timestamptz) IS E'KPIs by band at `from`, treated against holdout, over [from, to): point estimates, Wilson and normal intervals; no bootstrap.';
