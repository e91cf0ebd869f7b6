import type { Logger } from "pino";
import type { Runner, Task, TaskList } from "graphile-worker" with { "resolution-mode": "import" };
import type { Database } from "../platform/db/database";
import type { ScheduleDefinition } from "./schedules";

/** What one task did, recorded in `schedule_runs.result`. */
export type TaskResult = Record<string, unknown>;

/** A scheduled job's work: gets the cron tick it runs for, returns what it did. */
export type ScheduledTask = (tick: Date | null) => Promise<TaskResult>;

/**
 * One graphile-worker runner per serving process, for scheduled jobs and any other task list
 * merged in (`extraTasks`). graphile-worker's cron registers each tick in its own table, so with
 * several processes on one database a tick is queued once and run by one of them. Every
 * scheduled execution is recorded in `schedule_runs` (what `schedules` reports).
 */
export class JobRunner {
  private runner: Runner | null = null;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly schedules: readonly ScheduleDefinition[],
    private readonly tasks: Readonly<Record<string, ScheduledTask>>,
    private readonly extraTasks: TaskList = {},
  ) {}

  async start(): Promise<void> {
    const worker = await import("graphile-worker");
    const logger = new worker.Logger((scope) => (level, message, meta) => {
      const log = this.log.child({ worker: scope.label ?? "graphile-worker" });
      if (level === "error") log.error(meta ?? {}, message);
      else if (level === "warning") log.warn(meta ?? {}, message);
      else log.debug(meta ?? {}, message);
    });
    const taskList: TaskList = { ...this.extraTasks };
    for (const s of this.schedules) taskList[s.name] = this.recorded(s.name, this.tasks[s.name]!);
    this.runner = await worker.run({
      connectionString: this.db.connectionString,
      maxPoolSize: 4,
      concurrency: 2,
      noHandleSignals: true,
      logger,
      taskList,
      parsedCronItems: worker.parseCronItems(this.schedules.map((s) => ({ task: s.name, identifier: s.name, match: s.cron, options: { backfillPeriod: 0 } }))),
    });
  }

  /** Stops taking jobs and waits for the ones running (SIGTERM). */
  async stop(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    await runner?.stop();
  }

  private recorded(name: string, task: ScheduledTask): Task {
    return async (payload) => {
      const cron = (payload as { _cron?: { ts?: string } } | null)?._cron;
      const tick = cron?.ts ? new Date(cron.ts) : null;
      const [{ id }] = await this.db.query<{ id: string }>(
        "INSERT INTO schedule_runs (name, scheduled_for) VALUES ($1, $2) RETURNING id::text", [name, tick]) as [{ id: string }];
      try {
        const result = await task(tick);
        await this.db.query("UPDATE schedule_runs SET status = 'SUCCEEDED', finished_at = clock_timestamp(), result = $2 WHERE id = $1", [id, JSON.stringify(result)]);
        this.log.info({ schedule: name, tick, result }, "scheduled job finished");
      } catch (err) {
        await this.db.query("UPDATE schedule_runs SET status = 'FAILED', finished_at = clock_timestamp(), error = $2 WHERE id = $1",
          [id, String((err as Error)?.message ?? err).slice(0, 2000)]).catch(() => undefined);
        this.log.error({ err, schedule: name }, "scheduled job failed");
        // A scheduled tick is not retried: the next tick does the same work on newer facts.
      }
    };
  }
}
