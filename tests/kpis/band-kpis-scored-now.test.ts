/**
 * Accounts without a snapshot at or before the window's start get their band from the scoring
 * engine run as of `from` inside the report's transaction, which is rolled back: the report
 * is complete and nothing is written.
 */
import { toGlobalId } from "../../src/platform/graphql/global-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { DEFAULT_EVENT_TYPES } from "../../src/platform/config/config";
import { normaliseModelInput } from "../../src/scoring/model-validation";
import { insertRows } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/server";

const REPORT = gql`
  query ScoredNow($input: BandKpiInput!) {
    bandKpis(input: $input) {
      modelVersion asOfRun { id } bandRule scoredAsOfFrom unscoredAccounts warnings
      groups { band treated { accounts wonDeals } holdout { accounts } }
      scoreQuality { aucAccounts }
    }
  }
`;

interface Report {
  modelVersion: number; asOfRun: { id: string } | null; bandRule: string; scoredAsOfFrom: number; unscoredAccounts: number; warnings: string[];
  groups: { band: string; treated: { accounts: number; wonDeals: number }; holdout: { accounts: number } }[];
  scoreQuality: { aucAccounts: number };
}

let server: TestServer;
let client: GraphQLClient;
const ids = new Map<string, string>();

/** A model whose total is its fit: tier A scores 80 (Hot), tier B 50 (Warm), anything else 0 (Cold). */
const TIERED = normaliseModelInput({
  name: "tiered",
  weights: { fit: 1, engagement: 0, intent: 0, committee: 0 },
  fitRules: [
    { key: "tier_a", label: "Tier A", field: "tier", operator: "EQ", values: ["A"], points: 80 },
    { key: "tier_b", label: "Tier B", field: "tier", operator: "EQ", values: ["B"], points: 50 },
  ],
  bands: [{ name: "Cold", minScore: 0 }, { name: "Warm", minScore: 40 }, { name: "Hot", minScore: 70 }],
  thresholds: { nurture: 10, mqa: 40, sqa: 70, minFit: 0, minEngagedContacts: 0 },
}, { eventTypes: DEFAULT_EVENT_TYPES });

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(Role.ANALYST);
  const db = server.database.db;
  for (const [key, tier, holdout] of [["a1", "A", false], ["a2", "A", true], ["b1", "B", false], ["b2", "B", false], ["c1", "C", true], ["n1", null, false]] as const) {
    const [id] = await insertRows(db, "accounts", [{
      domain: `${key}.now.example`, name: key, tier, is_target: true, is_holdout: holdout, holdout_assigned_at: holdout ? new Date("2025-06-01T00:00:00Z") : null,
    }]);
    ids.set(key, id!);
    if (holdout) await insertRows(db, "holdout_memberships", [{ account_id: id, entered_at: new Date("2025-06-01T00:00:00Z"), entry_reason: "test" }]);
  }
  await insertRows(db, "scoring_models", [{ name: "tiered", version: 1, status: "ACTIVE", definition: JSON.stringify(TIERED.definition) }]);
  await insertRows(db, "deals", [{ external_id: "won-a1", account_id: ids.get("a1"), account_domain: "a1.now.example", amount: 1000, outcome: "WON",
    created_at: new Date("2026-02-01T00:00:00Z"), closed_at: new Date("2026-03-01T00:00:00Z") }]);
});
afterAll(async () => { await server?.stop(); });

const run = async () => (await client.request<{ bandKpis: Report }>(REPORT, { input: { from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z", model: "tiered" } })).bandKpis;
const stored = async () => (await server.database.db.query<{ n: number }>(
  "SELECT ((SELECT count(*) FROM account_scores) + (SELECT count(*) FROM scoring_runs) + (SELECT count(*) FROM band_transitions))::int AS n"))[0]!.n;

describe("bandKpis: accounts never scored before the window", () => {
  it("scores them as of from for the report, and stores nothing", async () => {
    const before = await stored();
    const r = await run();
    expect(r.asOfRun).toBeNull();
    expect(r.scoredAsOfFrom).toBe(6);
    expect(r.unscoredAccounts).toBe(0);
    const band = (name: string) => r.groups.find((g) => g.band === name)!;
    expect([band("Hot").treated.accounts, band("Hot").holdout.accounts]).toEqual([1, 1]); // a1, a2
    expect([band("Warm").treated.accounts, band("Warm").holdout.accounts]).toEqual([2, 0]); // b1, b2
    expect([band("Cold").treated.accounts, band("Cold").holdout.accounts]).toEqual([1, 1]); // n1, c1
    expect(band("Hot").treated.wonDeals).toBe(1);
    expect(r.groups.some((g) => g.band === "UNSCORED")).toBe(false);
    expect(r.scoreQuality.aucAccounts).toBe(6);
    expect(r.warnings.some((w) => /^6 accounts had no tiered v1 score at or before .* computed for this report and not stored/.test(w))).toBe(true);
    expect(r.bandRule).toMatch(/6 accounts without one were scored as of 2026-01-01T00:00:00.000Z for this report only/);
    expect(await stored()).toBe(before);
  });

  it("keeps stored snapshots where they exist and scores only the rest", async () => {
    const db = server.database.db;
    const [modelId] = (await db.query<{ id: string }>("SELECT id::text AS id FROM scoring_models WHERE name = 'tiered'")).map((r) => r.id);
    const [runId] = await insertRows(db, "scoring_runs", [{ model_id: modelId, as_of: new Date("2025-12-01T00:00:00Z"), status: "SUCCEEDED" }]);
    // b1 was Hot at the last run before the window, whatever the engine would say now.
    await db.query(
      `INSERT INTO account_scores (run_id, account_id, model_id, as_of, total, fit, engagement, intent, committee, band, grade, status, contributions)
       VALUES ($1, $2, $3, '2025-12-01T00:00:00Z', 75, 75, 0, 0, 0, 'Hot', 'A4', 'SQA', '{}')`, [runId, ids.get("b1"), modelId]);
    const before = await stored();
    const r = await run();
    expect(r.asOfRun).toEqual({ id: toGlobalId("ScoringRun", runId) });
    expect(r.scoredAsOfFrom).toBe(5);
    const hot = r.groups.find((g) => g.band === "Hot")!;
    expect(hot.treated.accounts).toBe(2); // a1 scored now, b1 from its snapshot
    expect(r.groups.find((g) => g.band === "Warm")!.treated.accounts).toBe(1);
    expect(await stored()).toBe(before);
  });
});
