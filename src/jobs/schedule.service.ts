import type { Database } from "../platform/db/database";
import { nextMatch, type ScheduleDefinition } from "./schedules";
import type { Schedule, ScheduleStatus } from "./schedule.type";

/** The schedules with their next tick and last execution (`schedule_runs`). */
export class ScheduleService {
  constructor(private readonly db: Database, private readonly definitions: readonly ScheduleDefinition[]) {}

  async list(now: Date = new Date()): Promise<Schedule[]> {
    const { parseCronItem } = await import("graphile-worker");
    const last = await this.db.query<{ name: string; started_at: Date; status: ScheduleStatus; error: string | null }>(
      `SELECT DISTINCT ON (name) name, started_at, status, error FROM schedule_runs WHERE name = ANY($1::text[]) ORDER BY name, started_at DESC, id DESC`,
      [this.definitions.map((d) => d.name)]);
    const byName = new Map(last.map((r) => [r.name, r]));
    return this.definitions.map((d) => {
      const run = byName.get(d.name);
      return {
        name: d.name, cron: d.cron, description: d.description,
        nextRunAt: nextMatch(parseCronItem({ task: d.name, match: d.cron }).match, now),
        lastRunAt: run?.started_at ?? null, lastStatus: run?.status ?? null, lastError: run?.error ?? null,
      };
    });
  }
}
