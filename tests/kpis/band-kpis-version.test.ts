/**
 * The version Sales acted on: an account's band at `from` comes from the version that was
 * ACTIVE at `from` (read from the model_changes activation history that the council's gate
 * writes), so activating and re-scoring later leaves a past window's bands as they were;
 * `modelId` names another version explicitly, and the report says which it used and why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { insertRows } from "../support/fixtures";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { toGlobalId } from "../../src/platform/graphql/global-id";
import { activateThroughCouncil } from "../support/council";
import { CREATE_MODEL, modelInput, RUN_SCORING } from "../scoring/support";

const REPORT = gql`
  query Version($input: BandKpiInput!) {
    bandKpis(input: $input) {
      model modelId modelVersion versionSource versionReason bandRule asOfRun { id modelVersion }
      groups { band treated { accounts } holdout { accounts } }
    }
  }
`;

interface Report {
  model: string; modelId: string; modelVersion: number; versionSource: string; versionReason: string; bandRule: string;
  asOfRun: { id: string; modelVersion: number } | null;
  groups: { band: string; treated: { accounts: number }; holdout: { accounts: number } }[];
}

let server: TestServer;
let admin: GraphQLClient;

/** A model whose total is its fit: `hot` tier scores 80 (Hot), `warm` tier 50 (Warm). */
const tiered = (hot: string, warm: string) => modelInput("tiered", {
  weights: { fit: 1, engagement: 0, intent: 0, committee: 0 },
  fitRules: [
    { key: "hot", label: `Tier ${hot}`, field: "tier", operator: "EQ", values: [hot], points: 80 },
    { key: "warm", label: `Tier ${warm}`, field: "tier", operator: "EQ", values: [warm], points: 50 },
  ],
  bands: [{ name: "Cold", minScore: 0 }, { name: "Warm", minScore: 40 }, { name: "Hot", minScore: 70 }],
});

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.client(Role.ADMIN);
  const db = server.database.db;
  // Tier A: 3 accounts (1 held out), tier B: 2 accounts (1 held out).
  for (const [key, tier, holdout] of [["a1", "A", false], ["a2", "A", false], ["a3", "A", true], ["b1", "B", false], ["b2", "B", true]] as const) {
    const [id] = await insertRows(db, "accounts", [{ domain: `${key}.version.example`, name: key, tier, is_target: true, is_holdout: holdout, holdout_assigned_at: holdout ? new Date("2025-01-01T00:00:00Z") : null }]);
    if (holdout) await insertRows(db, "holdout_memberships", [{ account_id: id, entered_at: new Date("2025-01-01T00:00:00Z"), entry_reason: "test" }]);
  }
});
afterAll(async () => { await server?.stop(); });

const create = async (input: Record<string, unknown>) => (await admin.request<{ createScoringModel: { rowId: string } }>(CREATE_MODEL, { input })).createScoringModel.rowId;
/** The global id the API serves for a model version. */
const gid = (rowId: string) => toGlobalId("ScoringModel", rowId);
const activate = async (id: string) => activateThroughCouncil(server, id);
const score = async (modelId: string, asOf: Date) => admin.request(RUN_SCORING, { modelId, asOf: asOf.toISOString() });
const report = async (input: Record<string, unknown>) => (await admin.request<{ bandKpis: Report }>(REPORT, { input: { model: "tiered", bootstrapIterations: 100, ...input } })).bandKpis;
const bands = (r: Report) => Object.fromEntries(r.groups.map((g) => [g.band, [g.treated.accounts, g.holdout.accounts]]));
const activatedAt = async (modelId: string) => (await server.database.db.query<{ at: Date }>(
  "SELECT at FROM model_changes WHERE model_id = $1 AND kind IN ('ACTIVATED', 'ROLLBACK', 'BREAK_GLASS') ORDER BY at DESC LIMIT 1", [modelId]))[0]!.at;

describe("bandKpis: the version Sales acted on", () => {
  let v1: string;
  let v2: string;
  let from: Date;
  let before: Report;

  it("bands a window by the version ACTIVE at its start, as recorded when the council activated it", async () => {
    v1 = await create(tiered("A", "B"));
    await activate(v1);
    from = new Date((await activatedAt(v1)).getTime() + 1);
    await score(v1, from);
    before = await report({ from: from.toISOString(), to: new Date(from.getTime() + 30 * 86_400_000).toISOString() });
    expect(before).toMatchObject({ modelId: gid(v1), modelVersion: 1, versionSource: "ACTIVE_AT_FROM", asOfRun: { modelVersion: 1 } });
    expect(before.versionReason).toMatch(new RegExp(`^tiered v1, the version ACTIVE at ${from.toISOString()} \\(activated \\S+ by council-approver-${v1}-1\\): the bands Sales acted on\\.$`));
    expect(before.bandRule).toMatch(/latest tiered v1 \(the version ACTIVE at the window's start\) score/);
    expect(bands(before)).toEqual({ Cold: [0, 0], Warm: [1, 1], Hot: [2, 1] });
  });

  it("re-banding after an activation leaves the past window's bands as they were", async () => {
    v2 = await create(tiered("B", "A")); // tiers swap bands
    await activate(v2);
    const changes = await server.database.db.query<{ model_id: string; previous_model_id: string | null; kind: string }>(
      "SELECT model_id::text, previous_model_id::text, kind FROM model_changes WHERE line = 'tiered' AND kind IN ('ACTIVATED', 'ROLLBACK', 'BREAK_GLASS') ORDER BY at, id");
    expect(changes).toEqual([{ model_id: v1, previous_model_id: null, kind: "ACTIVATED" }, { model_id: v2, previous_model_id: v1, kind: "ACTIVATED" }]);
    // v2 now has a run as of the old window's start too (a backfill): today's ACTIVE version, scored at from
    await score(v2, from);
    const after = await report({ from: from.toISOString(), to: new Date(from.getTime() + 30 * 86_400_000).toISOString() });
    expect(after).toMatchObject({ modelId: gid(v1), modelVersion: 1, versionSource: "ACTIVE_AT_FROM" });
    expect(bands(after)).toEqual(bands(before));
  });

  it("uses another version when the request names it, and says so", async () => {
    const named = await report({ from: from.toISOString(), to: new Date(from.getTime() + 30 * 86_400_000).toISOString(), modelId: v2 });
    expect(named).toMatchObject({ modelId: gid(v2), modelVersion: 2, versionSource: "REQUESTED" });
    expect(named.versionReason).toBe(`tiered v2, named by the request (modelId ${v2}); v1 was the ACTIVE version at ${from.toISOString()}.`);
    expect(bands(named)).toEqual({ Cold: [0, 0], Warm: [2, 1], Hot: [1, 1] });
    // a window that starts after the second activation is banded by v2
    const later = new Date((await activatedAt(v2)).getTime() + 1);
    await score(v2, later);
    const now = await report({ from: later.toISOString(), to: new Date(later.getTime() + 86_400_000).toISOString() });
    expect(now).toMatchObject({ modelVersion: 2, versionSource: "ACTIVE_AT_FROM" });
  });

  it("refuses an unknown version, or one of another line, saying what to pass", async () => {
    const window = { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString() };
    expect(await errorCode(report({ ...window, modelId: "999999" }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(report({ ...window, modelId: "not-an-id" }))).toBe("BAD_USER_INPUT");
    const other = await create({ ...tiered("A", "B"), name: "other" });
    const err = await report({ ...window, modelId: other }).catch((e: unknown) => e);
    const first = (err as { response: { errors: { message: string; extensions: { code: string } }[] } }).response.errors[0]!;
    expect(first.extensions.code).toBe("BAD_USER_INPUT");
    expect(first.message).toBe(`modelId ${other} is a version of "other", not of "tiered"; omit model, or pass a version of "tiered".`);
  });
});
