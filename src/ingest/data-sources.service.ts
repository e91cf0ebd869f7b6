import type { Database } from "../platform/db/database";

/** A source of data in the database: the demo, or an import mapping (its `source`, else its file name). */
export interface DataSource {
  readonly source: string;
  readonly entities: readonly string[];
}

type Executor = Pick<Database, "query">;

/** Records that `source` loaded rows of these entities (merged with what it loaded before). */
export async function recordDataSource(db: Executor, source: string, entities: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO data_sources AS d (source, entities) VALUES ($1, $2::text[])
     ON CONFLICT (source) DO UPDATE SET entities = ARRAY(SELECT DISTINCT unnest(d.entities || EXCLUDED.entities) ORDER BY 1),
       loads = d.loads + 1, last_loaded_at = now()`,
    [source, [...new Set(entities)].sort()]);
}

export async function dataSources(db: Executor): Promise<DataSource[]> {
  return db.query<DataSource>("SELECT source, entities FROM data_sources ORDER BY first_loaded_at, source");
}

/**
 * The warning an import of `source` deserves before it runs, or null: the database already holds
 * accounts, and they came from other sources (or from nowhere on record).
 */
export async function mixingWarning(db: Executor, source: string): Promise<string | null> {
  const [{ accounts }] = await db.query<{ accounts: number }>("SELECT count(*)::int AS accounts FROM accounts") as [{ accounts: number }];
  if (accounts === 0) return null;
  const recorded = (await dataSources(db)).map((s) => s.source);
  const others = recorded.filter((s) => s !== source);
  const known = recorded.includes(source);
  if (known && others.length === 0) return null;
  const from = others.length > 0 ? `from ${others.join(", ")}` : "loaded some other way (API or an earlier version)";
  return `this database already holds ${accounts.toLocaleString("en-US")} accounts ${from}; importing "${source}" mixes a second source into it, and scores, training and KPIs will mix them too. Use a database of its own (DATABASE_URL) unless that is what you want.`;
}

/** The warning a training run deserves when the deals it learns from were loaded by more than one source. */
export async function mixedDealsWarning(db: Executor): Promise<string | null> {
  const withDeals = (await dataSources(db)).filter((s) => s.entities.includes("deals")).map((s) => s.source);
  if (withDeals.length < 2) return null;
  return `The training deals come from ${withDeals.length} sources (${withDeals.join(", ")}): the fit mixes their sales processes, and the proposal may re-weight for the difference between them. Train on a database with one source to judge the weights.`;
}
