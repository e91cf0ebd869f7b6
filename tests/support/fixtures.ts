import type { Database } from "../../src/platform/db/database";

/** Inserts rows by column name (test fixtures for read paths; ingest has its own tests). */
export async function insertRows(db: Database, table: string, rows: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (const row of rows) {
    const cols = Object.keys(row);
    const values = cols.map((c) => row[c]);
    const res = await db.query<{ id: string }>(
      `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING id::text AS id`, values);
    ids.push(res[0]!.id);
  }
  return ids;
}
