import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { startTestServer, type TestServer } from "../support/server";
import { createModel, modelInput, rule } from "./support";
import { activateThroughCouncil, approveThroughCouncil } from "../support/council";

let server: TestServer;
let admin: GraphQLClient;
let viewer: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.client();
  viewer = await server.client(Role.VIEWER);
  const db = server.database.db;
  // Enough accounts and events that scoring them takes a while.
  await db.query(`INSERT INTO accounts (domain, name, industry, employees)
                  SELECT 'act' || g || '.test', 'Account ' || g, (ARRAY['Software', 'Media', 'Retail'])[1 + g % 3], 50 + g FROM generate_series(1, 4000) g`);
  await db.query(`INSERT INTO engagement_events (external_id, account_id, type, occurred_at, source)
                  SELECT 'e' || g, a.id, (ARRAY['demo_request', 'pricing_page_view', 'webinar_attended'])[1 + g % 3], now() - (g % 40) * interval '1 day', 'web'
                    FROM generate_series(1, 40000) g JOIN accounts a ON a.domain = 'act' || (1 + g % 4000) || '.test'`);
  await db.query("ANALYZE accounts; ANALYZE engagement_events");
}, 120_000);
afterAll(async () => server?.stop());

const READS = gql`query Reads {
  account(domain: "act7.test") { score(model: "board") { total model { version } } }
  accounts(first: 5, orderBy: { field: SCORE, direction: DESC }) { edges { node { score(model: "board") { total model { version } } } } }
  scoreDistribution(model: "board") { band count }
}`;
type Reads = {
  account: { score: { total: number; model: { version: number } } | null };
  accounts: { edges: { node: { score: { total: number; model: { version: number } } | null } }[] };
  scoreDistribution: { band: string; count: number }[];
};
const ACTIVATE = gql`mutation A($id: ID!) { activateScoringModel(id: $id) { id version status } }`;
const RUNS = gql`{ scoringRuns(first: 5) { edges { node { id kind accountsScored model { version } } } } }`;
const TRANSITIONS = gql`query T($since: DateTime!) { bandTransitions(since: $since, model: "board", first: 500) { totalCount edges { node { cause runId } } } }`;

describe("activating a version", () => {
  it("never serves a null score or an empty distribution while the new version is scored, then switches at once", async () => {
    const v1 = await createModel(admin, modelInput("board", { engagementRules: [rule("demos", ["demo_request"], 30, { halfLifeDays: 30, lookbackDays: 90 })] }));
    await activateThroughCouncil(server, v1);
    const v2 = await createModel(admin, modelInput("board", {
      engagementRules: [rule("demos", ["demo_request"], 10, { halfLifeDays: 30, lookbackDays: 90 }), rule("pricing", ["pricing_page_view", "webinar_attended"], 25, { halfLifeDays: 20, lookbackDays: 60 })],
    }));
    const since = new Date();

    const seen: { version: number; during: boolean }[] = [];
    let activating = true;
    const { approver } = await approveThroughCouncil(server, v2);
    const activation = approver.request<{ activateScoringModel: { version: number; status: string } }>(ACTIVATE, { id: v2 }).finally(() => { activating = false; });
    while (activating) {
      const during = activating;
      const r = await viewer.request<Reads>(READS);
      // Every read is whole: a score for the account, scores on the page, a distribution with accounts in it.
      expect(r.account.score).not.toBeNull();
      expect(r.accounts.edges.every((e) => e.node.score !== null)).toBe(true);
      expect(r.scoreDistribution.reduce((n, b) => n + b.count, 0)).toBe(4000);
      const versions = new Set([r.account.score!.model.version, ...r.accounts.edges.map((e) => e.node.score!.model.version)]);
      expect(versions.size).toBe(1); // never a mix of versions in one response
      seen.push({ version: [...versions][0]!, during });
    }
    const activated = (await activation).activateScoringModel;
    expect(activated).toMatchObject({ version: 2, status: "ACTIVE" });
    // Reads went on during the activation run and served the previous version until it committed.
    expect(seen.filter((s) => s.during && s.version === 1).length).toBeGreaterThan(2);
    const firstV2 = seen.findIndex((s) => s.version === 2);
    if (firstV2 >= 0) expect(seen.slice(firstV2).every((s) => s.version === 2)).toBe(true);

    // Once it returned, every read serves the new version.
    const after = await viewer.request<Reads>(READS);
    expect(after.account.score!.model.version).toBe(2);
    expect(after.accounts.edges.every((e) => e.node.score!.model.version === 2)).toBe(true);

    const runs = (await viewer.request<{ scoringRuns: { edges: { node: { id: string; kind: string; accountsScored: number; model: { version: number } } }[] } }>(RUNS)).scoringRuns.edges.map((e) => e.node);
    const activationRun = runs.find((r) => r.model.version === 2)!;
    expect(activationRun).toMatchObject({ kind: "FULL", accountsScored: 4000 });
    const transitions = (await viewer.request<{ bandTransitions: { totalCount: number; edges: { node: { cause: string; runId: string } }[] } }>(TRANSITIONS, { since })).bandTransitions;
    const ofActivation = transitions.edges.map((e) => e.node).filter((t) => t.runId === activationRun.id);
    expect(ofActivation.length).toBeGreaterThan(0);
    expect(new Set(ofActivation.map((t) => t.cause))).toEqual(new Set(["MODEL_CHANGE"]));
  }, 120_000);

  it("refuses an unknown version without scoring anything", async () => {
    const before = (await viewer.request<{ scoringRuns: { edges: unknown[] } }>(RUNS)).scoringRuns.edges.length;
    await expect(admin.request(ACTIVATE, { id: "999999" })).rejects.toThrow(/not found|No scoring model|999999/i);
    const after = (await viewer.request<{ scoringRuns: { edges: unknown[] } }>(RUNS)).scoringRuns.edges.length;
    expect(after).toBe(before);
  });
});
