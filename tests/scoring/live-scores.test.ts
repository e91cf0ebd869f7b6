import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { Rng } from "../../src/demo/random";
import type { Database } from "../../src/platform/db/database";
import { ingestApi } from "../ingest/helpers";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { expectLiveEqualsFull, ingestRandomFacts, scorerIdle } from "./live-support";
import { activateThroughCouncil } from "../support/council";
import { createModel, modelInput, rule, runScoring } from "./support";

const DAY = 86_400_000;

let server: TestServer;
let db: Database;
let admin: GraphQLClient;
let ingest: ReturnType<typeof ingestApi>;

beforeAll(async () => {
  server = await startTestServer({ LIVE_SCORING: "true", LIVE_SCORING_DELAY_MS: "150" });
  db = server.database.db;
  admin = await server.client();
  ingest = ingestApi(await server.client(Role.INGEST));
});
afterAll(async () => server?.stop());

const RUNS = gql`query Runs($kind: RunKind) { scoringRuns(kind: $kind, first: 500) { edges { node { id kind asOf accountsScored transitions model { name } } } } }`;
const TRANSITIONS = gql`query T($since: DateTime!, $model: String) {
  bandTransitions(since: $since, model: $model, first: 500) { edges { node { cause runId account { domain } } } }
}`;

type Run = { id: string; kind: string; asOf: string; accountsScored: number; transitions: number; model: { name: string } };

const queueEmpty = () => scorerIdle(db);

describe("live scores", () => {
  it("scores what ingest touched within seconds, and equals a full run as of the same instant", async () => {
    // Two ACTIVE lines: the shipped default (SUM roll-up) and a second with decay and MAX roll-up.
    await runScoring(admin);
    const other = await createModel(admin, modelInput("second", {
      weights: { fit: 0.2, engagement: 0.5, intent: 0.3, committee: 0 },
      fitRules: [{ key: "sw", label: "Software", field: "industry", operator: "IN", values: ["Software"], points: 70 }],
      engagementRules: [rule("hot", ["demo_request", "meeting_held"], 35, { halfLifeDays: 7, lookbackDays: 30, capPerContact: 50 }), rule("warm", ["pricing_page_view", "webinar_attended"], 12, { halfLifeDays: 14, lookbackDays: 60 })],
      intentRules: [{ key: "topics", label: "Topics", topics: ["lead scoring", "crm migration"], points: 60, halfLifeDays: 10, lookbackDays: 30 }],
      rollup: "MAX",
    }));
    await activateThroughCouncil(server, other);

    await ingestRandomFacts(ingest, new Rng(20261207), 80, async (b) => {
      // Now and then let the scorer catch up, so accounts end up scored at many instants.
      if (b % 8 === 7) await waitFor("the live scorer to catch up", queueEmpty, 60_000);
    });
    await waitFor("the live scorer to take every queued account", queueEmpty, 60_000);

    const runs = (await admin.request<{ scoringRuns: { edges: { node: Run }[] } }>(RUNS, { kind: "INCREMENTAL" })).scoringRuns.edges.map((e) => e.node);
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.every((r) => r.kind === "INCREMENTAL")).toBe(true);
    expect(new Set(runs.map((r) => r.model.name))).toEqual(new Set(["default", "second"]));
    const [{ n: accounts }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts") as [{ n: number }];
    // Incremental runs score the touched accounts, not all of them.
    expect(Math.min(...runs.map((r) => r.accountsScored))).toBeLessThan(accounts);

    for (const line of ["default", "second"]) {
      // Accounts were scored at different instants; a full run as of each gives exactly the same numbers.
      expect(await expectLiveEqualsFull(admin, line, accounts)).toBeGreaterThan(3);
    }

    // Incremental runs' transitions are caused by events; a full run now, with nothing new, by decay alone.
    const since = new Date(Date.now() - DAY);
    const transitions = (await admin.request<{ bandTransitions: { edges: { node: { cause: string; runId: string } }[] } }>(TRANSITIONS, { since, model: "default" })).bandTransitions.edges.map((e) => e.node);
    const incremental = new Set(runs.map((r) => r.id));
    const live = transitions.filter((t) => incremental.has(t.runId));
    expect(live.length).toBeGreaterThan(0);
    expect(new Set(live.map((t) => t.cause))).toEqual(new Set(["EVENTS"]));
    const rebase = await runScoring(admin, { model: "default" });
    const after = (await admin.request<{ bandTransitions: { edges: { node: { cause: string; runId: string } }[] } }>(TRANSITIONS, { since, model: "default" })).bandTransitions.edges.map((e) => e.node);
    expect(after.filter((t) => t.runId === rebase.id).every((t) => t.cause === "DECAY")).toBe(true);
  }, 240_000);

  it("consumes the queue in the run's transaction and leaves touches committed meanwhile queued", async () => {
    await waitFor("an idle scorer", queueEmpty, 30_000);
    const [{ id }] = await db.query<{ id: string }>("SELECT id::text FROM accounts ORDER BY id LIMIT 1") as [{ id: string }];
    await db.query("SELECT score_queue_touch(ARRAY[$1::bigint])", [id]);
    await waitFor("the touch to be scored", queueEmpty, 30_000);
    const [latest] = await db.query<{ kind: string; accounts_scored: number }>(
      "SELECT kind, accounts_scored FROM scoring_runs WHERE status = 'SUCCEEDED' ORDER BY id DESC LIMIT 1");
    expect(latest).toMatchObject({ kind: "INCREMENTAL" });
    expect(latest!.accounts_scored).toBeGreaterThanOrEqual(1);
  });
});
