import { withServices } from "./bootstrap";
import { type Command, parseOptions } from "./command";

export const schedulesCommand: Command = {
  summary: "List the scheduled jobs with their cron, next and last run.",
  usage: `quorum schedules [--json]`,
  async run(argv) {
    const { values } = parseOptions(argv, { json: { type: "boolean" } });
    return withServices(async ({ services }) => {
      const list = await services.schedules.list();
      if (values.json) {
        process.stdout.write(`${JSON.stringify(list)}\n`);
        return 0;
      }
      const at = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "—");
      process.stdout.write(`${"name".padEnd(18)} ${"cron (UTC)".padEnd(14)} ${"next run".padEnd(21)} ${"last run".padEnd(21)} last status\n`);
      for (const s of list) {
        process.stdout.write(`${s.name.padEnd(18)} ${s.cron.padEnd(14)} ${at(s.nextRunAt).padEnd(21)} ${at(s.lastRunAt).padEnd(21)} ${s.lastStatus ?? "—"}${s.lastError ? ` (${s.lastError})` : ""}\n`);
      }
      return 0;
    });
  },
};
