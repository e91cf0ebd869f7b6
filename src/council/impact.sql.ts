import type { PoolClient } from "pg";
import type { ModelDefinition } from "../scoring/model.types";
import { scoreAccountsWhatIf } from "../scoring/what-if.service";

/** Accounts moving from one band to another (either side null: not scored there). */
export interface BandMoveCount {
  readonly from: string | null;
  readonly to: string | null;
  readonly accounts: number;
}

/** A target account whose band would change. */
export interface TargetMoveRow {
  readonly accountId: string;
  readonly domain: string;
  readonly name: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** What activating a version would do to today's scores; stored on the proposal as JSON. */
export interface ImpactData {
  readonly asOf: string;
  /** The line's ACTIVE version the "from" side comes from (null: the line has none yet). */
  readonly activeModelId: string | null;
  /** Accounts on either side. */
  readonly accounts: number;
  readonly bandMatrix: readonly BandMoveCount[];
  /** Sorted by domain. */
  readonly targetMoves: readonly TargetMoveRow[];
  readonly newlySqa: number;
  readonly noLongerSqa: number;
  readonly newlyMqa: number;
  readonly noLongerMqa: number;
  readonly slaClocksStarted: number;
}

const STATUS_RANK = (col: string) => `CASE ${col} WHEN 'DISQUALIFIED' THEN 0 WHEN 'UNQUALIFIED' THEN 1 WHEN 'NURTURE' THEN 2 WHEN 'MQA' THEN 3 WHEN 'SQA' THEN 4 END`;

/**
 * The impact preview of a version of `line` (DESIGN §9), set-based: the scoring engine scores
 * every account under `def` as of `asOf` (what-if, accounts only, under a savepoint that is
 * rolled back, so nothing is kept), and one statement compares each account with its latest
 * stored snapshot of the line's ACTIVE version (snapshots since that version's latest FULL run,
 * which covers every account; later INCREMENTAL snapshots win).
 *
 * SLA clocks count as the engine's transitions would start them: moving up into a band with an
 * SLA, and moving up into MQA or SQA (that band's SLA), band positions read in the proposed
 * bands; an account with no snapshot counts as lowest band and UNQUALIFIED.
 *
 * @example
 * // Active: a → Warm, b → Cold; proposed: a → Hot (SLA 24 h), b → Cold →
 * // bandMatrix [{ from: "Cold", to: "Cold", accounts: 1 }, { from: "Warm", to: "Hot", accounts: 1 }], slaClocksStarted ≥ 1
 */
export async function computeImpact(client: PoolClient, line: string, def: ModelDefinition, asOf: Date): Promise<ImpactData> {
  const active = await client.query<{ id: string }>("SELECT id::text FROM scoring_models WHERE name = $1 AND status = 'ACTIVE'", [line]);
  const activeId = active.rows[0]?.id ?? null;
  await client.query("SAVEPOINT council_impact");
  try {
    const whatIf = await scoreAccountsWhatIf(client, def, activeId ?? "0", asOf);
    const { rows } = await client.query<{ impact: Omit<ImpactData, "asOf" | "activeModelId"> }>(
      `WITH anchor AS (
         SELECT max(r.as_of) AS since FROM scoring_runs r WHERE r.model_id = $1 AND r.status = 'SUCCEEDED' AND r.kind = 'FULL'
       ), cur AS (
         SELECT DISTINCT ON (s.account_id) s.account_id, s.band, s.status
           FROM account_scores s CROSS JOIN anchor
          WHERE s.model_id = $1 AND s.run_id > 0 AND (anchor.since IS NULL OR s.as_of >= anchor.since)
          ORDER BY s.account_id, s.as_of DESC, s.run_id DESC
       ), nxt AS (
         SELECT s.account_id, s.band, s.status FROM account_scores s WHERE s.run_id = $2 AND s.as_of = $3
       ), j AS (
         SELECT COALESCE(n.account_id, c.account_id) AS account_id, c.band AS from_band, c.status AS from_status, n.band AS to_band, n.status AS to_status,
                (($5::int[])[array_position($4::text[], n.band)]) AS to_sla
           FROM nxt n FULL JOIN cur c ON c.account_id = n.account_id
       ), clocks AS (
         SELECT (CASE WHEN j.to_band IS DISTINCT FROM j.from_band AND j.to_sla IS NOT NULL
                       AND COALESCE(array_position($4::text[], j.to_band), 1) > COALESCE(array_position($4::text[], j.from_band), 1) THEN 1 ELSE 0 END
               + CASE WHEN j.to_status IN ('MQA', 'SQA') AND j.to_status IS DISTINCT FROM j.from_status AND j.to_sla IS NOT NULL
                       AND ${STATUS_RANK("j.to_status")} > COALESCE(${STATUS_RANK("j.from_status")}, 1) THEN 1 ELSE 0 END) AS n
           FROM j
       )
       SELECT json_build_object(
         'accounts', (SELECT count(*) FROM j),
         'bandMatrix', COALESCE((SELECT json_agg(json_build_object('from', from_band, 'to', to_band, 'accounts', n) ORDER BY from_band NULLS FIRST, to_band NULLS FIRST)
                                   FROM (SELECT from_band, to_band, count(*)::int AS n FROM j GROUP BY 1, 2) m), '[]'::json),
         'targetMoves', COALESCE((SELECT json_agg(json_build_object('accountId', a.id::text, 'domain', a.domain, 'name', a.name, 'from', j.from_band, 'to', j.to_band) ORDER BY a.domain)
                                    FROM j JOIN accounts a ON a.id = j.account_id
                                   WHERE a.is_target AND j.from_band IS DISTINCT FROM j.to_band), '[]'::json),
         'newlySqa', (SELECT count(*) FROM j WHERE to_status = 'SQA' AND from_status IS DISTINCT FROM 'SQA'),
         'noLongerSqa', (SELECT count(*) FROM j WHERE from_status = 'SQA' AND to_status IS DISTINCT FROM 'SQA'),
         'newlyMqa', (SELECT count(*) FROM j WHERE to_status = 'MQA' AND from_status IS DISTINCT FROM 'MQA'),
         'noLongerMqa', (SELECT count(*) FROM j WHERE from_status = 'MQA' AND to_status IS DISTINCT FROM 'MQA'),
         'slaClocksStarted', (SELECT COALESCE(sum(n), 0)::int FROM clocks)
       ) AS impact`,
      [activeId, whatIf.runId, asOf, def.bands.map((b) => b.name), def.bands.map((b) => b.slaHours)]);
    return { asOf: asOf.toISOString(), activeModelId: activeId, ...rows[0]!.impact };
  } finally {
    await client.query("ROLLBACK TO SAVEPOINT council_impact");
  }
}

/** One sentence of an impact preview, for summaries. */
export function impactSentence(i: ImpactData): string {
  const moved = i.bandMatrix.filter((m) => m.from !== m.to).reduce((s, m) => s + m.accounts, 0);
  return `Impact as of ${i.asOf}: ${moved} of ${i.accounts} accounts change band (${i.targetMoves.length} target accounts); SQA +${i.newlySqa} / −${i.noLongerSqa}, MQA +${i.newlyMqa} / −${i.noLongerMqa}; ${i.slaClocksStarted} SLA clocks would start.`;
}
