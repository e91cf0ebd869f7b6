import crypto from "node:crypto";
import type { PoolClient } from "pg";
import type { ModelDefinition } from "./model.types";
import { engineSteps } from "./scoring-engine.sql";

/**
 * A what-if scoring pass: every account under a definition as of `asOf`, with the engine's own
 * SQL in accounts-only mode (no lead scores, no transitions), written to `account_scores` under
 * a random negative run id (real runs are positive identities) in the caller's transaction.
 * The caller reads the snapshots and must roll them back (a savepoint or the whole
 * transaction): nothing here is score history.
 *
 * @returns the run id the snapshots carry and how many accounts were scored.
 */
export async function scoreAccountsWhatIf(client: PoolClient, def: ModelDefinition, modelId: string, asOf: Date): Promise<{ runId: string; accounts: number }> {
  const runId = `-${crypto.randomInt(1, 2 ** 47)}`;
  let accounts = 0;
  for (const step of engineSteps(def, { runId, modelId, asOf, previous: null, accountsOnly: true })) {
    const result = await client.query(step.sql, step.params);
    if (step.counts === "accounts") accounts = result.rowCount ?? 0;
  }
  return { runId, accounts };
}
