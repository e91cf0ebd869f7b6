import fs from "node:fs";
import path from "node:path";
import type { Pool } from "pg";
import { projectRoot } from "../config/paths";

export const migrationsDir = path.join(projectRoot, "migrations");

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly up: string;
  readonly down: string | undefined;
}

/** Committed SQL files `migrations/<timestamp>_<name>.up.sql` (and `.down.sql`), in order. */
export function listMigrations(dir = migrationsDir): Migration[] {
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith(".up.sql"))
    .sort()
    .map((file) => {
      const base = file.slice(0, -".up.sql".length);
      const [version, ...rest] = base.split("_");
      const downFile = path.join(dir, `${base}.down.sql`);
      return {
        version: version!,
        name: rest.join("_"),
        up: fs.readFileSync(path.join(dir, file), "utf8"),
        down: fs.existsSync(downFile) ? fs.readFileSync(downFile, "utf8") : undefined,
      };
    });
}

const LOCK_KEY = 4_212_001; // advisory lock: concurrent starts migrate one at a time

/** Applies pending migrations, each in its own transaction. Returns the versions applied. */
export async function migrate(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: string }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of listMigrations()) {
      if (done.has(m.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.up);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${m.version}_${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/** Pending migrations, for `/readyz`: ready means reachable and fully migrated. */
export async function pendingMigrations(pool: Pool): Promise<string[]> {
  const exists = await pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok");
  const done = exists.rows[0].ok
    ? new Set((await pool.query<{ version: string }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version))
    : new Set<string>();
  return listMigrations().map((m) => m.version).filter((v) => !done.has(v));
}
