import type { PoolClient } from "pg";
import type { Database } from "../platform/db/database";
import type { ModelDefinition } from "../scoring/model.types";
import { TARGET_SCORES_TABLE, targetSteps } from "../scoring/scoring-engine.sql";

/** The TEMP table of targets a pass creates: one row per closed deal, as of its creation. */
const TARGETS_TABLE = "_tr_targets";

/**
 * Which closed (WON or LOST) deals a pass evaluates: those closed in `[closedFrom, closedTo)`
 * (either bound optional), or exactly the deals `dealIds` (a second pass over the rows of a
 * first one, whatever closed in between). Deals whose account is unknown (held) are left out.
 */
export type DealSelection =
  | { readonly closedFrom: Date | null; readonly closedTo: Date | null }
  | { readonly dealIds: readonly string[] };

/** One closed deal and the model's view of its account as of the deal's creation. */
export interface EvaluatedDeal {
  readonly dealId: string;
  readonly externalId: string;
  readonly accountId: string;
  readonly createdAt: Date;
  readonly closedAt: Date;
  readonly won: boolean;
  /** The score a run as of `createdAt` would have stored: total and band. */
  readonly total: number;
  readonly band: string;
  /** The fit component (0–100). */
  readonly fit: number;
  /** Each criterion's value before weights and clamping, in `definition.criteria` order (see `TARGET_SCORES_TABLE`). */
  readonly parts: readonly number[];
}

/**
 * Evaluates a model for closed deals, each **as of the deal's creation**: the scoring engine's
 * own SQL (`targetSteps`) runs over a targets table of `(deal id, account, created_at)`, so every
 * rule, decay, cap, roll-up and clamp is the engine's and no fact after a deal's creation
 * reaches its row. One REPEATABLE READ transaction: all steps see one snapshot. Rows come back
 * in deal id order.
 *
 * @example
 * const rows = await evaluateDeals(db, model.definition, { closedFrom: null, closedTo: null });
 * rows[0]; // { dealId: "17", won: true, total: 41.5, band: "Warm", parts: [30, 0, 25, …], … }
 */
export async function evaluateDeals(db: Database, def: ModelDefinition, selection: DealSelection): Promise<EvaluatedDeal[]> {
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    // A training pass is an analyst's batch job over every closed deal, like a scoring run.
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SET LOCAL work_mem = '128MB'");
    await createTargets(client, selection);
    for (const step of targetSteps(def, { table: TARGETS_TABLE })) await client.query(step.sql, step.params);
    const { rows } = await client.query<{
      deal_id: string; external_id: string; account_id: string; created_at: Date; closed_at: Date; won: boolean;
      total: number; band: string; fit: number; parts: number[];
    }>(
      `SELECT t.target_id::text AS deal_id, d.external_id, t.account_id::text AS account_id, t.as_of AS created_at, d.closed_at, t.won,
              s.total, s.band, s.fit, s.parts
         FROM ${TARGETS_TABLE} t
         JOIN deals d ON d.id = t.target_id
         JOIN ${TARGET_SCORES_TABLE} s ON s.target_id = t.target_id
        ORDER BY t.target_id`);
    await client.query("COMMIT");
    return rows.map((r) => ({
      dealId: r.deal_id, externalId: r.external_id, accountId: r.account_id, createdAt: r.created_at, closedAt: r.closed_at, won: r.won,
      total: r.total, band: r.band, fit: r.fit, parts: r.parts,
    }));
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function createTargets(client: PoolClient, selection: DealSelection): Promise<void> {
  const byIds = "dealIds" in selection;
  await client.query(
    `CREATE TEMP TABLE ${TARGETS_TABLE} ON COMMIT DROP AS
       SELECT d.id AS target_id, d.account_id, d.created_at AS as_of, d.outcome = 'WON' AS won
         FROM deals d
        WHERE d.outcome IN ('WON', 'LOST') AND d.account_id IS NOT NULL
          AND ${byIds ? "d.id = ANY($1::bigint[])" : "($1::timestamptz IS NULL OR d.closed_at >= $1) AND ($2::timestamptz IS NULL OR d.closed_at < $2)"}`,
    byIds ? [selection.dealIds] : [selection.closedFrom, selection.closedTo]);
  // Temporary tables are never auto-analysed; without statistics the planner guesses their size.
  await client.query(`ANALYZE ${TARGETS_TABLE}`);
}

/** A closed deal count by outcome, for the error a run too small to train gives before any work. */
export async function countOutcomes(db: Database, selection: { closedFrom: Date | null; closedTo: Date | null }): Promise<{ won: number; lost: number }> {
  const [row] = await db.query<{ won: number; lost: number }>(
    `SELECT (count(*) FILTER (WHERE outcome = 'WON'))::int AS won, (count(*) FILTER (WHERE outcome = 'LOST'))::int AS lost
       FROM deals
      WHERE outcome IN ('WON', 'LOST') AND account_id IS NOT NULL
        AND ($1::timestamptz IS NULL OR closed_at >= $1) AND ($2::timestamptz IS NULL OR closed_at < $2)`,
    [selection.closedFrom, selection.closedTo]);
  return row!;
}
