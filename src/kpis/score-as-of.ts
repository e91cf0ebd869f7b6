import crypto from "node:crypto";
import type { PoolClient } from "pg";
import type { ModelDefinition } from "../scoring/model.types";
import { engineSteps } from "../scoring/scoring-engine.sql";

export type ScoreAsOfResult = { ok: true; runId: string; accounts: number } | { ok: false; error: string };

/**
 * Scores every account under a model version as of `asOf` with the scoring engine's own SQL,
 * inside the caller's transaction, which the caller must roll back: a KPI read never writes
 * score history. Snapshots land in account_scores under a random negative run id (real runs
 * are positive identities, and concurrent reports never share one); the engine's
 * accounts-only mode skips lead scores and band transitions.
 *
 * Runs under a savepoint, so a failure (a definition the engine cannot run, the statement
 * timeout) leaves the transaction usable and is returned, not thrown.
 */
export async function scoreAccountsAsOf(client: PoolClient, model: { id: string; definition: ModelDefinition }, asOf: Date): Promise<ScoreAsOfResult> {
  const runId = `-${crypto.randomInt(1, 2 ** 47)}`;
  await client.query("SAVEPOINT kpi_score_as_of");
  try {
    const steps = engineSteps(model.definition, { runId, modelId: model.id, asOf, previous: null, accountsOnly: true });
    let accounts = 0;
    for (const step of steps) {
      const result = await client.query(step.sql, step.params);
      if (step.counts === "accounts") accounts = result.rowCount ?? 0;
    }
    await client.query("RELEASE SAVEPOINT kpi_score_as_of");
    return { ok: true, runId, accounts };
  } catch (err) {
    await client.query("ROLLBACK TO SAVEPOINT kpi_score_as_of");
    return { ok: false, error: (err as Error)?.message ?? String(err) };
  }
}
