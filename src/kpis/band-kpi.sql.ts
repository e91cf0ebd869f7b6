/**
 * The set-based SQL of a band KPI report. All aggregation happens in PostgreSQL in one
 * statement; only the per-group won-deal amounts and velocities (what the bootstrap needs)
 * travel to Node.
 */

/** Where each account's band at `from` comes from, beyond the per-account fallback lookup. */
export interface BandSource {
  /** Id of the version's latest run at or before from: most accounts' snapshot (one index probe each). */
  readonly runId: string | null;
  /** Scores computed as of from inside this transaction, for accounts with no snapshot. */
  readonly scoredNowRunId: string | null;
}

/** One (band, tier, side) group's counts, and its won deals' amounts and velocities. */
export interface GroupRow {
  readonly level: "overall" | "band" | "tier";
  readonly band: string | null;
  readonly tier: string | null;
  readonly holdout: boolean;
  readonly accounts: number;
  readonly met: number;
  readonly withOpp: number;
  readonly opps: number;
  readonly pipeline: number;
  /** Sample sd of pipeline created per account (zeros included); null with one account. */
  readonly pipelineSd: number | null;
  readonly closed: number;
  readonly won: number;
  readonly accountsWon: number;
  readonly late: number;
  readonly scoredNow: number;
  /** Amounts of won deals closed in the window, ascending (null when none). */
  readonly acv: number[] | null;
  /** Days from creation to close of those deals, ascending. */
  readonly days: number[] | null;
}

export interface AucRow {
  readonly positives: number;
  readonly negatives: number;
  /** Sum of the positives' ranks of total (ascending, ties given their average rank). */
  readonly rankSum: number;
}

/**
 * Parameters: $1 from, $2 to, $3 model version id, then the run's id (when `source.runId`),
 * then the scored-now run id (when `source.scoredNowRunId`).
 *
 * Facts per target account, in [from, to):
 * - meeting: any `meeting_held` event (bot-flagged ones excluded);
 * - opportunities and pipeline: deals created in the window, their count and amount;
 * - closed / won: deals closed in the window (WON or LOST), whenever created;
 * - ACV and velocity: amount and days created → closed of the won ones.
 * Band at from: the snapshot in the version's latest run at or before from; else the
 * account's latest snapshot of the version at or before from (succeeded runs); else its score
 * as of from computed for this report; else UNSCORED.
 */
export function bandKpiStatement(source: BandSource, byTier: boolean): { sql: string; params: (from: Date, to: Date, modelId: string) => unknown[] } {
  let n = 3;
  const runParams = source.runId ? [source.runId] : [];
  // The as-of comes from the run row itself (an init plan): exact to the microsecond, and it
  // still lets PostgreSQL prune account_scores to one partition.
  const runJoin = source.runId
    ? `LEFT JOIN account_scores s0 ON s0.run_id = $${++n} AND s0.as_of = (SELECT as_of FROM scoring_runs WHERE id = $${n}) AND s0.account_id = a.id`
    : "LEFT JOIN (SELECT NULL::bigint AS account_id, NULL::text AS band, NULL::real AS total) s0 ON false";
  const nowJoin = source.scoredNowRunId
    ? `LEFT JOIN account_scores s2 ON s2.run_id = $${++n} AND s2.as_of = $1 AND s2.account_id = a.id`
    : "LEFT JOIN (SELECT NULL::text AS band, NULL::real AS total) s2 ON false";
  const nowParams = source.scoredNowRunId ? [source.scoredNowRunId] : [];

  const sets = byTier ? "(f.holdout), (f.band, f.holdout), (f.band, f.tier, f.holdout)" : "(f.holdout), (f.band, f.holdout)";
  const keys = (t: string) => byTier
    ? `GROUPING(${t}.band) AS gb, GROUPING(${t}.tier) AS gt, ${t}.band, ${t}.tier, ${t}.holdout`
    : `GROUPING(${t}.band) AS gb, 1 AS gt, ${t}.band, NULL::text AS tier, ${t}.holdout`;

  const sql = `
WITH acc AS (
  SELECT id, tier, holdout, late,
         COALESCE(band0, fallback[1], band2, 'UNSCORED') AS band,
         COALESCE(total0, fallback[2]::float8, total2) AS total,
         (band0 IS NULL AND fallback IS NULL AND band2 IS NOT NULL) AS scored_now
    FROM (
      SELECT a.id, COALESCE(a.tier, 'UNTIERED') AS tier, a.is_holdout AS holdout,
             (a.is_holdout AND a.holdout_assigned_at > $1) AS late,
             s0.band AS band0, s0.total::float8 AS total0, s2.band AS band2, s2.total::float8 AS total2,
             -- Only for accounts missing from the run (a sub-plan, not run for the others).
             CASE WHEN s0.account_id IS NULL THEN (
               SELECT ARRAY[s.band, s.total::float8::text]
                 FROM account_scores s
                 JOIN scoring_runs r ON r.id = s.run_id AND r.status = 'SUCCEEDED'
                WHERE s.account_id = a.id AND s.model_id = $3 AND s.as_of <= $1
                ORDER BY s.as_of DESC, s.run_id DESC
                LIMIT 1) END AS fallback
        FROM accounts a
        ${runJoin}
        ${nowJoin}
       WHERE a.is_target
      OFFSET 0) x
), meet AS (
  SELECT DISTINCT e.account_id
    FROM engagement_events e
   WHERE e.type = 'meeting_held' AND NOT e.is_bot AND e.account_id IS NOT NULL
     AND e.occurred_at >= $1 AND e.occurred_at < $2
), dl AS MATERIALIZED (
  -- One pass over the deals created or closed in the window.
  SELECT d.account_id,
         d.created_at >= $1 AND d.created_at < $2 AS created_in,
         d.outcome <> 'OPEN' AND d.closed_at >= $1 AND d.closed_at < $2 AS closed_in,
         d.outcome = 'WON' AS won, d.amount::float8 AS amount,
         extract(epoch FROM d.closed_at - d.created_at)::float8 / 86400 AS days
    FROM deals d
   WHERE d.account_id IS NOT NULL
     AND ((d.created_at >= $1 AND d.created_at < $2) OR (d.closed_at >= $1 AND d.closed_at < $2))
), per AS (
  SELECT account_id,
         (count(*) FILTER (WHERE created_in))::int AS opps, COALESCE(sum(amount) FILTER (WHERE created_in), 0)::float8 AS pipeline,
         (count(*) FILTER (WHERE closed_in))::int AS closed, (count(*) FILTER (WHERE closed_in AND won))::int AS won
    FROM dl GROUP BY account_id
), fact AS MATERIALIZED (
  SELECT acc.*, m.account_id IS NOT NULL AS met, COALESCE(p.opps, 0) AS opps, COALESCE(p.pipeline, 0)::float8 AS pipeline,
         COALESCE(p.closed, 0) AS closed, COALESCE(p.won, 0) AS won
    FROM acc
    LEFT JOIN meet m ON m.account_id = acc.id
    LEFT JOIN per p ON p.account_id = acc.id
), grp AS (
  SELECT ${keys("f")},
         count(*)::int AS accounts, (count(*) FILTER (WHERE f.met))::int AS met, (count(*) FILTER (WHERE f.opps > 0))::int AS with_opp,
         sum(f.opps)::int AS opps, sum(f.pipeline)::float8 AS pipeline, stddev_samp(f.pipeline)::float8 AS pipeline_sd,
         sum(f.closed)::int AS closed, sum(f.won)::int AS won, (count(*) FILTER (WHERE f.won > 0))::int AS accounts_won,
         (count(*) FILTER (WHERE f.late))::int AS late, (count(*) FILTER (WHERE f.scored_now))::int AS scored_now
    FROM fact f
   GROUP BY GROUPING SETS (${sets})
), vals AS (
  SELECT ${keys("f")},
         array_agg(c.amount ORDER BY c.amount) AS acv, array_agg(c.days ORDER BY c.days) AS days
    FROM dl c
    JOIN fact f ON f.id = c.account_id
   WHERE c.closed_in AND c.won
   GROUP BY GROUPING SETS (${sets})
), ranked AS (
  SELECT f.won > 0 AS pos,
         rank() OVER (ORDER BY f.total) + (count(*) OVER (PARTITION BY f.total) - 1) / 2.0 AS r
    FROM fact f
   WHERE f.total IS NOT NULL
)
SELECT
  COALESCE((
    SELECT json_agg(json_build_object(
             'level', CASE WHEN g.gb = 1 THEN 'overall' WHEN g.gt = 1 THEN 'band' ELSE 'tier' END,
             'band', g.band, 'tier', g.tier, 'holdout', g.holdout, 'accounts', g.accounts, 'met', g.met, 'withOpp', g.with_opp,
             'opps', g.opps, 'pipeline', g.pipeline, 'pipelineSd', g.pipeline_sd, 'closed', g.closed, 'won', g.won,
             'accountsWon', g.accounts_won, 'late', g.late, 'scoredNow', g.scored_now, 'acv', v.acv, 'days', v.days))
      FROM grp g
      LEFT JOIN vals v ON v.gb = g.gb AND v.gt = g.gt AND v.band IS NOT DISTINCT FROM g.band
                      AND v.tier IS NOT DISTINCT FROM g.tier AND v.holdout = g.holdout
  ), '[]'::json) AS groups,
  (SELECT json_build_object('positives', count(*) FILTER (WHERE pos), 'negatives', count(*) FILTER (WHERE NOT pos),
                            'rankSum', COALESCE(sum(r) FILTER (WHERE pos), 0)::float8)
     FROM ranked) AS auc`;
  return { sql, params: (from, to, modelId) => [from, to, modelId, ...runParams, ...nowParams] };
}
