import DataLoader from "dataloader";
import type { Database } from "../db/database";

/**
 * Per-request DataLoaders, made on first use. A relation field with arguments gets one
 * loader per distinct argument set, so `contacts(role: CHAMPION)` on 100 accounts is still
 * one statement.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  constructor(readonly db: Database) {}

  get<K, V>(name: string, args: unknown, batch: (keys: readonly K[]) => Promise<ArrayLike<V | Error>>): DataLoader<K, V> {
    const cacheKey = args === undefined ? name : `${name}:${JSON.stringify(args)}`;
    let loader = this.loaders.get(cacheKey) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 5_000 });
      this.loaders.set(cacheKey, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** Rows matched to keys one-to-one (null where none). */
export function alignToKeys<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((k) => byKey.get(k) ?? null);
}

/** Rows grouped under their keys, in row order (empty arrays where none). */
export function groupBy<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>();
  for (const key of keys) byKey.set(key, []);
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((k) => byKey.get(k)!);
}
