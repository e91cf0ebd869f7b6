import { loadConfig, redactUrl } from "../platform/config/config";
import { connectDatabase } from "../platform/app";
import { listMigrations, pendingMigrations } from "../platform/db/migrate";
import { createLogger } from "../platform/logging/logger";
import { ScheduleService } from "../jobs/schedule.service";
import { scheduleDefinitions } from "../jobs/schedules";
import { type Command, parseOptions } from "./command";

export const statusCommand: Command = {
  summary: "Show the database Quorum uses (a running server's embedded one included) and its migration state.",
  usage: `quorum status [--json]

Prints which database the server and the CLI use: DATABASE_URL, or the embedded one — with its
URL while \`quorum serve\` runs (CLI commands then use it too). Then the migrations applied and
pending, what the database holds, and the scheduled jobs (cron, next and last run). Changes nothing (no migration is applied).`,
  async run(argv) {
    const { values } = parseOptions(argv, { json: { type: "boolean" } });
    const config = loadConfig();
    const connected = await connectDatabase(config, createLogger({ logLevel: "warn" }, { toStderr: true }), { migrate: false, newDatabase: "create", applicationName: "quorum-status" });
    try {
      const pending = await pendingMigrations(connected.db.pool);
      const all = listMigrations();
      const [counts] = await connected.db.query<{ accounts: number; runs: number; last_run: Date | null }>(
        pending.length === all.length
          ? "SELECT 0 AS accounts, 0 AS runs, NULL::timestamptz AS last_run"
          : `SELECT (SELECT count(*)::int FROM accounts) AS accounts, (SELECT count(*)::int FROM scoring_runs WHERE status = 'SUCCEEDED') AS runs,
                    (SELECT max(finished_at) FROM scoring_runs WHERE status = 'SUCCEEDED') AS last_run`);
      const schedules = pending.length === 0 ? await new ScheduleService(connected.db, scheduleDefinitions(config)).list() : [];
      const status = {
        database: {
          kind: config.database.kind,
          url: config.database.kind === "external" ? redactUrl(connected.url) : connected.url,
          servedBy: connected.servedBy,
          dataDir: config.database.kind === "embedded" ? config.database.dataDir : null,
        },
        migrations: { applied: all.length - pending.length, pending, total: all.length, current: pending.length === 0 },
        accounts: counts!.accounts,
        scoringRuns: counts!.runs,
        lastScoringRunAt: counts!.last_run?.toISOString() ?? null,
        schedules,
      };
      if (values.json) {
        process.stdout.write(`${JSON.stringify(status)}\n`);
        return 0;
      }
      const at = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "—");
      const where = config.database.kind === "external"
        ? "DATABASE_URL"
        : connected.servedBy !== null ? `embedded, served by quorum serve (pid ${connected.servedBy})` : `embedded (no server running; data in ${status.database.dataDir})`;
      process.stdout.write([
        `database:   ${status.database.url}`,
        `            ${where}`,
        `migrations: ${status.migrations.applied} of ${status.migrations.total} applied${pending.length ? `; pending: ${pending.join(", ")} (quorum migrate applies them)` : " (current)"}`,
        `data:       ${status.accounts.toLocaleString("en-US")} accounts, ${status.scoringRuns} scoring runs${status.lastScoringRunAt ? `, last ${status.lastScoringRunAt}` : ""}`,
        ...(schedules.length === 0 ? [] : ["schedules:", ...schedules.map((j) =>
          `  ${j.name.padEnd(18)} ${j.cron.padEnd(14)} next ${at(j.nextRunAt)}  last ${at(j.lastRunAt)} ${j.lastStatus ?? ""}`.trimEnd())]),
      ].join("\n") + "\n");
      return 0;
    } finally {
      await connected.close();
    }
  },
};
