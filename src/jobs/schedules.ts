import type { Config } from "../platform/config/config";

/** A scheduled job: its name (the graphile-worker task and crontab identifier) and cron. */
export interface ScheduleDefinition {
  readonly name: string;
  readonly cron: string;
  readonly description: string;
}

/** The schedules this build knows, with their crons from config (UTC). */
export function scheduleDefinitions(config: Config): ScheduleDefinition[] {
  const s = config.schedules;
  return [
    { name: "full-scoring-run", cron: s.fullRun, description: "FULL scoring run of every ACTIVE model line: re-bases every account, so decay is reflected" },
    { name: "sla-breach-sweep", cron: s.slaSweep, description: "marks transitions whose SLA due time passed with no first sales touch" },
    { name: "training-run", cron: s.training, description: "training run on the default line's ACTIVE version; leaves a proposal for the council" },
    { name: "score-retention", cron: s.retention, description: "drops score history partitions the retention policy no longer keeps" },
  ];
}

/**
 * The next instant at or after `from` (to the minute, UTC) that `matches`, or null within a
 * year and a day (a pattern like "0 0 31 2 *" never fires).
 */
export function nextMatch(matches: (digest: { min: number; hour: number; date: number; month: number; dow: number }) => boolean, from: Date): Date | null {
  const t = new Date(Math.ceil(from.getTime() / 60_000) * 60_000);
  for (let i = 0; i < 527_040; i++, t.setTime(t.getTime() + 60_000)) {
    if (matches({ min: t.getUTCMinutes(), hour: t.getUTCHours(), date: t.getUTCDate(), month: t.getUTCMonth() + 1, dow: t.getUTCDay() })) return new Date(t);
  }
  return null;
}
