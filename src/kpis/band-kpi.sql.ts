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

/** One (band, tier, side) group's counts, and the per-account and per-deal values the resampling needs. */
export interface GroupRow {
  readonly level: "overall" | "band" | "tier";
  readonly band: string | null;
  readonly tier: string | null;
  readonly holdout: boolean;
  readonly accounts: number;
  readonly met: number;
  /** meeting_held events (not bot-flagged) in the window. */
  readonly meetings: number;
  /** Sample sd of meetings per account (zeros included); null with one account. */
  readonly meetingsSd: number | null;
  readonly withOpp: number;
  readonly opps: number;
  readonly pipeline: number;
  /** Sample sd of pipeline created per account (zeros included); null with one account. */
  readonly pipelineSd: number | null;
  readonly closed: number;
  readonly won: number;
  readonly accountsWon: number;
  /** Accounts that entered or left the holdout inside the window (they count on their side at from). */
  readonly moved: number;
  readonly scoredNow: number;
  /** Customers at from (a WON deal closed before from), and of them those with a WON deal closed in the window. */
  readonly customers: number;
  readonly expanded: number;
  /** Non-internal contacts of the accounts, and of them those that first reached SQL in the window. */
  readonly contacts: number;
  readonly sqlReached: number;
  /** Accounts with a recorded entry into their band at or before from, and of them those touched before to. */
  readonly withEntry: number;
  readonly touched: number;
  /** Hours from entry to first sales touch of the touched accounts (any order). */
  readonly hours: number[] | null;
  /** Accounts with a deal closed in the window (the clusters the bootstrap resamples): id, closed and won deals, aligned, in any order. */
  readonly clusterAccount: string[] | null;
  readonly clusterClosed: number[] | null;
  readonly clusterWon: number[] | null;
  /** The won deals closed in the window, by days then account then amount: days, amount and account id. */
  readonly dealDays: number[] | null;
  readonly dealAmount: number[] | null;
  readonly dealAccount: string[] | null;
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
 * Side: an account is holdout when a stay in `holdout_memberships` covers `from`
 * (entered at or before it, not left at or before it), else treated; an account that entered
 * or left inside (from, to) keeps that side and is counted as `moved`.
 *
 * Facts per target account, in [from, to):
 * - meetings: `meeting_held` events (bot-flagged ones excluded), and whether there was one;
 * - opportunities and pipeline: deals created in the window, their count and amount;
 * - closed / won: deals closed in the window (WON or LOST), whenever created;
 * - won amount and velocity: amount and days created → closed of the won ones;
 * - expansion: a customer at from (WON deal closed before from) with a WON deal closed in the window;
 * - first touch: hours from the account's latest entry into its band at from (a BAND transition
 *   of this version at or before from) to its first `sales_touch` at or after the entry and before to;
 * - SQL: its non-internal contacts, and those whose first SQL snapshot (any version of the
 *   line, successful runs) is in the window.
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
  const sameGroup = (v: string) => `${v}.gb = g.gb AND ${v}.gt = g.gt AND ${v}.band IS NOT DISTINCT FROM g.band AND ${v}.tier IS NOT DISTINCT FROM g.tier AND ${v}.holdout = g.holdout`;

  const sql = `
WITH acc AS MATERIALIZED (
  SELECT id, tier, holdout, moved, contacts,
         COALESCE(band0, fallback[1], band2, 'UNSCORED') AS band,
         COALESCE(total0, fallback[2]::float8, total2) AS total,
         (band0 IS NULL AND fallback IS NULL AND band2 IS NOT NULL) AS scored_now
    FROM (
      SELECT a.id, COALESCE(a.tier, 'UNTIERED') AS tier, COALESCE(hm.held, false) AS holdout, COALESCE(hm.moved, false) AS moved,
             -- Non-internal contacts, counted from a partial index.
             (SELECT count(*)::int FROM contacts c WHERE c.account_id = a.id AND NOT c.is_internal) AS contacts,
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
        -- Side at from and movement in the window, from the holdout history.
        LEFT JOIN (
          SELECT m.account_id,
                 bool_or(m.entered_at <= $1 AND (m.exited_at IS NULL OR m.exited_at > $1)) AS held,
                 bool_or((m.entered_at > $1 AND m.entered_at < $2) OR (m.exited_at > $1 AND m.exited_at < $2)) AS moved
            FROM holdout_memberships m
           WHERE m.entered_at < $2
           GROUP BY m.account_id) hm ON hm.account_id = a.id
        ${runJoin}
        ${nowJoin}
       WHERE a.is_target
      OFFSET 0) x
), meet AS (
  SELECT e.account_id, count(*)::int AS meetings
    FROM engagement_events e
   WHERE e.type = 'meeting_held' AND NOT e.is_bot AND e.account_id IS NOT NULL
     AND e.occurred_at >= $1 AND e.occurred_at < $2
   GROUP BY e.account_id
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
), cust AS (
  SELECT DISTINCT d.account_id FROM deals d
   WHERE d.outcome = 'WON' AND d.closed_at < $1 AND d.account_id IS NOT NULL
), entry AS (
  SELECT DISTINCT ON (t.account_id) t.account_id, t.entered_at
    FROM band_transitions t
    JOIN acc ON acc.id = t.account_id AND acc.band = t.to_value
   WHERE t.kind = 'BAND' AND t.model_id = $3 AND t.entered_at <= $1
   ORDER BY t.account_id, t.entered_at DESC, t.id DESC
), touch AS (
  SELECT en.account_id, en.entered_at,
         (SELECT min(e.occurred_at) FROM engagement_events e
           WHERE e.account_id = en.account_id AND e.type = 'sales_touch' AND NOT e.is_bot
             AND e.occurred_at >= en.entered_at AND e.occurred_at < $2) AS first_touch
    FROM entry en
), sqlc AS (
  SELECT c.account_id, count(*)::int AS reached
    FROM (SELECT cs.contact_id
            FROM contact_scores cs
            JOIN scoring_runs r ON r.id = cs.run_id AND r.status = 'SUCCEEDED'
           WHERE cs.status = 'SQL' AND cs.as_of < $2
             AND cs.model_id IN (SELECT id FROM scoring_models WHERE name = (SELECT name FROM scoring_models WHERE id = $3))
           GROUP BY cs.contact_id
          HAVING min(cs.as_of) >= $1) f
    JOIN contacts c ON c.id = f.contact_id AND NOT c.is_internal
   GROUP BY c.account_id
), fact AS MATERIALIZED (
  SELECT acc.*, COALESCE(m.meetings, 0) AS meetings, COALESCE(p.opps, 0) AS opps, COALESCE(p.pipeline, 0)::float8 AS pipeline,
         COALESCE(p.closed, 0) AS closed, COALESCE(p.won, 0) AS won,
         cu.account_id IS NOT NULL AS customer, COALESCE(sq.reached, 0) AS sql_reached,
         tc.account_id IS NOT NULL AS with_entry,
         extract(epoch FROM tc.first_touch - tc.entered_at)::float8 / 3600 AS hours
    FROM acc
    LEFT JOIN meet m ON m.account_id = acc.id
    LEFT JOIN per p ON p.account_id = acc.id
    LEFT JOIN cust cu ON cu.account_id = acc.id
    LEFT JOIN sqlc sq ON sq.account_id = acc.id
    LEFT JOIN touch tc ON tc.account_id = acc.id
), grp AS (
  SELECT ${keys("f")},
         count(*)::int AS accounts, (count(*) FILTER (WHERE f.meetings > 0))::int AS met,
         sum(f.meetings)::int AS meetings, stddev_samp(f.meetings)::float8 AS meetings_sd,
         (count(*) FILTER (WHERE f.opps > 0))::int AS with_opp,
         sum(f.opps)::int AS opps, sum(f.pipeline)::float8 AS pipeline, stddev_samp(f.pipeline)::float8 AS pipeline_sd,
         sum(f.closed)::int AS closed, sum(f.won)::int AS won, (count(*) FILTER (WHERE f.won > 0))::int AS accounts_won,
         (count(*) FILTER (WHERE f.moved))::int AS moved, (count(*) FILTER (WHERE f.scored_now))::int AS scored_now,
         (count(*) FILTER (WHERE f.customer))::int AS customers, (count(*) FILTER (WHERE f.customer AND f.won > 0))::int AS expanded,
         sum(f.contacts)::int AS contacts, sum(f.sql_reached)::int AS sql_reached,
         (count(*) FILTER (WHERE f.with_entry))::int AS with_entry, (count(*) FILTER (WHERE f.hours IS NOT NULL))::int AS touched,
         -- In no particular order (sorting each aggregate costs more than sorting in Node): see clusterSample.
         array_agg(f.hours) FILTER (WHERE f.hours IS NOT NULL) AS hours,
         array_agg(f.id::text) FILTER (WHERE f.closed > 0) AS cl_account,
         array_agg(f.closed) FILTER (WHERE f.closed > 0) AS cl_closed,
         array_agg(f.won) FILTER (WHERE f.closed > 0) AS cl_won
    FROM fact f
   GROUP BY GROUPING SETS (${sets})
), vals AS (
  SELECT ${keys("f")},
         array_agg(c.days ORDER BY c.days, c.account_id, c.amount) AS days,
         array_agg(c.amount ORDER BY c.days, c.account_id, c.amount) AS amount,
         array_agg(c.account_id::text ORDER BY c.days, c.account_id, c.amount) AS account
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
             'band', g.band, 'tier', g.tier, 'holdout', g.holdout, 'accounts', g.accounts, 'met', g.met,
             'meetings', g.meetings, 'meetingsSd', g.meetings_sd, 'withOpp', g.with_opp,
             'opps', g.opps, 'pipeline', g.pipeline, 'pipelineSd', g.pipeline_sd, 'closed', g.closed, 'won', g.won,
             'accountsWon', g.accounts_won, 'moved', g.moved, 'scoredNow', g.scored_now,
             'customers', g.customers, 'expanded', g.expanded, 'contacts', g.contacts, 'sqlReached', g.sql_reached,
             'withEntry', g.with_entry, 'touched', g.touched, 'hours', g.hours,
             'clusterAccount', g.cl_account, 'clusterClosed', g.cl_closed, 'clusterWon', g.cl_won,
             'dealDays', v.days, 'dealAmount', v.amount, 'dealAccount', v.account))
      FROM grp g
      LEFT JOIN vals v ON ${sameGroup("v")}
  ), '[]'::json) AS groups,
  (SELECT json_build_object('positives', count(*) FILTER (WHERE pos), 'negatives', count(*) FILTER (WHERE NOT pos),
                            'rankSum', COALESCE(sum(r) FILTER (WHERE pos), 0)::float8)
     FROM ranked) AS auc`;
  return { sql, params: (from, to, modelId) => [from, to, modelId, ...runParams, ...nowParams] };
}
