import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { Rng } from "../../src/demo/random";
import type { Database } from "../../src/platform/db/database";
import { ingestApi } from "../ingest/helpers";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { ACTIVATE_MODEL, createModel, modelInput, rule, runScoring, SCORE_FIELDS, type Score } from "./support";

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

const CURRENT = gql`query Current($model: String) {
  accounts(first: 500) { edges { node { domain score(model: $model) { ${SCORE_FIELDS} } } } }
}`;
const HISTORY_AT = gql`query At($domain: String!, $modelId: ID, $at: DateTime) {
  account(domain: $domain) { scoreHistory(modelId: $modelId, from: $at, to: $at) { ${SCORE_FIELDS} } }
}`;
const RUNS = gql`query Runs($kind: RunKind) { scoringRuns(kind: $kind, first: 500) { edges { node { id kind asOf accountsScored transitions model { name } } } } }`;
const TRANSITIONS = gql`query T($since: DateTime!, $model: String) {
  bandTransitions(since: $since, model: $model, first: 500) { edges { node { cause runId account { domain } } } }
}`;

type Run = { id: string; kind: string; asOf: string; accountsScored: number; transitions: number; model: { name: string } };

/** What must be identical between a live score and a full run's score as of the same instant. */
const essence = (s: Score) => ({
  asOf: s.asOf, total: s.total, fit: s.fit, engagement: s.engagement, intent: s.intent, committee: s.committee,
  band: s.band, grade: s.grade, status: s.status, engagedContacts: s.engagedContacts, model: s.model.id,
  contributions: s.contributions.map((c) => [c.criterion, c.points]),
});

const queueEmpty = async () => {
  const [row] = await db.query<{ queued: number; running: number }>(
    "SELECT (SELECT count(*) FROM score_queue)::int AS queued, (SELECT count(*) FROM scoring_runs WHERE status = 'RUNNING')::int AS running");
  return row!.queued === 0 && row!.running === 0;
};

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;

/** Random facts, sent as GraphQL batches of a few rows each (seeded: the same facts every run). */
async function ingestRandomFacts(rng: Rng, batches: number): Promise<void> {
  const domains: string[] = [];
  const emails: string[] = [];
  const now = Date.now();
  const roles = ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR", "USER", null];
  const types = ["demo_request", "pricing_page_view", "meeting_held", "webinar_attended", "content_download", "email_reply", "page_view", "email_click"];
  const topics = ["lead scoring", "intent data", "sales engagement", "crm migration", "unrelated topic"];
  const industries = ["Software", "Healthcare", "Media", "Retail"];
  let n = 0;
  const newAccount = () => {
    const domain = `live${n++}.test`;
    const parentDomain = domains.length > 2 && rng.next() < 0.3 ? pick(rng, domains) : undefined;
    domains.push(domain);
    return { domain, name: `Live ${n}`, industry: pick(rng, industries), employees: rng.int(10, 20_000), region: pick(rng, ["NA", "EMEA", "APAC"]), parentDomain };
  };
  await ingest.accounts(Array.from({ length: 25 }, newAccount));
  for (let b = 0; b < batches; b++) {
    // Now and then let the scorer catch up, so accounts end up scored at many instants.
    if (b % 8 === 7) await waitFor("the live scorer to catch up", queueEmpty, 60_000);
    const kind = pick(rng, ["accounts", "contacts", "events", "events", "events", "intent", "deals"] as const);
    const at = () => new Date(now - rng.next() * 40 * DAY - 60_000).toISOString();
    let result;
    if (kind === "accounts") {
      const rows = rng.next() < 0.6 ? [newAccount()] : [{ domain: pick(rng, domains), name: "Renamed", industry: pick(rng, industries), employees: rng.int(10, 20_000) }];
      result = await ingest.accounts(rows);
    } else if (kind === "contacts") {
      const rows = Array.from({ length: rng.int(1, 3) }, () => {
        const email = rng.next() < 0.3 && emails.length ? pick(rng, emails) : `p${emails.length}-${b}@${pick(rng, domains)}`;
        if (!emails.includes(email)) emails.push(email);
        return { email, name: "Person", role: pick(rng, roles), seniority: pick(rng, ["VP", "MANAGER", "DIRECTOR"]) };
      });
      result = await ingest.contacts([...new Map(rows.map((r) => [r.email, r])).values()]);
    } else if (kind === "events") {
      result = await ingest.events(Array.from({ length: rng.int(1, 8) }, (_, i) => ({
        externalId: `ev-${b}-${i}`, type: pick(rng, types), occurredAt: at(),
        ...(emails.length && rng.next() < 0.7 ? { contactEmail: pick(rng, emails) } : { accountDomain: pick(rng, domains) }),
      })));
    } else if (kind === "intent") {
      result = await ingest.intent(Array.from({ length: rng.int(1, 3) }, (_, i) => ({
        accountDomain: pick(rng, domains), topic: pick(rng, topics), strength: rng.int(1, 100), observedAt: at(), source: `src-${b}-${i}`,
      })));
    } else {
      result = await ingest.deals([{ externalId: `deal-${b}`, accountDomain: pick(rng, domains), name: "Deal", amount: rng.int(1_000, 90_000), outcome: "OPEN", createdAt: at() }]);
    }
    expect(result.errors).toEqual([]);
  }
}

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
    await admin.request(ACTIVATE_MODEL, { id: other });

    await ingestRandomFacts(new Rng(20261207), 80);
    await waitFor("the live scorer to take every queued account", queueEmpty, 60_000);

    const runs = (await admin.request<{ scoringRuns: { edges: { node: Run }[] } }>(RUNS, { kind: "INCREMENTAL" })).scoringRuns.edges.map((e) => e.node);
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.every((r) => r.kind === "INCREMENTAL")).toBe(true);
    expect(new Set(runs.map((r) => r.model.name))).toEqual(new Set(["default", "second"]));
    const [{ n: accounts }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts") as [{ n: number }];
    // Incremental runs score the touched accounts, not all of them.
    expect(Math.min(...runs.map((r) => r.accountsScored))).toBeLessThan(accounts);

    for (const line of ["default", "second"]) {
      const current = (await admin.request<{ accounts: { edges: { node: { domain: string; score: Score | null } }[] } }>(CURRENT, { model: line })).accounts.edges.map((e) => e.node);
      expect(current.length).toBe(accounts);
      // Every account has a current score: none is left unscored by live scoring.
      expect(current.filter((a) => a.score === null).map((a) => a.domain)).toEqual([]);
      const byInstant = new Map<string, { domain: string; score: Score }[]>();
      for (const a of current) byInstant.set(a.score!.asOf, [...(byInstant.get(a.score!.asOf) ?? []), { domain: a.domain, score: a.score! }]);
      expect(byInstant.size).toBeGreaterThan(3); // accounts were scored at different instants
      // A full run as of each instant gives exactly the same numbers.
      const modelId = current[0]!.score!.model.id;
      for (const [asOf, scored] of byInstant) {
        const full = await runScoring(admin, { modelId, asOf: new Date(asOf) });
        expect(full.asOf).toBe(asOf);
        for (const { domain, score } of scored) {
          const at = (await admin.request<{ account: { scoreHistory: Score[] } }>(HISTORY_AT, { domain, modelId, at: asOf })).account.scoreHistory;
          const fromFull = at.find((s) => s.runId === full.id);
          expect(fromFull, `${domain} in the full run as of ${asOf}`).toBeDefined();
          expect(essence(fromFull!), `${line}: ${domain} as of ${asOf}`).toEqual(essence(score));
        }
      }
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
