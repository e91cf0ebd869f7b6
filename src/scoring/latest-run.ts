import type { Database } from "../platform/db/database";
import type { Loaders } from "../platform/graphql/loaders";

/** The default model line's name: what `score` means when no model is named. */
export const DEFAULT_MODEL_NAME = "default";

export interface LatestRun {
  readonly runId: string;
  readonly modelId: string;
  readonly asOf: Date;
}

/**
 * The line's ACTIVE version and its latest successful run (the last one written). Accounts'
 * current scores are in `current_scores` under `modelId`: each account's snapshot from the
 * last run that scored it, full or incremental. Null when the line has no active version or
 * it was never run. `fullOnly`: the latest FULL run (every account scored as of one instant).
 */
export async function latestRun(db: Database, modelName: string = DEFAULT_MODEL_NAME, opts: { fullOnly?: boolean } = {}): Promise<LatestRun | null> {
  const rows = await db.prepared<{ run_id: string; model_id: string; as_of: Date }>(
    `SELECT r.id::text AS run_id, m.id::text AS model_id, r.as_of
       FROM scoring_models m
       JOIN scoring_runs r ON r.model_id = m.id AND r.status = 'SUCCEEDED' AND (NOT $2 OR r.kind = 'FULL')
      WHERE m.name = $1 AND m.status = 'ACTIVE'
      ORDER BY r.id DESC
      LIMIT 1`,
    [modelName, opts.fullOnly === true],
  );
  const row = rows[0];
  return row ? { runId: row.run_id, modelId: row.model_id, asOf: row.as_of } : null;
}

/** The current run of a model line, looked up once per request whoever asks first (list filters, scores, committees). */
export function latestRunLoader(loaders: Loaders) {
  return loaders.get<string, LatestRun | null>("latestRun", undefined, (names) => Promise.all(names.map((n) => latestRun(loaders.db, n))));
}
