import type { FeatureServices } from "../platform/services";
import type { ScheduledTask } from "./job-runner";

/**
 * The scheduled jobs' work, by schedule name: the one place the task list is assembled. Other
 * features' graphile-worker tasks are merged into the runner beside these (`JobRunner`'s
 * `extraTasks`).
 */
export function scheduledTasks(services: FeatureServices): Record<string, ScheduledTask> {
  return {
    "full-scoring-run": async () => {
      const runs = [];
      for (const m of await services.scoringModels.list("ACTIVE")) {
        const run = await services.scoring.runner.run({ modelName: m.name, triggeredBy: "schedule" });
        runs.push({ line: m.name, runId: run.id, accounts: run.accountsScored, transitions: run.transitions });
      }
      return { runs };
    },
    "sla-breach-sweep": async () => services.bandTransitions.sweep(),
    "training-run": async () => {
      const run = await services.training.start({}, "schedule");
      return { trainingRunId: run.id };
    },
    "score-retention": async () => {
      const r = await services.retention.apply();
      return { runsDropped: r.runsDropped, dayPartitionsDropped: r.dayPartitionsDropped };
    },
  };
}
