import { decodeId } from "../../src/platform/graphql/global-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { ACTIVATE_WITH, activateThroughCouncil, COUNCIL_REVIEW, keyClient, SUBMIT } from "../support/council";
import { startTestServer, type TestServer } from "../support/server";
import { account, createModel, events, modelInput, rule, runScoring } from "../scoring/support";

let server: TestServer;
let analyst: GraphQLClient;
let viewer: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  analyst = await server.client(Role.ANALYST);
  viewer = await server.client(Role.VIEWER);
});
afterAll(async () => { await server?.stop(); });

const IMPACT_FIELDS = `asOf activeModelId accounts bandMatrix { from to accounts } targetMovesCount targetMoves(first: 500) { cursor domain name from to }
  newlySqa noLongerSqa newlyMqa noLongerMqa slaClocksStarted`;
const PROPOSAL = gql`query P($id: ID!) { weightProposal(id: $id) { id impact { ${IMPACT_FIELDS} } } }`;
const IMPACT_NOW = gql`query I($id: ID!) { proposalImpact(id: $id) { ${IMPACT_FIELDS} } }`;
const PAGE = gql`query Page($id: ID!, $after: String) { weightProposal(id: $id) { impact { targetMoves(first: 2, after: $after) { cursor domain } } } }`;

interface Impact {
  asOf: string; activeModelId: string; accounts: number; bandMatrix: { from: string | null; to: string | null; accounts: number }[];
  targetMovesCount: number; targetMoves: { cursor: string; domain: string; name: string; from: string | null; to: string | null }[];
  newlySqa: number; noLongerSqa: number; newlyMqa: number; noLongerMqa: number; slaClocksStarted: number;
}

describe("impact preview", () => {
  it("predicts exactly what a run of the proposed version does to each account's latest score, stored with the proposal and recomputed on demand", async () => {
    const db = server.database.db;
    const recent = new Date(Date.now() - 3_600_000);
    // 24 accounts with 0–5 demo requests; every other one a target.
    for (let i = 0; i < 24; i++) {
      const id = await account(db, `imp${String(i).padStart(2, "0")}.test`, { is_target: i % 2 === 0 });
      await events(db, Array.from({ length: i % 6 }, () => ({ account: id, type: "demo_request", at: recent })));
    }
    const thresholds = { nurture: 10, mqa: 40, sqa: 60, minFit: 0, minEngagedContacts: 0 };
    const v1 = await createModel(analyst, modelInput("imp", { engagementRules: [rule("demo", ["demo_request"], 15)], thresholds }));
    await activateThroughCouncil(server, v1);
    const before = await runScoring(analyst, { model: "imp" });
    // v2: 25 points a request — accounts climb bands and statuses.
    const v2 = await createModel(analyst, modelInput("imp", { engagementRules: [rule("demo", ["demo_request"], 25)], thresholds }));
    const { submitModelForReview: p } = await analyst.request<{ submitModelForReview: { id: string } }>(SUBMIT, { id: v2, comment: "Demo requests are worth more." });
    const stored = (await viewer.request<{ weightProposal: { impact: Impact } }>(PROPOSAL, { id: p.id })).weightProposal.impact;
    expect(stored.activeModelId).toBe(v1);

    // What a real run of v2 at the same instant stores, against each account's v1 snapshot.
    const after = await runScoring(analyst, { modelId: v2, asOf: new Date(stored.asOf) });
    const rows = await db.query<{ domain: string; name: string; is_target: boolean; fb: string; fs: string; tb: string; ts: string }>(
      `SELECT a.domain, a.name, a.is_target, f.band AS fb, f.status AS fs, t.band AS tb, t.status AS ts
         FROM accounts a JOIN account_scores f ON f.account_id = a.id AND f.run_id = $1 JOIN account_scores t ON t.account_id = a.id AND t.run_id = $2
        ORDER BY a.domain`, [before.rowId, after.rowId]);
    expect(rows).toHaveLength(24);
    const matrix = new Map<string, number>();
    for (const r of rows) matrix.set(`${r.fb}→${r.tb}`, (matrix.get(`${r.fb}→${r.tb}`) ?? 0) + 1);
    expect(stored.accounts).toBe(24);
    expect(new Map(stored.bandMatrix.map((m) => [`${m.from}→${m.to}`, m.accounts]))).toEqual(matrix);
    expect(stored.bandMatrix.some((m) => m.from !== m.to)).toBe(true);
    const moves = rows.filter((r) => r.is_target && r.fb !== r.tb);
    expect(stored.targetMoves.map((m) => [m.domain, m.name, m.from, m.to])).toEqual(moves.map((r) => [r.domain, r.name, r.fb, r.tb]));
    expect(stored.targetMovesCount).toBe(moves.length);
    const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    expect(stored.newlySqa).toBe(count((r) => r.ts === "SQA" && r.fs !== "SQA"));
    expect(stored.noLongerSqa).toBe(count((r) => r.fs === "SQA" && r.ts !== "SQA"));
    expect(stored.newlyMqa).toBe(count((r) => r.ts === "MQA" && r.fs !== "MQA"));
    expect(stored.noLongerMqa).toBe(count((r) => r.fs === "MQA" && r.ts !== "MQA"));
    expect(stored.newlySqa).toBeGreaterThan(0);
    // Pages of target moves, by cursor.
    const first = (await viewer.request<{ weightProposal: { impact: { targetMoves: { cursor: string; domain: string }[] } } }>(PAGE, { id: p.id })).weightProposal.impact.targetMoves;
    const second = (await viewer.request<{ weightProposal: { impact: { targetMoves: { cursor: string; domain: string }[] } } }>(PAGE, { id: p.id, after: first.at(-1)!.cursor })).weightProposal.impact.targetMoves;
    expect([...first, ...second].map((m) => m.domain)).toEqual(stored.targetMoves.slice(0, 4).map((m) => m.domain));

    // As of now: a new hand-raiser changes the live preview, not the stored one.
    const [quiet] = await db.query<{ id: string }>("SELECT id::text FROM accounts WHERE domain = 'imp00.test'");
    await events(db, Array.from({ length: 5 }, () => ({ account: quiet!.id, type: "demo_request", at: new Date() })));
    const now = (await viewer.request<{ proposalImpact: Impact }>(IMPACT_NOW, { id: p.id })).proposalImpact;
    expect(Date.parse(now.asOf)).toBeGreaterThan(Date.parse(stored.asOf));
    expect(now.targetMoves.find((m) => m.domain === "imp00.test")).toMatchObject({ from: "Cold", to: "Hot" });
    expect(stored.targetMoves.find((m) => m.domain === "imp00.test")).toBeUndefined();
    expect((await viewer.request<{ weightProposal: { impact: Impact } }>(PROPOSAL, { id: p.id })).weightProposal.impact).toEqual(stored);

    // SLA clocks: once the council puts v2 live, its first run at the same instant records, against
    // the v1 snapshots, exactly the transitions with an SLA the preview counted.
    for (const name of ["imp-council-1", "imp-council-2"]) {
      const { client } = await keyClient(server, name, Role.COUNCIL);
      await client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "The preview shows what we want." });
    }
    const { client: activator } = await keyClient(server, "imp-council-3", Role.COUNCIL);
    await activator.request(ACTIVATE_WITH, { id: v2 });
    const live = await runScoring(analyst, { model: "imp", asOf: new Date(stored.asOf) });
    const [{ clocks }] = await db.query<{ clocks: number }>("SELECT count(*)::int AS clocks FROM band_transitions WHERE run_id = $1 AND sla_hours IS NOT NULL", [live.rowId]) as [{ clocks: number }];
    expect(clocks).toBeGreaterThan(0);
    expect(stored.slaClocksStarted).toBe(clocks);
  });
});
