/**
 * Training through the public API over real HTTP: startTrainingRun returns a QUEUED run and
 * the fit runs in the background (a worker thread); trainingRun shows status, progress and
 * every number; the council reviews the proposal; only an approved proposal's model activates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphQLClient } from "graphql-request";
import { Client } from "pg";
import { Role } from "../../src/auth/roles";
import { loadDemo } from "../../src/demo/demo.loader";
import { startApi } from "../../src/platform/app";
import { ensureDefaultModel } from "../../src/scoring/default-model";
import { createLogger } from "../../src/platform/logging/logger";
import { errorCode, startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import {
  ACTIVATE, type Proposal, REVIEW, RUN_SCORING, type Run, START_TRAINING, TRAINING_RUN, TRAINING_RUNS, waitForRun,
} from "./documents";

const NOW = new Date("2026-11-01T00:00:00Z");

let server: TestServer;
let analyst: GraphQLClient;
let council: GraphQLClient;
let viewer: GraphQLClient;
let run: Run;

beforeAll(async () => {
  // One approval is enough here (the rule with the default of two is tests/council's).
  server = await startTestServer({ COUNCIL_APPROVALS: "1" });
  await loadDemo(server.database.db, { accounts: 300, seed: 11, now: NOW });
  analyst = await server.client(Role.ANALYST);
  council = await server.client(Role.COUNCIL);
  viewer = await server.client(Role.VIEWER);
});
afterAll(async () => { await server?.stop(); });

async function start(client: GraphQLClient, input: Record<string, unknown>): Promise<Run> {
  return (await client.request<{ startTrainingRun: Run }>(START_TRAINING, { input })).startTrainingRun;
}

async function councilMember(name: string): Promise<GraphQLClient> {
  const { key } = await server.app.services.apiKeys.create(name, Role.COUNCIL);
  return server.rawClient(`Bearer ${key}`);
}

describe("startTrainingRun", () => {
  it("returns a QUEUED run at once, then trains in the background until everything is on the record", async () => {
    const queued = await start(analyst, { seed: 7 });
    expect(queued).toMatchObject({ status: "QUEUED", progress: 0, startedBy: "test-analyst", dataset: null, metrics: null, coefficients: [] });
    expect(queued.baseModel).toMatchObject({ name: "default", version: 1 });
    expect(queued.params).toMatchObject({ l2: 1, seed: 7, holdoutShare: 0.25, folds: 5, suggestNewCriteria: true });

    run = await waitForRun(analyst, queued.id);
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ status: "SUCCEEDED", progress: 1, stage: "done" });
    const seen = (run as Run & { progressSeen: number[] }).progressSeen;
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // progress never goes back
    expect(["tensorflow", "wasm", "cpu"]).toContain(run.backend);
    expect(new Date(run.finishedAt!).getTime()).toBeGreaterThanOrEqual(new Date(run.startedAt!).getTime());

    // The data set: every closed deal of a known account, one row each.
    const [counts] = await server.database.db.query<{ won: number; lost: number }>(
      "SELECT count(*) FILTER (WHERE outcome = 'WON')::int AS won, count(*) FILTER (WHERE outcome = 'LOST')::int AS lost FROM deals WHERE account_id IS NOT NULL");
    expect(run.dataset).toMatchObject({ deals: counts!.won + counts!.lost, won: counts!.won, lost: counts!.lost, features: 32 });
    expect(run.dataset!.usedFeatures).toBe(32 - run.dataset!.droppedFeatures.length);
    expect(run.dataset!.droppedFeatures).toContainEqual(expect.objectContaining({ criterion: "competitor", reason: "constant" }));

    // Coefficients with intervals and p-values, one per criterion used.
    expect(run.coefficients).toHaveLength(run.dataset!.usedFeatures);
    for (const c of run.coefficients) {
      expect(c.ciLow).toBeLessThanOrEqual(c.estimate);
      expect(c.ciHigh).toBeGreaterThanOrEqual(c.estimate);
      expect(c.spansZero).toBe(c.ciLow <= 0 && c.ciHigh >= 0);
      expect(c.pValue).toBeGreaterThanOrEqual(0);
      expect(c.pValue).toBeLessThanOrEqual(1);
      expect(c.oddsRatio).toBeCloseTo(Math.exp(c.estimate), 10);
    }
    expect(run.intercept?.criterion).toBe("(Intercept)");

    // Metrics: holdout and cross-validation, the current model's AUC on the same deals, calibration.
    const m = run.metrics!;
    expect(m.holdout!.testRows).toBe(m.holdout!.testWon + m.holdout!.testLost);
    expect(m.crossValidation!.folds).toBe(5);
    expect(m.crossValidation!.perFold).toHaveLength(5);
    for (const auc of [m.holdout!.auc, m.crossValidation!.outOfFold.auc, m.currentModelAuc!, m.currentModelHoldoutAuc!, m.proposedModelAuc!]) {
      expect(auc).toBeGreaterThan(0.5);
      expect(auc).toBeLessThanOrEqual(1);
    }
    expect(run.calibrationSource).toBe("out-of-fold");
    expect(run.calibration.reduce((s, b) => s + b.count, 0)).toBe(run.dataset!.deals);

    // The proposal: a DRAFT version of the same line, every number on the record.
    const p = run.proposal!;
    expect(p.status).toBe("PENDING");
    expect(p.approvalsNeeded).toBe(1);
    expect([p.kind, p.author]).toEqual(["TRAINED", "test-analyst"]);
    // Recommended only when the fit was better on the same deals; never presented as better otherwise.
    expect(p.recommendation).toBe(p.outcome === "BETTER" ? "RECOMMENDED" : "NOT_RECOMMENDED");
    // Its impact on today's scores, stored with it: every account on both sides of the band matrix.
    expect(p.impact!.accounts).toBe(300);
    expect(p.impact!.bandMatrix.reduce((s, m) => s + m.accounts, 0)).toBe(300);
    expect(p.impact!.targetMovesCount).toBe(p.impact!.targetMoves.length);
    expect(p.proposedModel).toMatchObject({ name: "default", version: 2, status: "DRAFT", basedOn: { id: run.baseModel.id } });
    const w = p.proposedModel.weights;
    expect(w.fit! + w.engagement! + w.intent! + w.committee!).toBeCloseTo(1, 6);
    expect(p.changes).toHaveLength(32);
    // Criteria with no evidence to change keep their points; the re-weighted ones at their 95th
    // percentile sum to 100 points of the total, each ∝ its effect there (coefficient × p95).
    const keeps = (c: Proposal["changes"][number]) => c.flags.some((f) => ["SPANS_ZERO", "NOT_ESTIMABLE", "RARE", "KEPT_PENALTY"].includes(f));
    const positive = p.changes.filter((c) => c.after > 0 && !keeps(c)).reduce((s, c) => s + c.after, 0);
    expect(positive).toBeGreaterThan(99);
    expect(positive).toBeLessThan(101);
    for (const c of p.changes.filter((x) => x.after > 0 && !keeps(x) && !x.flags.includes("SHARED_POINTS"))) {
      expect(c.after).toBeCloseTo(p.pointsPerLogOdds * c.effect!, 1);
    }
    for (const c of p.changes.filter((x) => x.spansZero)) {
      expect(c.flags).toContain("SPANS_ZERO");
      if (!c.flags.includes("SHARED_POINTS")) expect(c.pointsAfter).toBe(c.pointsBefore);
      expect(c.note).toMatch(/no evidence to change/);
    }
    // Every band's win rate carries its deal counts and a 95% interval around it.
    for (const b of p.winRateByBand.filter((x) => x.currentDeals > 0)) {
      expect(b.currentLow!).toBeLessThanOrEqual(b.current!);
      expect(b.currentHigh!).toBeGreaterThanOrEqual(b.current!);
    }
    // Win rate by band, current and proposed, over the same deals.
    const sum = (k: "currentDeals" | "proposedDeals" | "currentWon" | "proposedWon") => p.winRateByBand.reduce((s, b) => s + b[k], 0);
    expect(p.winRateByBand.map((b) => b.band)).toEqual(["Hot", "Warm", "Cold"]);
    expect(sum("currentDeals")).toBe(run.dataset!.deals);
    expect(sum("proposedDeals")).toBe(run.dataset!.deals);
    expect(sum("currentWon")).toBe(run.dataset!.won);
    expect(sum("proposedWon")).toBe(run.dataset!.won);
    for (const b of p.winRateByBand) if (b.currentDeals > 0) expect(b.current).toBeCloseTo(b.currentWon / b.currentDeals, 12);
    // Bands keep their share of the deals under the proposed totals.
    for (const c of p.cutoffs.filter((x) => x.name.startsWith("band:"))) expect(Math.abs(c.dealsAfter - c.dealsBefore)).toBeLessThanOrEqual(3);
    expect(["BETTER", "MIXED", "NOT_BETTER"]).toContain(p.outcome);
    expect(p.summary).toContain(`${run.dataset!.deals} closed deals (${run.dataset!.won} won, ${run.dataset!.lost} lost)`);
    expect(p.summary).toContain(m.currentModelAuc!.toFixed(3));
    expect(p.summary).toContain(p.verdict);

    // The whole record as one JSON document, for tools.
    const report = run.report as { id: string; report: { metrics: { currentModelAuc: number } }; proposal: { id: string; changes: unknown[] } };
    expect(report.id).toBe(run.rowId);
    expect(report.report.metrics.currentModelAuc).toBe(m.currentModelAuc);
    expect(report.proposal.id).toBe(p.rowId);
    expect(report.proposal.changes).toHaveLength(32);

    const list = await viewer.request<{ trainingRuns: { totalCount: number; edges: { node: { id: string; proposal: { id: string } } }[] } }>(TRAINING_RUNS, { first: 5 });
    expect(list.trainingRuns.edges[0]!.node).toMatchObject({ id: run.id, proposal: { id: p.id } });
  });

  it("fails a run with too few won or lost deals, saying how many it found and how many it needs", async () => {
    const db = server.database.db;
    const [first] = await db.query<{ closed_at: Date }>("SELECT min(closed_at) AS closed_at FROM deals WHERE outcome <> 'OPEN'");
    const closedTo = new Date(first!.closed_at.getTime() + 10 * 86_400_000);
    const [few] = await db.query<{ won: number; lost: number }>(
      `SELECT count(*) FILTER (WHERE outcome = 'WON')::int AS won, count(*) FILTER (WHERE outcome = 'LOST')::int AS lost
         FROM deals WHERE outcome <> 'OPEN' AND account_id IS NOT NULL AND closed_at < $1`, [closedTo]);
    const models = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM scoring_models"))[0]!.n;
    const queued = await start(analyst, { closedTo: closedTo.toISOString(), suggestNewCriteria: false });
    const failed = await waitForRun(analyst, queued.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe(
      `TOO_FEW_OUTCOMES: Training needs at least 10 won and 10 lost deals; found ${few!.won} won and ${few!.lost} lost. Widen the date range or wait for more deals to close.`);
    expect(failed.proposal).toBeNull();
    expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM scoring_models"))[0]!.n).toBe(models);
  });

  it("a dry run (propose: false) fits and reports the would-be proposal, but writes no proposal and no new version", async () => {
    const db = server.database.db;
    const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    const [models, proposals] = [await count("scoring_models"), await count("weight_proposals")];
    const dry = await waitForRun(analyst, (await start(analyst, { seed: 5, propose: false, suggestNewCriteria: false })).id);
    expect(dry.status).toBe("SUCCEEDED");
    expect(dry.proposal).toBeNull();
    expect(dry.coefficients.length).toBeGreaterThan(0);
    expect(dry.warnings.some((w) => w.startsWith("Dry run"))).toBe(true);
    const report = (await viewer.request<{ trainingRun: { report: { report: { dryRunProposal: { changes: unknown[]; verdict: string } } } } }>(TRAINING_RUN, { id: dry.id })).trainingRun.report.report;
    expect(report.dryRunProposal.changes).toHaveLength(32);
    expect([await count("scoring_models"), await count("weight_proposals")]).toEqual([models, proposals]);
  });

  it("refuses bad options and callers without the ANALYZE permission", async () => {
    expect(await errorCode(start(analyst, { l2: -1 }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(start(analyst, { folds: 1 }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(start(analyst, { baseModelId: "987654" }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(start(analyst, { closedFrom: "2026-02-01T00:00:00Z", closedTo: "2026-01-01T00:00:00Z" }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(start(viewer, {}))).toBe("FORBIDDEN");
    expect(await errorCode(server.rawClient().request(TRAINING_RUN, { id: run.id }))).toBe("UNAUTHENTICATED");
  });
});

describe("the council", () => {
  it("must approve before the proposed model can be activated; one decision per reviewer, with a comment", async () => {
    const p = run.proposal!;
    const modelId = p.proposedModel.id;
    const before = await errorCode(council.request(ACTIVATE, { id: modelId }));
    expect(before).toBe("CONFLICT");
    await expect(council.request(ACTIVATE, { id: modelId })).rejects.toThrow(/needs 1 more COUNCIL approval/);

    expect(await errorCode(analyst.request(REVIEW, { id: p.id, decision: "APPROVE", comment: "looks fine" }))).toBe("FORBIDDEN");
    expect(await errorCode(council.request(REVIEW, { id: p.id, decision: "APPROVE", comment: "   " }))).toBe("BAD_USER_INPUT");

    const started = Date.now();
    const approved = (await council.request<{ reviewWeightProposal: Proposal & { trainingRun: { id: string } } }>(REVIEW, {
      id: p.id, decision: "APPROVE", comment: "Engagement evidence holds up in cross-validation.", ack: p.recommendation === "NOT_RECOMMENDED",
    })).reviewWeightProposal;
    expect(approved.status).toBe("APPROVED");
    expect(approved.trainingRun.id).toBe(run.id);
    expect(approved.decidedAt).not.toBeNull();
    expect(approved.reviews).toEqual([expect.objectContaining({ reviewer: "test-council", decision: "APPROVE", comment: "Engagement evidence holds up in cross-validation." })]);
    expect(new Date(approved.reviews[0]!.createdAt).getTime()).toBeGreaterThan(started - 60_000);

    expect(await errorCode(council.request(REVIEW, { id: p.id, decision: "REJECT", comment: "changed my mind" }))).toBe("CONFLICT");

    const activated = await council.request<{ activateScoringModel: { id: string; status: string; version: number } }>(ACTIVATE, { id: modelId });
    expect(activated.activateScoringModel).toMatchObject({ id: modelId, status: "ACTIVE", version: 2 });
    const scored = await analyst.request<{ runScoring: { status: string; model: { id: string } } }>(RUN_SCORING, {});
    expect(scored.runScoring).toMatchObject({ status: "SUCCEEDED", model: { id: modelId } });

    // Reviews close once the model is live.
    const bob = await councilMember("council-bob");
    expect(await errorCode(bob.request(REVIEW, { id: p.id, decision: "REJECT", comment: "too late" }))).toBe("CONFLICT");
    const record = await viewer.request<{ trainingRun: Run }>(TRAINING_RUN, { id: run.id });
    expect(record.trainingRun.proposal!.reviews).toHaveLength(1);
  });

  it("rejects a proposal when any reviewer rejects it, and its model cannot be activated", async () => {
    const second = await waitForRun(analyst, (await start(analyst, { seed: 3, suggestNewCriteria: false })).id);
    expect(second.status).toBe("SUCCEEDED");
    expect(second.baseModel.version).toBe(2); // the version activated above
    const p = second.proposal!;
    const alice = await councilMember("council-alice");
    const first = await alice.request<{ reviewWeightProposal: Proposal }>(REVIEW, { id: p.id, decision: "APPROVE", comment: "fine by me", ack: p.recommendation === "NOT_RECOMMENDED" });
    expect(first.reviewWeightProposal.status).toBe("APPROVED");
    const vetoed = await council.request<{ reviewWeightProposal: Proposal }>(REVIEW, { id: p.id, decision: "REJECT", comment: "Intent weight is not credible with this little data." });
    expect(vetoed.reviewWeightProposal.status).toBe("REJECTED");
    expect(vetoed.reviewWeightProposal.reviews.map((r) => [r.reviewer, r.decision])).toEqual([["council-alice", "APPROVE"], ["test-council", "REJECT"]]);
    await expect(council.request(ACTIVATE, { id: p.proposedModel.id })).rejects.toThrow(/REJECTED by test-council .*a REJECT vetoes activation/);
  });
});

describe("restarts", () => {
  it("mark runs of a process that stopped FAILED at start-up, and leave a live process's runs alone", async () => {
    const db = server.database.db;
    const baseId = await ensureDefaultModel(db);
    const [dead] = await db.query<{ id: string }>(
      "INSERT INTO training_runs (base_model_id, status, stage, started_at, owner) VALUES ($1, 'RUNNING', 'fitting: holdout', now(), 1234567) RETURNING id::text", [baseId]);
    const [live] = await db.query<{ id: string }>(
      "INSERT INTO training_runs (base_model_id, status, stage, owner) VALUES ($1, 'QUEUED', 'queued', 7654321) RETURNING id::text", [baseId]);
    // Another replica, alive: it holds its owner lock.
    const replica = new Client({ connectionString: server.database.url });
    await replica.connect();
    await replica.query("SELECT pg_advisory_lock(4212010, 7654321)");
    try {
      const restarted = await startApi(server.config, createLogger(server.config), { db, close: async () => undefined });
      await restarted.stop();
      const rows = await db.query<{ id: string; status: string; error: string | null }>(
        "SELECT id::text, status, error FROM training_runs WHERE id = ANY($1::bigint[]) ORDER BY id", [[dead!.id, live!.id]]);
      expect(rows[0]).toMatchObject({ status: "FAILED", error: expect.stringMatching(/^Abandoned: the process running it stopped/) });
      expect(rows[1]).toMatchObject({ status: "QUEUED" });
    } finally {
      await replica.end();
      await db.query("DELETE FROM training_runs WHERE id = $1", [live!.id]);
    }
  });

  it("fail the run in progress when the server shuts down, with a message saying so", async () => {
    const db = server.database.db;
    const other = await startApi(server.config, createLogger(server.config), { db, close: async () => undefined });
    const admin = new GraphQLClient(other.url, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const queued = (await admin.request<{ startTrainingRun: Run }>(START_TRAINING, { input: { suggestNewCriteria: false } })).startTrainingRun;
    await other.stop();
    const stopped = await waitForRun(analyst, queued.id, 10_000);
    expect(stopped.status).toBe("FAILED");
    expect(stopped.error).toMatch(/^The server stopped (before|while) the run/);
  });
});
