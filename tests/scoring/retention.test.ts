import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import type { Database } from "../../src/platform/db/database";
import { dayPartition } from "../../src/scoring/scoring-run.service";
import { startTestServer, type TestServer } from "../support/server";
import { account, contact, events, runScoring } from "./support";

const DAY = 86_400_000;
let server: TestServer;
let db: Database;
let admin: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({ RETENTION_ALL_DAYS: "30", RETENTION_WEEKLY_DAYS: "365" });
  db = server.database.db;
  admin = await server.client();
  const a = await account(db, "keep.test");
  const c = await contact(db, a, "p@keep.test");
  await events(db, [{ account: a, contact: c, type: "demo_request", at: new Date(Date.now() - 100 * DAY) }]);
});
afterAll(async () => server?.stop());

const exists = async (table: string) => (await db.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]))[0]!.t !== null;

describe("score history retention", () => {
  it("drops the partitions the policy no longer keeps, never rows, and leaves current scores alone", async () => {
    // Sunday and Monday noon of a week 60 days back, a week 45 days back (two runs), 10 days back, now.
    const weekStart = (d: Date) => { const x = new Date(d); x.setUTCHours(12, 0, 0, 0); x.setUTCDate(x.getUTCDate() - ((x.getUTCDay() + 6) % 7)); return x; };
    const w60 = weekStart(new Date(Date.now() - 60 * DAY));
    const w45 = weekStart(new Date(Date.now() - 45 * DAY));
    // First an incremental day partition from 35 days ago (what live scoring that day would have left).
    const oldDay = new Date(Date.now() - 35 * DAY);
    const month = `account_scores_y${oldDay.getUTCFullYear()}m${String(oldDay.getUTCMonth() + 1).padStart(2, "0")}`;
    await runScoring(admin, { asOf: oldDay }); // creates the month (its DEFAULT is partitioned by day)
    const day0 = new Date(Date.UTC(oldDay.getUTCFullYear(), oldDay.getUTCMonth(), oldDay.getUTCDate()));
    await db.query(`CREATE TABLE ${dayPartition("account_scores", oldDay)} PARTITION OF ${month}_default FOR VALUES FROM ('${day0.toISOString()}') TO ('${new Date(day0.getTime() + DAY).toISOString()}')`);
    const older = await runScoring(admin, { asOf: w45 });
    const newer = await runScoring(admin, { asOf: new Date(w45.getTime() + DAY) });
    const alone = await runScoring(admin, { asOf: w60 });
    const recent1 = await runScoring(admin, { asOf: new Date(Date.now() - 10 * DAY) });
    const recent2 = await runScoring(admin, { asOf: new Date(Date.now() - 10 * DAY + 3_600_000) });
    const current = await runScoring(admin); // the last run written: every account's current score
    const currentBefore = await db.query("SELECT * FROM current_scores ORDER BY model_id, account_id");

    const result = await server.app.services.retention.apply();

    expect(await exists(`account_scores_r${older.rowId}`)).toBe(false);
    expect(await exists(`contact_scores_r${older.rowId}`)).toBe(false);
    for (const kept of [newer, alone, recent1, recent2, current]) expect(await exists(`account_scores_r${kept.rowId}`), `run ${kept.rowId}`).toBe(true);
    expect(await exists(dayPartition("account_scores", oldDay))).toBe(false);
    expect(result.runsDropped).toBeGreaterThanOrEqual(1);
    expect(result.dayPartitionsDropped).toBe(1);
    const [row] = await db.query<{ status: string; snapshots_dropped_at: Date | null }>("SELECT status, snapshots_dropped_at FROM scoring_runs WHERE id = $1", [older.rowId]);
    expect(row!.status).toBe("SUCCEEDED"); // the run row stays
    expect(row!.snapshots_dropped_at).not.toBeNull();
    expect(await db.query("SELECT * FROM current_scores ORDER BY model_id, account_id")).toEqual(currentBefore);
    // Applying it again drops nothing more.
    expect((await server.app.services.retention.apply()).tablesDropped).toEqual([]);
  });
});
