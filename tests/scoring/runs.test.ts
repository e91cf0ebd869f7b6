import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError, gql, type GraphQLClient } from "graphql-request";
import { Client } from "pg";
import { Role } from "../../src/auth/roles";
import type { Database } from "../../src/platform/db/database";
import { activateThroughCouncil } from "../support/council";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import {
  account, contact, createModel, CURRENT_SCORE, daysBefore, events, hoursAfter, modelInput, rule, runScoring, SCORE_HISTORY,
  type Run, type Score,
} from "./support";

let server: TestServer;
let admin: GraphQLClient;
let analyst: GraphQLClient;
let viewer: GraphQLClient;
let db: Database;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.client();
  analyst = await server.client(Role.ANALYST);
  viewer = await server.client(Role.VIEWER);
  db = server.database.db;
});
afterAll(async () => { await server?.stop(); });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A line named `name` whose only criterion is events of `type` worth 40 each (no decay). */
async function activeLine(name: string, type = "demo_request"): Promise<string> {
  const id = await createModel(admin, modelInput(name, {
    engagementRules: [rule("demo", [type], 40)],
    thresholds: { nurture: 20, mqa: 35, sqa: 60, minFit: 0, minEngagedContacts: 0 },
  }));
  await activateThroughCouncil(server, id);
  return id;
}

describe("runs", () => {
  it("runs the active default model as of now when given nothing, creating the shipped default on first use", async () => {
    const a = await account(db, "first.test", { industry: "Software", employees: 800, region: "NA", technologies: ["salesforce"] });
    const c = await contact(db, a, "cto@first.test", { role: "DECISION_MAKER", seniority: "C_LEVEL" });
    await events(db, [{ account: a, contact: c, type: "demo_request", at: new Date(Date.now() - DAY) }]);
    const run = await runScoring(analyst);
    expect(run).toMatchObject({ status: "SUCCEEDED", accountsScored: 1, contactsScored: 1, model: { name: "default", version: 1 } });
    expect(Math.abs(Date.parse(run.asOf) - Date.now())).toBeLessThan(60_000);
    expect(run.distribution.reduce((n, b) => n + b.count, 0)).toBe(1);

    const res = await viewer.request<{ account: { score: Score } }>(CURRENT_SCORE, { domain: "first.test" });
    expect(res.account.score.runId).toBe(run.id);
    expect(res.account.score.fit).toBeCloseTo(30 + 25 + 10 + 15, 4); // core industry, 200–10k employees, salesforce, NA
    expect(res.account.score.contributions.reduce((s, x) => s + x.points, 0)).toBeCloseTo(res.account.score.total, 3);
  });

  it("needs ANALYZE, refuses future as-ofs and unknown models", async () => {
    expect(await errorCode(viewer.request(gql`mutation { runScoring { id } }`))).toBe("FORBIDDEN");
    expect(await errorCode(runScoring(analyst, { asOf: new Date(Date.now() + 2 * DAY) }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(runScoring(analyst, { modelId: "987654" }))).toBe("NOT_FOUND");
    expect(await errorCode(runScoring(analyst, { model: "no-such-line" }))).toBe("NOT_FOUND");
  });

  it("writes each run into partitions of its own inside monthly partitions", async () => {
    const run = await runScoring(analyst, { asOf: new Date("2026-03-10T00:00:00Z") });
    const children = async (parent: string) => (await db.query<{ relname: string }>(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1", [parent])).map((p) => p.relname);
    expect(await children("account_scores")).toEqual(expect.arrayContaining(["account_scores_y2026m03", "account_scores_default"]));
    expect(await children("account_scores_y2026m03")).toEqual(expect.arrayContaining([`account_scores_r${run.rowId}`, "account_scores_y2026m03_default"]));
    expect(await children("contact_scores_y2026m03")).toEqual(expect.arrayContaining([`contact_scores_r${run.rowId}`]));
    const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM account_scores_default") as [{ n: number }];
    expect(n).toBe(0);
    const [{ rows }] = await db.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM account_scores_r${run.rowId}`) as [{ rows: number }];
    expect(rows).toBe(run.accountsScored);
  });

  it("leaves no snapshots behind when a run fails, and records the failure", async () => {
    await db.query(`CREATE FUNCTION fail_scoring() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$`);
    await db.query("CREATE TRIGGER fail_scoring AFTER INSERT ON band_transitions FOR EACH STATEMENT EXECUTE FUNCTION fail_scoring()");
    try {
      expect(await errorCode(runScoring(analyst))).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await db.query("DROP TRIGGER fail_scoring ON band_transitions; DROP FUNCTION fail_scoring()");
    }
    const [failed] = await db.query<{ id: string; status: string; error: string; finished_at: Date | null }>(
      "SELECT id::text, status, error, finished_at FROM scoring_runs ORDER BY id DESC LIMIT 1");
    expect(failed).toMatchObject({ status: "FAILED", error: "disk on fire" });
    expect(failed!.finished_at).not.toBeNull();
    const left = await db.query("SELECT 1 FROM account_scores WHERE run_id = $1 UNION ALL SELECT 1 FROM contact_scores WHERE run_id = $1", [failed!.id]);
    expect(left).toHaveLength(0);
    const [tables] = await db.query<{ a: string | null; c: string | null }>("SELECT to_regclass($1) AS a, to_regclass($2) AS c", [`account_scores_r${failed!.id}`, `contact_scores_r${failed!.id}`]);
    expect(tables).toEqual({ a: null, c: null });
    const runs = await viewer.request<{ scoringRuns: { totalCount: number; edges: { node: { id: string; status: string; error: string } }[] } }>(
      gql`{ scoringRuns(first: 1) { totalCount edges { node { id: rowId status error } } } }`);
    expect(runs.scoringRuns.edges[0]!.node).toEqual({ id: failed!.id, status: "FAILED", error: "disk on fire" });
  });
});

describe("serialised runs", () => {
  /** Holds the run lock from outside, as a run in progress would, with its RUNNING row. */
  async function holdLock(): Promise<{ release(): Promise<void> }> {
    const pg = new Client({ connectionString: server.database.url });
    await pg.connect();
    await pg.query("BEGIN");
    await pg.query("SELECT pg_advisory_xact_lock(4212005)");
    const [model] = await db.query<{ id: string }>("SELECT id::text FROM scoring_models WHERE name = 'default'");
    await db.query("INSERT INTO scoring_runs (model_id, as_of, status, started_at) VALUES ($1, '2026-05-01T00:00:00Z', 'RUNNING', '2026-05-01T00:00:05Z')", [model!.id]);
    return { async release() { await pg.query("COMMIT"); await pg.end(); } };
  }

  it("makes a second run wait for the one in progress, then fail with CONFLICT naming it", async () => {
    const scoring = server.app.services.scoring.runner;
    const lock = await holdLock();
    scoring.lockWaitMs = 300;
    try {
      const err = await runScoring(analyst).catch((e: ClientError) => e);
      const first = (err as ClientError).response.errors![0]!;
      expect(first.extensions?.code).toBe("CONFLICT");
      expect(first.message).toMatch(/A scoring run for model default v1 \(run \d+, as of 2026-05-01T00:00:00\.000Z\) started at 2026-05-01T00:00:05\.000Z is in progress/);
    } finally {
      scoring.lockWaitMs = 30_000;
      await lock.release();
    }
  });

  it("runs two concurrent requests one after the other, each writing a complete snapshot", async () => {
    const lock = await holdLock(); // both requests queue behind it
    const both = Promise.all([runScoring(analyst, { asOf: new Date(Date.now() - HOUR) }), runScoring(admin, { asOf: new Date(Date.now() - 2 * HOUR) })]);
    await new Promise((r) => setTimeout(r, 300));
    await lock.release();
    const [a, b] = await both;
    expect([a.status, b.status]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const [first, second] = [a, b].sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    expect(Date.parse(second!.startedAt)).toBeGreaterThanOrEqual(Date.parse(first!.finishedAt!));
    const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts") as [{ n: number }];
    for (const run of [a, b]) {
      const [{ rows }] = await db.query<{ rows: number }>("SELECT count(*)::int AS rows FROM account_scores WHERE run_id = $1", [run.rowId]) as [{ rows: number }];
      expect(rows).toBe(n);
    }
    // The stale RUNNING row of the "process" that held the lock is marked abandoned.
    const stale = await db.query<{ status: string }>("SELECT status FROM scoring_runs WHERE as_of = '2026-05-01T00:00:00Z'");
    expect(stale.every((r) => r.status === "FAILED")).toBe(true);
  });
});

describe("bands, transitions and SLAs", () => {
  const TRANSITIONS = gql`query T($since: DateTime!, $model: String, $kind: TransitionKind, $band: [String!], $slaStatus: [SlaStatus!], $includeHoldout: Boolean, $first: Int, $after: String) {
    bandTransitions(since: $since, model: $model, kind: $kind, band: $band, slaStatus: $slaStatus, includeHoldout: $includeHoldout, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { kind from to enteredAt slaHours slaDueAt firstTouchAt slaStatus isHoldout cause account { domain } model { name } } }
    }
  }`;
  type Node = { kind: string; from: string | null; to: string; enteredAt: string; slaHours: number | null; slaDueAt: string | null; firstTouchAt: string | null; slaStatus: string; isHoldout: boolean; cause: string; account: { domain: string } };
  type Conn = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Node }[] };

  it("records entering a band or status with the band's SLA, and judges it by the first sales touch", async () => {
    await activeLine("sla");
    const t1 = new Date(Date.now() - 10 * DAY);
    const t2 = new Date(Date.now() - 5 * DAY);
    const t3 = new Date(Date.now() - 2 * HOUR);
    const mk = async (domain: string, fields: Record<string, unknown> = {}) => {
      const a = await account(db, domain, fields);
      return { a, c: await contact(db, a, `x@${domain}`) };
    };
    const met = await mk("met.test");
    const late = await mk("late.test");
    const none = await mk("none.test", { is_holdout: true, holdout_assigned_at: new Date() });
    const pending = await mk("pending.test");
    const down = await mk("down.test");
    const demo = (x: { a: string; c: string }, at: Date) => ({ account: x.a, contact: x.c, type: "demo_request", at });
    const touch = (x: { a: string; c: string }, at: Date) => ({ account: x.a, contact: x.c, type: "sales_touch", at });
    await events(db, [
      demo(down, daysBefore(1, t1)), demo(down, daysBefore(1, t1)), // 80 at t1: Hot / SQA from the start
      demo(met, daysBefore(1, t2)), demo(met, daysBefore(1, t2)), // 80 by t2: Cold → Hot
      touch(met, new Date(t2.getTime() + 3 * HOUR)), // within the 24 h SLA → MET
      touch(met, new Date(t2.getTime() - 3 * HOUR)), // before entering: does not count
      demo(late, daysBefore(1, t2)), // 40 by t2: Cold → Warm (48 h)
      touch(late, new Date(t2.getTime() + 50 * HOUR)), // after the due time → BREACHED
      demo(none, daysBefore(1, t2)), demo(none, daysBefore(1, t2)), // Hot, never touched, due long ago → BREACHED (holdout)
      demo(pending, new Date(t3.getTime() - HOUR)), demo(pending, new Date(t3.getTime() - HOUR)), // Hot at t3: due in 22 h → PENDING
    ]);
    const r1 = await runScoring(analyst, { model: "sla", asOf: t1 });
    const r2 = await runScoring(analyst, { model: "sla", asOf: t2 });
    expect(r1.transitions).toBe(2); // down: Cold → Hot (no earlier snapshot), UNQUALIFIED → SQA
    expect(r2.transitions).toBe(6); // met, late, none: band + status each

    // A version with a 7-day lookback drops `down` (its requests are 11 days old at t3) to Cold.
    const v2 = await createModel(admin, modelInput("sla", {
      engagementRules: [rule("demo", ["demo_request"], 40, { lookbackDays: 7 })],
      thresholds: { nurture: 20, mqa: 35, sqa: 60, minFit: 0, minEngagedContacts: 0 },
    }));
    // Activation scores every account with v2 as of now first: its transitions are MODEL_CHANGE.
    await activateThroughCouncil(server, v2);
    const r3 = await runScoring(analyst, { model: "sla", asOf: t3 });
    // down: Hot → Cold and SQA → UNQUALIFIED; pending: Cold → Hot and → SQA; first.test (a request a day ago): → Warm and → MQA
    expect(r3.transitions).toBe(6);

    const since = new Date(t1.getTime() - DAY);
    const all = (await viewer.request<{ bandTransitions: Conn }>(TRANSITIONS, { since, model: "sla", kind: "BAND", first: 100 })).bandTransitions;
    // Activations (of v1, then v2) scored as of now: each account against its snapshot of the
    // version replaced, cause MODEL_CHANGE. The runs as of t1, t2 and t3 came before.
    const activation = all.edges.map((e) => e.node).filter((n) => Date.parse(n.enteredAt) > t3.getTime());
    expect(activation.every((n) => n.cause === "MODEL_CHANGE")).toBe(true);
    expect(activation.map((n) => `${n.account.domain}:${n.from}→${n.to}`).sort()).toEqual(["down.test:Hot→Cold", "first.test:Cold→Warm", "first.test:null→Warm", "pending.test:Cold→Hot"]);
    const by = (domain: string) => all.edges.map((e) => e.node).filter((n) => n.account.domain === domain && Date.parse(n.enteredAt) <= t3.getTime());
    const [metT] = by("met.test");
    expect(metT).toMatchObject({ from: "Cold", to: "Hot", slaHours: 24, slaStatus: "MET", isHoldout: false });
    expect(Date.parse(metT!.slaDueAt!) - Date.parse(metT!.enteredAt)).toBe(24 * HOUR);
    expect(Date.parse(metT!.firstTouchAt!)).toBe(t2.getTime() + 3 * HOUR);
    expect(by("late.test")[0]).toMatchObject({ from: "Cold", to: "Warm", slaHours: 48, slaStatus: "BREACHED" });
    expect(by("none.test")[0]).toMatchObject({ to: "Hot", slaStatus: "BREACHED", isHoldout: true, firstTouchAt: null });
    expect(by("pending.test")[0]).toMatchObject({ from: "Cold", to: "Hot", slaStatus: "PENDING" }); // due 22 h from now
    const downT = by("down.test");
    expect(downT.map((n) => [n.from, n.to, n.slaStatus])).toEqual([["Hot", "Cold", "NO_SLA"], [null, "Hot", "BREACHED"]]); // newest first
    expect(all.edges.map((e) => Date.parse(e.node.enteredAt))).toEqual([...all.edges.map((e) => Date.parse(e.node.enteredAt))].sort((x, y) => y - x));

    const status = (await viewer.request<{ bandTransitions: Conn }>(TRANSITIONS, { since, model: "sla", kind: "STATUS", first: 100 })).bandTransitions;
    expect(status.edges.find((e) => e.node.account.domain === "late.test")!.node).toMatchObject({ from: "UNQUALIFIED", to: "MQA", slaHours: 48, slaStatus: "BREACHED" });

    const breaches = await viewer.request<{ slaBreaches: Conn }>(
      gql`query B($since: DateTime) { slaBreaches(since: $since, model: "sla") { totalCount edges { node { kind account { domain } isHoldout } } } }`, { since });
    const breached = breaches.slaBreaches.edges.map((e) => `${e.node.kind}:${e.node.account.domain}`).sort();
    // holdout accounts are left out by default
    expect(breached).toEqual(["BAND:down.test", "BAND:late.test", "STATUS:down.test", "STATUS:late.test"]);
    expect(breaches.slaBreaches.totalCount).toBe(4);
    const withHoldout = await viewer.request<{ bandTransitions: Conn }>(TRANSITIONS, { since, model: "sla", slaStatus: ["BREACHED"], includeHoldout: true });
    expect(withHoldout.bandTransitions.totalCount).toBe(6);
    const hot = await viewer.request<{ bandTransitions: Conn }>(TRANSITIONS, { since, model: "sla", band: ["Hot"] });
    expect(hot.bandTransitions.edges.every((e) => e.node.kind === "BAND" && e.node.to === "Hot")).toBe(true);

    // Pages follow the cursor without gaps or repeats.
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Conn = (await viewer.request<{ bandTransitions: Conn }>(TRANSITIONS, { since, model: "sla", first: 3, after })).bandTransitions;
      seen.push(...page.edges.map((e) => `${e.node.kind}${e.node.account.domain}${e.node.enteredAt}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.length).toBe(new Set(seen).size);
    expect(seen.length).toBe((await viewer.request<{ bandTransitions: Conn }>(TRANSITIONS, { since, model: "sla" })).bandTransitions.totalCount);
  });

  it("records no transitions for runs of a DRAFT version", async () => {
    const draft = await createModel(admin, modelInput("sla", { engagementRules: [rule("demo", ["demo_request"], 100)] }));
    const run = await runScoring(analyst, { modelId: draft });
    expect(run.transitions).toBe(0);
  });
});

describe("reading scores", () => {
  it("serves current score, history and distribution, and a page of 100 accounts with scores in a constant number of statements", async () => {
    await activeLine("reads", "event_attended");
    for (let i = 0; i < 120; i++) {
      const a = await account(db, `bulk${String(i).padStart(3, "0")}.test`);
      if (i % 3 === 0) {
        const c = await contact(db, a, `p@bulk${i}.test`);
        await events(db, Array.from({ length: i % 2 === 0 ? 2 : 1 }, () => ({ account: a, contact: c, type: "event_attended", at: new Date(Date.now() - 3 * DAY) })));
      }
    }
    const days = [4, 3, 2, 1].map((d) => new Date(Date.now() - d * DAY));
    for (const asOf of days) await runScoring(analyst, { model: "reads", asOf });

    const PAGE = gql`query P($first: Int) { accounts(first: $first, filter: { search: "bulk" }) { edges { node { domain score(model: "reads") { total band contributions { points } model { name } } } } } }`;
    const count = async (first: number) => {
      db.trace = [];
      const res = await viewer.request<{ accounts: { edges: { node: { score: { total: number; band: string } | null } }[] } }>(PAGE, { first });
      expect(res.accounts.edges.every((e) => e.node.score !== null)).toBe(true);
      // The key's throttled last-used stamp runs in the background and is not part of the page.
      const statements = db.trace.filter((sql) => !/api_keys/.test(sql));
      db.trace = null;
      return statements.length;
    };
    await count(1); // warms the API key cache
    const small = await count(10);
    const large = await count(100);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(4); // accounts, current run, snapshots, model

    const history = await viewer.request<{ account: { scoreHistory: Score[] } }>(SCORE_HISTORY, { domain: "bulk000.test", model: "reads", from: days[1], to: days[3] });
    expect(history.account.scoreHistory.map((s) => Date.parse(s.asOf))).toEqual(days.slice(1).map((d) => d.getTime()));
    // 2 events 3 days before now: 2 × 40 × 0.5^(ageDays / 10,000) ≈ 80 → Hot in every run since
    for (const s of history.account.scoreHistory) expect(s).toMatchObject({ band: "Hot", total: expect.closeTo(80, 1) });

    const DIST = gql`query D($model: String, $asOf: DateTime) { scoreDistribution(model: $model, asOf: $asOf) { band count share minScore maxScore slaHours play holdoutCount } }`;
    const dist = (await viewer.request<{ scoreDistribution: { band: string; count: number; share: number; minScore: number; maxScore: number }[] }>(DIST, { model: "reads" })).scoreDistribution;
    const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts") as [{ n: number }];
    expect(dist.map((d) => d.band)).toEqual(["Hot", "Warm", "Cold"]);
    expect(dist.reduce((s, d) => s + d.count, 0)).toBe(n);
    expect(dist.find((d) => d.band === "Hot")!.count).toBe(20); // i % 6 == 0 → 2 requests = 80
    expect(dist.find((d) => d.band === "Warm")!.count).toBe(20 + 0); // i % 6 == 3 → 40
    expect(dist.reduce((s, d) => s + d.share, 0)).toBeCloseTo(1, 9);
    expect(dist[0]).toMatchObject({ minScore: 60, maxScore: 100 });
    const early = (await viewer.request<{ scoreDistribution: { band: string; count: number }[] }>(DIST, { model: "reads", asOf: days[0] })).scoreDistribution;
    expect(early.find((d) => d.band === "Hot")!.count).toBe(0); // the run as of 4 days ago saw nothing yet
    expect((await viewer.request<{ scoreDistribution: unknown[] }>(DIST, { model: "never-run" })).scoreDistribution).toEqual([]);

    // The account list filters and orders by the same current scores.
    const hot = await viewer.request<{ accounts: { totalCount: number } }>(gql`{ accounts(filter: { model: "reads", band: ["Hot"] }) { totalCount } }`);
    expect(hot.accounts.totalCount).toBe(20);
  });
});
