import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import { schedulesCommand } from "../../src/cli/schedules.command";
import { loadConfig } from "../../src/platform/config/config";
import { startApi, type App } from "../../src/platform/app";
import { Database } from "../../src/platform/db/database";
import { createLogger } from "../../src/platform/logging/logger";
import { runCommand } from "../support/cli";
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { runScoring } from "../scoring/support";

/** The sweep every minute, everything else never within the test. */
const ENV = {
  SCHEDULES: "true",
  SCHEDULE_SLA_SWEEP: "* * * * *",
  SCHEDULE_FULL_RUN: "0 0 1 1 *",
  SCHEDULE_TRAINING: "0 0 1 1 *",
  SCHEDULE_RETENTION: "0 0 1 1 *",
};

let first: TestServer;
let second: App;
let secondDb: Database;
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  first = await startTestServer(ENV);
  // A second API process on the same database, with a runner of its own.
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: "silent", DATABASE_URL: first.database.url, LIVE_SCORING: "false", ...ENV });
  secondDb = await Database.connect({ url: first.database.url, poolSize: 4, statementTimeoutMs: 60_000 });
  second = await startApi(config, createLogger(config), { db: secondDb, close: () => secondDb.close() });
}, 60_000);
afterAll(async () => {
  await second?.stop();
  await first?.stop();
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
});

const SCHEDULES = gql`{ schedules { name cron nextRunAt lastRunAt lastStatus } }`;
type Schedule = { name: string; cron: string; nextRunAt: string | null; lastRunAt: string | null; lastStatus: string | null };

describe("schedules", () => {
  it("runs a scheduled job once per tick with two API processes, and lists the schedules", async () => {
    const db = first.database.db;
    const admin = await first.client();
    // A transition whose SLA ran out an hour ago with no sales touch, and one touched in time.
    const run = await runScoring(admin);
    const [late, met] = await db.query<{ id: string }>(
      `INSERT INTO accounts (domain, name) VALUES ('late.test', 'Late'), ('met.test', 'Met') RETURNING id::text`);
    await db.query(
      `INSERT INTO engagement_events (external_id, account_id, type, occurred_at, source) VALUES ('touch-1', $1, 'sales_touch', now() - interval '3 hours', 'crm')`, [met!.id]);
    const transitions = await db.query<{ id: string }>(
      `INSERT INTO band_transitions (account_id, model_id, run_id, kind, from_value, to_value, entered_at, sla_hours, sla_due_at)
       SELECT a, r.model_id, r.id, 'BAND', 'Cold', 'Hot', now() - interval '25 hours', 24, now() - interval '1 hour'
         FROM scoring_runs r, unnest(ARRAY[$2::bigint, $3::bigint]) a WHERE r.id = $1
       RETURNING id::text`, [run.rowId, late!.id, met!.id]);
    expect(transitions).toHaveLength(2);

    const before = (await admin.request<{ schedules: Schedule[] }>(SCHEDULES)).schedules;
    expect(before.map((s) => [s.name, s.cron])).toEqual([
      ["full-scoring-run", "0 0 1 1 *"], ["sla-breach-sweep", "* * * * *"], ["training-run", "0 0 1 1 *"], ["score-retention", "0 0 1 1 *"],
    ]);
    const sweep = before.find((s) => s.name === "sla-breach-sweep")!;
    expect(Date.parse(sweep.nextRunAt!) - Date.now()).toBeLessThanOrEqual(60_000);
    expect(Date.parse(sweep.nextRunAt!) % 60_000).toBe(0);
    expect(Date.parse(before[0]!.nextRunAt!)).toBe(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1));

    // The next minute's tick: both processes' runners are up; the sweep runs once.
    await waitFor("the sweep to run", async () => {
      const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM schedule_runs WHERE name = 'sla-breach-sweep' AND status = 'SUCCEEDED'");
      return rows[0]!.n >= 1;
    }, 130_000, 250);
    const ticks = await db.query<{ scheduled_for: Date; n: number }>(
      "SELECT scheduled_for, count(*)::int AS n FROM schedule_runs WHERE name = 'sla-breach-sweep' GROUP BY scheduled_for");
    expect(ticks.every((t) => t.n === 1)).toBe(true);
    expect(ticks[0]!.scheduled_for.getTime() % 60_000).toBe(0);

    const marked = await db.query<{ account_id: string; sla_breached_at: Date | null; first_touch_at: Date | null }>(
      "SELECT account_id::text, sla_breached_at, first_touch_at FROM band_transitions WHERE id = ANY($1::bigint[]) ORDER BY id", [transitions.map((t) => t.id)]);
    expect(marked[0]).toMatchObject({ account_id: late!.id, first_touch_at: null });
    expect(marked[0]!.sla_breached_at).not.toBeNull();
    expect(marked[1]).toMatchObject({ account_id: met!.id, sla_breached_at: null });
    expect(marked[1]!.first_touch_at).not.toBeNull();

    const after = (await admin.request<{ schedules: Schedule[] }>(SCHEDULES)).schedules.find((s) => s.name === "sla-breach-sweep")!;
    expect(after.lastStatus).toBe("SUCCEEDED");
    expect(Date.parse(after.lastRunAt!)).toBeGreaterThanOrEqual(ticks[0]!.scheduled_for.getTime());

    // The CLI reads the same configuration from its environment.
    process.env.DATABASE_URL = first.database.url;
    for (const [k, v] of Object.entries(ENV)) process.env[k] = v;
    const printed = await runCommand(schedulesCommand, ["--json"]).finally(() => { for (const k of Object.keys(ENV)) delete process.env[k]; });
    expect(printed.code).toBe(0);
    const listed = JSON.parse(printed.out) as Schedule[];
    expect(listed.find((s) => s.name === "sla-breach-sweep")).toMatchObject({ cron: "* * * * *", lastStatus: "SUCCEEDED" });
    const table = await runCommand(schedulesCommand, []);
    expect(table.out).toMatch(/sla-breach-sweep\s+\*\/5 \* \* \* \*\s+\S+\s+\S+\s+SUCCEEDED/); // the default cron, the run recorded
  }, 180_000);

  it("refuses a cron expression that is not one, naming the variable", () => {
    expect(() => loadConfig({ SCHEDULE_FULL_RUN: "every day" })).toThrow(/SCHEDULE_FULL_RUN must be a cron expression/);
  });
});
