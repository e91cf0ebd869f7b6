/**
 * assignHoldout over real HTTP: reproducible (the draw is recomputed by hand here from md5 of seed and domain),
 * balanced across strata, existing holdouts kept unless replaced, entry times kept, roles and
 * bad input refused.
 */
import { toGlobalId } from "../../src/platform/graphql/global-id";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { ACCOUNTS_PAGE } from "../support/documents";
import { insertRows } from "../support/fixtures";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { ASSIGN_HOLDOUT, HOLDOUT_ASSIGNMENTS } from "./kpi-documents";

interface Stratum { stratum: string; targets: number; holdout: number; added: number; share: number }
interface Assignment {
  id: string; seed: number; share: number; stratifyBy: string; model: string | null; runId: string | null; replaceExisting: boolean;
  accountsIn: number; accountsAdded: number; accountsRemoved: number; assignedAt: string; assignedBy: string | null; strata: Stratum[];
}

let server: TestServer;
let analyst: GraphQLClient;
/** Target accounts by tier: 60 A, 90 B, 120 C, 30 without a tier; 50 non-target tier-A accounts. */
const TIERS: [string | null, number][] = [["A", 60], ["B", 90], ["C", 120], [null, 30]];

beforeAll(async () => {
  server = await startTestServer();
  analyst = await server.client(Role.ANALYST);
  const db = server.database.db;
  let i = 0;
  for (const [tier, n] of TIERS) {
    await db.query(
      `INSERT INTO accounts (domain, name, tier, is_target)
       SELECT 'h' || ($1::int + k) || '.holdout.example', 'Holdout ' || ($1::int + k), $2, true FROM generate_series(1, $3) k`, [i, tier, n]);
    i += n;
  }
  await db.query(`INSERT INTO accounts (domain, name, tier, is_target) SELECT 'nt' || k || '.holdout.example', 'Not a target ' || k, 'A', false FROM generate_series(1, 50) k`);
});
afterAll(async () => { await server?.stop(); });

const assign = async (input: Record<string, unknown>, client = analyst) =>
  (await client.request<{ assignHoldout: Assignment }>(ASSIGN_HOLDOUT, { input })).assignHoldout;

const held = async () => (await server.database.db.query<{ id: string; at: Date; assignment: string }>(
  "SELECT a.id::text AS id, a.holdout_assigned_at AS at, a.holdout_assignment_id::text AS assignment FROM accounts a WHERE a.is_holdout ORDER BY a.id"));

/** The draw by hand: per stratum, order by md5("seed:domain") then domain, take round(share × size). */
async function handDraw(seed: number, share: number): Promise<string[]> {
  const rows = await server.database.db.query<{ id: string; domain: string; tier: string | null }>("SELECT id::text, domain, tier FROM accounts WHERE is_target");
  const byTier = new Map<string, { id: string; domain: string }[]>();
  for (const r of rows) byTier.set(r.tier ?? "UNTIERED", [...(byTier.get(r.tier ?? "UNTIERED") ?? []), r]);
  const chosen: string[] = [];
  for (const accounts of byTier.values()) {
    const order = accounts.map((a) => ({ ...a, h: crypto.createHash("md5").update(`${seed}:${a.domain}`).digest("hex") }))
      .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.domain < b.domain ? -1 : 1));
    chosen.push(...order.slice(0, Math.round(share * accounts.length)).map((o) => o.id));
  }
  return chosen.sort((a, b) => Number(a) - Number(b));
}

/** Back to no holdout and no history (a fresh start for the draws below). */
const reset = async () => {
  await server.database.db.query("DELETE FROM holdout_memberships");
  await server.database.db.query("UPDATE accounts SET is_holdout = false, holdout_assigned_at = NULL, holdout_assignment_id = NULL");
};

describe("assignHoldout", () => {
  it("draws a seeded share of each tier's target accounts, exactly as computed by hand", async () => {
    await reset();
    const a = await assign({ share: 0.1, seed: 7 });
    expect(a).toMatchObject({ seed: 7, share: 0.1, stratifyBy: "TIER", replaceExisting: false, accountsIn: 30, accountsAdded: 30, accountsRemoved: 0, model: null, assignedBy: "test-analyst" });
    expect(a.strata).toEqual([
      { stratum: "A", targets: 60, holdout: 6, added: 6, share: 0.1 },
      { stratum: "B", targets: 90, holdout: 9, added: 9, share: 0.1 },
      { stratum: "C", targets: 120, holdout: 12, added: 12, share: 0.1 },
      { stratum: "UNTIERED", targets: 30, holdout: 3, added: 3, share: 0.1 },
    ]);
    const rows = await held();
    expect(rows.map((r) => r.id)).toEqual(await handDraw(7, 0.1));
    expect(rows.every((r) => r.assignment === a.id && r.at.toISOString() === new Date(a.assignedAt).toISOString())).toBe(true);
    const nonTargets = await server.database.db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts WHERE is_holdout AND NOT is_target");
    expect(nonTargets[0]!.n).toBe(0);
  });

  it("is balanced within rounding for any share", async () => {
    for (const share of [0.05, 0.17, 0.333, 0.5, 0.9]) {
      const a = await assign({ share, seed: 11, replaceExisting: true });
      for (const s of a.strata) expect(Math.abs(s.holdout - share * s.targets)).toBeLessThanOrEqual(0.5);
      expect((await held()).map((r) => r.id)).toEqual(await handDraw(11, share));
    }
  });

  it("repeating a draw changes nothing; another seed draws other accounts", async () => {
    await reset();
    await assign({ share: 0.2, seed: 3 });
    const first = await held();
    const again = await assign({ share: 0.2, seed: 3 });
    expect(again.accountsAdded).toBe(0);
    expect(await held()).toEqual(first);
    const other = await assign({ share: 0.2, seed: 4, replaceExisting: true });
    const second = (await held()).map((r) => r.id);
    expect(second).toEqual(await handDraw(4, 0.2));
    expect(second).not.toEqual(first.map((r) => r.id));
    expect(other.accountsRemoved).toBe(first.filter((r) => !second.includes(r.id)).length);
    expect(other.accountsAdded).toBe(second.filter((id) => !first.some((r) => r.id === id)).length);
  });

  it("keeps existing holdouts and when they entered, and tops each stratum up to its share", async () => {
    await reset();
    const small = await assign({ share: 0.05, seed: 1 });
    const before = await held();
    await new Promise((r) => setTimeout(r, 20));
    const bigger = await assign({ share: 0.1, seed: 2 });
    expect(bigger.strata.map((s) => s.holdout)).toEqual([6, 9, 12, 3]);
    expect(bigger.accountsAdded).toBe(30 - small.accountsIn);
    const after = await held();
    for (const r of before) {
      const now = after.find((x) => x.id === r.id)!;
      expect(now.at.toISOString()).toBe(r.at.toISOString()); // entry time kept
      expect(now.assignment).toBe(small.id);
    }
    expect(after.filter((r) => r.assignment === bigger.id)).toHaveLength(bigger.accountsAdded);
    expect(after.filter((r) => r.assignment === bigger.id).every((r) => r.at.getTime() > before[0]!.at.getTime())).toBe(true);
    // replacing with the same seed keeps the entry time of accounts that stay in
    const replaced = await assign({ share: 0.05, seed: 1, replaceExisting: true });
    expect(replaced.accountsRemoved).toBe(bigger.accountsAdded);
    expect(await held()).toEqual(before);
  });

  it("stratifies by NONE, and by the current band of the model line", async () => {
    const none = await assign({ share: 0.1, seed: 5, stratifyBy: "NONE", replaceExisting: true });
    expect(none.strata).toEqual([{ stratum: "ALL", targets: 300, holdout: 30, added: expect.any(Number), share: 0.1 }]);

    expect(await errorCode(assign({ share: 0.1, seed: 5, stratifyBy: "BAND" }))).toBe("BAD_USER_INPUT");
    const db = server.database.db;
    const [modelId] = await insertRows(db, "scoring_models", [{ name: "default", version: 1, status: "ACTIVE", definition: JSON.stringify({ bands: [] }) }]);
    const [runId] = await insertRows(db, "scoring_runs", [{ model_id: modelId, as_of: new Date("2026-11-01T00:00:00Z"), status: "SUCCEEDED" }]);
    // Hot: the first 40 target accounts by id, Cold: the next 200, the last 60 unscored.
    await db.query(
      `INSERT INTO account_scores (run_id, account_id, model_id, as_of, total, fit, engagement, intent, committee, band, grade, status, contributions)
       SELECT $1, id, $2, '2026-11-01T00:00:00Z', 0, 0, 0, 0, 0, CASE WHEN rn <= 40 THEN 'Hot' ELSE 'Cold' END, 'D4', 'NURTURE', '{}'
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM accounts WHERE is_target) t WHERE rn <= 240`, [runId, modelId]);
    const byBand = await assign({ share: 0.25, seed: 9, stratifyBy: "BAND", replaceExisting: true });
    expect(byBand).toMatchObject({ stratifyBy: "BAND", model: "default", runId: toGlobalId("ScoringRun", runId!) });
    expect(byBand.strata.map((s) => [s.stratum, s.targets, s.holdout])).toEqual([["Cold", 200, 50], ["Hot", 40, 10], ["UNSCORED", 60, 15]]);
  });

  it("lists assignments newest first, and marks held-out accounts in account lists", async () => {
    const list = await analyst.request<{ holdoutAssignments: { totalCount: number; edges: { node: Assignment }[] } }>(HOLDOUT_ASSIGNMENTS, { first: 2 });
    expect(list.holdoutAssignments.totalCount).toBeGreaterThan(5);
    const [newest, previous] = list.holdoutAssignments.edges.map((e) => e.node);
    expect(Number(newest!.id)).toBeGreaterThan(Number(previous!.id));
    expect(newest).toMatchObject({ stratifyBy: "BAND", share: 0.25, seed: 9 });
    expect(newest!.strata).toHaveLength(3);
    const page = await analyst.request<{ accounts: { totalCount: number; edges: { node: { isHoldout: boolean } }[] } }>(ACCOUNTS_PAGE, { filter: { isHoldout: true }, first: 500 });
    expect(page.accounts.totalCount).toBe(newest!.accountsIn);
    expect(page.accounts.edges.every((e) => e.node.isHoldout)).toBe(true);
  });

  it("needs the ANALYZE permission, and says what to fix on bad input", async () => {
    const viewer = await server.client(Role.VIEWER);
    expect(await errorCode(assign({ share: 0.1, seed: 1 }, viewer))).toBe("FORBIDDEN");
    expect(await errorCode(assign({ share: 0.1, seed: 1 }, await server.client(Role.INGEST)))).toBe("FORBIDDEN");
    for (const share of [1, 0, 1.5, -0.1]) {
      const err = await assign({ share, seed: 1 }).catch((e: unknown) => e);
      const first = (err as { response: { errors: { message: string; extensions: { code: string } }[] } }).response.errors[0]!;
      expect(first.extensions.code).toBe("BAD_USER_INPUT");
      expect(first.message).toMatch(/share must be strictly between 0 and 1, e.g. 0.1/);
    }
    expect(await errorCode(assign({ share: 0.1, seed: 1, stratifyBy: "TIER", model: "default" }))).toBe("BAD_USER_INPUT");
    const before = await held();
    expect(await errorCode(assign({ share: 2, seed: 1, replaceExisting: true }))).toBe("BAD_USER_INPUT");
    expect(await held()).toEqual(before);
  });
});
