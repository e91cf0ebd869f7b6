import type { Logger } from "pino";
import type { Database } from "../platform/db/database";

/**
 * How long score history is kept (`RETENTION_ALL_DAYS`, `RETENTION_WEEKLY_DAYS`): every run for
 * `allDays`; then the latest FULL run of each ISO week until `weeklyDays`; then the latest
 * FULL run of each month. Incremental snapshots are kept for `allDays` (the full runs re-base
 * every account, so older history needs only them).
 */
export interface RetentionPolicy {
  readonly allDays: number;
  readonly weeklyDays: number;
}

export interface RetentionResult {
  readonly runsDropped: number;
  readonly dayPartitionsDropped: number;
  readonly tablesDropped: readonly string[];
}

const DAY_MS = 86_400_000;

/**
 * Applies the retention policy by dropping partitions, never deleting rows: a FULL run's
 * `account_scores_r<id>` / `contact_scores_r<id>` and an incremental day's
 * `*_y<Y>m<MM>_d<DD>`. The run rows stay (transitions reference them), marked
 * `snapshots_dropped_at`. A partition holding any account's current score (the run named in
 * `current_scores`, which its contact scores are read from) is kept whatever its age, and
 * `current_scores` itself is never touched.
 */
export class RetentionService {
  constructor(private readonly db: Database, private readonly log: Logger, private readonly policy: RetentionPolicy) {}

  async apply(now: Date = new Date()): Promise<RetentionResult> {
    const allSince = new Date(now.getTime() - this.policy.allDays * DAY_MS);
    const weeklySince = new Date(now.getTime() - this.policy.weeklyDays * DAY_MS);
    // FULL runs older than the all-runs window that are not the latest of their week (or, past
    // the weekly window, of their month), and hold no current score.
    const runs = await this.db.query<{ id: string }>(
      `WITH old AS (
         SELECT r.id, r.as_of,
                row_number() OVER (PARTITION BY r.model_id,
                                   CASE WHEN r.as_of >= $2 THEN date_trunc('week', r.as_of AT TIME ZONE 'UTC') ELSE date_trunc('month', r.as_of AT TIME ZONE 'UTC') END
                                   ORDER BY r.as_of DESC, r.id DESC) AS rank
           FROM scoring_runs r
          WHERE r.kind = 'FULL' AND r.status = 'SUCCEEDED' AND r.as_of < $1 AND r.snapshots_dropped_at IS NULL
       )
       SELECT o.id::text FROM old o
        WHERE o.rank > 1 AND NOT EXISTS (SELECT 1 FROM current_scores c WHERE c.run_id = o.id)
        ORDER BY o.id`, [allSince, weeklySince]);
    const dropped: string[] = [];
    for (const { id } of runs) {
      const tables = [`account_scores_r${id}`, `contact_scores_r${id}`];
      await this.db.tx(async (c) => {
        await c.query("SET LOCAL lock_timeout = 10000");
        for (const t of tables) {
          const exists = await c.query("SELECT 1 FROM pg_class WHERE oid = to_regclass($1)", [t]);
          if (exists.rowCount) {
            await c.query(`DROP TABLE ${t}`);
            dropped.push(t);
          }
        }
        await c.query("UPDATE scoring_runs SET snapshots_dropped_at = clock_timestamp() WHERE id = $1", [id]);
      });
    }

    // Day partitions of incremental snapshots, older than the all-runs window.
    const days = await this.db.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ '^(account|contact)_scores_y[0-9]{4}m[0-9]{2}_d[0-9]{2}$' ORDER BY 1");
    let dayPartitionsDropped = 0;
    const kept = new Set((await this.db.query<{ d: string }>(
      "SELECT DISTINCT to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d FROM current_scores")).map((r) => r.d));
    for (const { name } of days) {
      const m = /_y(\d{4})m(\d{2})_d(\d{2})$/.exec(name)!;
      const day = `${m[1]}-${m[2]}-${m[3]}`;
      if (Date.parse(`${day}T00:00:00Z`) + DAY_MS > allSince.getTime() || kept.has(day)) continue;
      await this.db.tx(async (c) => {
        await c.query("SET LOCAL lock_timeout = 10000");
        await c.query(`DROP TABLE ${name}`);
        // The incremental runs of that day lost their snapshots with it.
        await c.query(
          `UPDATE scoring_runs SET snapshots_dropped_at = clock_timestamp()
            WHERE kind = 'INCREMENTAL' AND snapshots_dropped_at IS NULL AND as_of >= $1 AND as_of < $2`,
          [new Date(`${day}T00:00:00Z`), new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS)]);
      });
      dropped.push(name);
      dayPartitionsDropped++;
    }
    if (dropped.length > 0) this.log.info({ runs: runs.length, dayPartitionsDropped, tables: dropped.length }, "score history retention applied");
    return { runsDropped: runs.length, dayPartitionsDropped, tablesDropped: dropped };
  }
}
