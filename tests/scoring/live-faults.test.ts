import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import { Rng } from "../../src/demo/random";
import { ingestApi } from "../ingest/helpers";
import { type ApiOnDatabase, type OwnPostgres, startApiOn, startOwnPostgres } from "../support/own-postgres";
import { waitFor } from "../support/wait";
import { expectLiveEqualsFull, ingestRandomFacts, scorerIdle } from "./live-support";
import { runScoring } from "./support";

let pg: OwnPostgres;
let api: ApiOnDatabase;

beforeAll(async () => {
  pg = await startOwnPostgres("live-faults");
  api = await startApiOn(pg.url, { LIVE_SCORING: "true", LIVE_SCORING_DELAY_MS: "100" });
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await pg?.destroy();
});

describe("live scoring through a PostgreSQL restart", () => {
  it("resumes by itself, and every live score still equals a full run as of the same instant", async () => {
    const admin = api.admin();
    const db = api.app.db;
    await runScoring(admin);
    const ingest = ingestApi(await api.client(Role.INGEST));
    let restarted = false;
    await ingestRandomFacts(ingest, new Rng(7), 50, async (b) => {
      if (b !== 25) return;
      // Touches queued, the scorer woken, then the server goes away mid-stream and comes back.
      await pg.stop();
      await pg.start();
      restarted = true;
      // Ingest is back once the pool has replaced its dead connections.
      await waitFor("the database to answer again", () => db.query("SELECT 1").then(() => true, () => false), 60_000, 200);
    });
    expect(restarted).toBe(true);
    // The batches after the restart were queued and scored with nobody prodding the scorer.
    await waitFor("the live scorer to catch up after the restart", () => scorerIdle(db).catch(() => false), 90_000, 200);
    const [{ after }] = await db.query<{ after: number }>(
      "SELECT count(*)::int AS after FROM scoring_runs WHERE kind = 'INCREMENTAL' AND status = 'SUCCEEDED' AND finished_at > (SELECT pg_postmaster_start_time())") as [{ after: number }];
    expect(after).toBeGreaterThan(0);
    const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts") as [{ n: number }];
    expect(await expectLiveEqualsFull(admin, "default", n)).toBeGreaterThan(0);
  }, 300_000);
});
