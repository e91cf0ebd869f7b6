/**
 * bandKpis over real HTTP on the hand-built data set of kpi-fixture.ts: every KPI equals a
 * computation done by hand from the fixture's rows (handSide), the interval and p-value
 * functions get exactly those hand counts, and a few headline numbers are written out.
 */
import { toGlobalId } from "../../src/platform/graphql/global-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { auc } from "../../ml/metrics";
import { clusterBootstrap, type ClusterSample, compareRates, compareValues, meanRatioInterval, normalCdf, wilsonInterval } from "../../src/kpis/kpi-stats";
import { DEFAULT_KPI_SEED } from "../../src/kpis/band-kpi.service";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { ACCOUNTS, type AccountSpec, FROM, handSide, loadKpiFixture, type LoadedFixture, TO } from "./kpi-fixture";
import { BAND_KPIS } from "./kpi-documents";

interface Estimate { value: number | null; low: number | null; high: number | null; n: number; x: number | null; method: string; note: string | null }
interface Lift { estimate: number | null; low: number | null; high: number | null; pValue: number | null; significant: boolean; method: string; pValueMethod: string; note: string | null; warning: string | null }
interface Side {
  accounts: number; accountsWithMeeting: number; accountsWithOpportunity: number; opportunitiesCreated: number; pipelineCreated: number;
  closedDeals: number; wonDeals: number; wonAmount: number; accountsWon: number;
  meetingRate: Estimate; opportunityRate: Estimate; winRate: Estimate; averageAcv: Estimate; medianVelocityDays: Estimate; pipelinePerAccount: Estimate;
}
type KpiKey = "meetingRate" | "opportunityRate" | "winRate" | "averageAcv" | "medianVelocityDays" | "pipelinePerAccount";
interface Group { band: string; tier: string | null; warnings: string[]; treated: Side; holdout: Side; lift: Record<KpiKey, Lift> }
interface Report {
  from: string; to: string; model: string; modelId: string; modelVersion: number; bandRule: string; confidence: number; seed: number; bootstrapIterations: number;
  asOfRun: { id: string; asOf: string; modelId: string; modelVersion: number } | null;
  accounts: number; treatedAccounts: number; holdoutAccounts: number; scoredAsOfFrom: number; unscoredAccounts: number; holdoutEnteredAfterFrom: number;
  bands: { name: string; minScore: number | null; slaHours: number | null; play: string | null }[];
  overall: Group; groups: Group[]; warnings: string[];
  scoreQuality: {
    conversionByBand: { band: string; accounts: number; accountsWon: number; closedDeals: number; wonDeals: number; conversion: Estimate; winRate: Estimate }[];
    monotonic: boolean | null; winRateMonotonic: boolean | null; auc: number | null; aucAccounts: number; aucPositives: number; notes: string[];
    distributionOverTime: { runId: string; asOf: string; modelVersion: number; accounts: number; averageScore: number | null; bands: { band: string; accounts: number; share: number; averageScore: number | null }[] }[];
  };
}

let server: TestServer;
let analyst: GraphQLClient;
let fixture: LoadedFixture;
let report: Report;
const ITERATIONS = 500;

const input = (extra: Record<string, unknown> = {}) => ({ from: FROM.toISOString(), to: TO.toISOString(), bootstrapIterations: ITERATIONS, ...extra });
const request = async (client: GraphQLClient, extra: Record<string, unknown> = {}) =>
  (await client.request<{ bandKpis: Report }>(BAND_KPIS, { input: input(extra) })).bandKpis;

beforeAll(async () => {
  server = await startTestServer();
  fixture = await loadKpiFixture(server.database.db);
  analyst = await server.client(Role.ANALYST);
  report = await request(analyst);
});
afterAll(async () => { await server?.stop(); });

const targets = ACCOUNTS.filter((a) => a.target !== false);
const inBand = (band: string | null) => targets.filter((a) => a.band === band);
const side = (accounts: AccountSpec[], holdout: boolean) => accounts.filter((a) => a.holdout === holdout);
const group = (band: string, tier: string | null = null) => report.groups.find((g) => g.band === band && g.tier === tier)!;
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const close = (actual: number | null, expected: number | null) => {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 9);
};

/**
 * A side's deals by account, built by hand from the specs: the accounts with a deal closed in
 * the window (in id order, as loaded), and their won deals by days, then account, then amount.
 */
function handClusters(accounts: AccountSpec[]): ClusterSample {
  const inWindow = (d: string | undefined) => d !== undefined && new Date(d.length === 10 ? `${d}T12:00:00Z` : d) >= FROM && new Date(d.length === 10 ? `${d}T12:00:00Z` : d) < TO;
  const clusters = accounts.filter((a) => a.deals.some((d) => d.outcome !== "OPEN" && inWindow(d.closed)))
    .sort((a, b) => Number(fixture.ids.get(a.key)) - Number(fixture.ids.get(b.key)));
  const deals = clusters.flatMap((a, i) => a.deals.filter((d) => d.outcome === "WON" && inWindow(d.closed)).map((d) => {
    const at = (x: string) => new Date(x.length === 10 ? `${x}T12:00:00Z` : x).getTime();
    return { days: (at(d.closed!) - at(d.created)) / 86_400_000, amount: d.amount, cluster: i, id: Number(fixture.ids.get(a.key)) };
  })).sort((x, y) => x.days - y.days || x.id - y.id || x.amount - y.amount);
  return {
    closed: clusters.map((a) => a.deals.filter((d) => d.outcome !== "OPEN" && inWindow(d.closed)).length),
    won: clusters.map((a) => a.deals.filter((d) => d.outcome === "WON" && inWindow(d.closed)).length),
    dealDays: deals.map((d) => d.days), dealAmount: deals.map((d) => d.amount), dealCluster: deals.map((d) => d.cluster),
  };
}

/** Checks one group against the hand computation for its accounts. */
function expectGroupMatchesHand(g: Group, accounts: AccountSpec[]): void {
  // win rate, won amount and velocity: the cluster bootstrap fed the hand-built clusters
  const clusters = clusterBootstrap(handClusters(side(accounts, false)), handClusters(side(accounts, true)), { seed: DEFAULT_KPI_SEED, iterations: ITERATIONS });
  const t = handSide(side(accounts, false));
  const h = handSide(side(accounts, true));
  for (const [got, hand] of [[g.treated, t], [g.holdout, h]] as const) {
    expect(got.accounts).toBe(hand.accounts);
    expect(got.accountsWithMeeting).toBe(hand.met);
    expect(got.accountsWithOpportunity).toBe(hand.withOpp);
    expect(got.opportunitiesCreated).toBe(hand.opps);
    expect(got.pipelineCreated).toBe(hand.pipeline);
    expect(got.closedDeals).toBe(hand.closed);
    expect(got.wonDeals).toBe(hand.won);
    expect(got.accountsWon).toBe(hand.accountsWon);
    expect(got.wonAmount).toBe(hand.acv.reduce((a, b) => a + b, 0));
    // rates and their Wilson intervals
    const wil = (x: number, n: number) => wilsonInterval(x, n);
    for (const [e, x, n] of [[got.meetingRate, hand.met, hand.accounts], [got.opportunityRate, hand.withOpp, hand.accounts]] as const) {
      expect([e.x, e.n]).toEqual([x, n]);
      close(e.value, n ? x / n : null);
      close(e.low, wil(x, n)?.low ?? null);
      close(e.high, wil(x, n)?.high ?? null);
    }
    const which = got === g.treated ? "treated" : "holdout";
    // win rate: won / closed deals, its interval from resampling accounts
    expect([got.winRate.x, got.winRate.n]).toEqual([hand.won, hand.closed]);
    close(got.winRate.value, hand.closed ? hand.won / hand.closed : null);
    close(got.winRate.low, clusters.winRate[which].low);
    close(got.winRate.high, clusters.winRate[which].high);
    // average won amount, median velocity (same figures as per deal; intervals from resampling accounts), pipeline per account
    close(got.averageAcv.value, hand.acv.length ? hand.acv.reduce((a, b) => a + b, 0) / hand.acv.length : null);
    expect(got.averageAcv.n).toBe(hand.acv.length);
    close(got.averageAcv.low, clusters.averageWonAmount[which].low);
    close(got.averageAcv.high, clusters.averageWonAmount[which].high);
    const m = hand.days.length;
    close(got.medianVelocityDays.value, m === 0 ? null : m % 2 ? hand.days[(m - 1) / 2]! : (hand.days[m / 2 - 1]! + hand.days[m / 2]!) / 2);
    close(got.medianVelocityDays.low, clusters.medianVelocityDays[which].low);
    close(got.medianVelocityDays.high, clusters.medianVelocityDays[which].high);
    close(got.pipelinePerAccount.value, hand.accounts ? hand.pipeline / hand.accounts : null);
  }
  // lifts: the stats functions fed the hand counts
  const rate = (k: KpiKey, ct: { x: number; n: number }, ch: { x: number; n: number }) => {
    const c = compareRates(ct, ch);
    close(g.lift[k].estimate, c.lift);
    close(g.lift[k].low, c.liftLow);
    close(g.lift[k].high, c.liftHigh);
    close(g.lift[k].pValue, c.pValue);
    expect(g.lift[k].warning === null).toBe(c.warning === null);
    expect(g.lift[k].method).toBe("koopman-score");
  };
  rate("meetingRate", { x: t.met, n: t.accounts }, { x: h.met, n: h.accounts });
  rate("opportunityRate", { x: t.withOpp, n: t.accounts }, { x: h.withOpp, n: h.accounts });
  // the lift estimates are the per-deal figures' ratios; intervals and p-values come from resampling accounts
  close(g.lift.winRate.estimate, compareRates({ x: t.won, n: t.closed }, { x: h.won, n: h.closed }).lift);
  expect(g.lift.winRate.warning === null).toBe(compareRates({ x: t.won, n: t.closed }, { x: h.won, n: h.closed }).warning === null);
  for (const [k, c, tv, hv, stat] of [["winRate", clusters.winRate, null, null, null], ["averageAcv", clusters.averageWonAmount, t.acv, h.acv, "mean"], ["medianVelocityDays", clusters.medianVelocityDays, t.days, h.days, "median"]] as const) {
    if (tv && hv && stat) close(g.lift[k].estimate, compareValues(tv, hv, stat, DEFAULT_KPI_SEED, { iterations: ITERATIONS }).lift);
    close(g.lift[k].estimate, c.estimate);
    close(g.lift[k].low, c.low);
    close(g.lift[k].high, c.high);
    close(g.lift[k].pValue, c.pValue);
    expect(g.lift[k].method).toBe("cluster-bootstrap-percentile");
  }
  const pr = meanRatioInterval(
    { n: t.accounts, mean: t.accounts ? t.pipeline / t.accounts : 0, sd: t.accounts > 1 ? sd(t.pipelinePerAccount) : 0 },
    { n: h.accounts, mean: h.accounts ? h.pipeline / h.accounts : 0, sd: h.accounts > 1 ? sd(h.pipelinePerAccount) : 0 });
  close(g.lift.pipelinePerAccount.estimate, pr.estimate);
  close(g.lift.pipelinePerAccount.low, pr.low);
  close(g.lift.pipelinePerAccount.high, pr.high);
  close(g.lift.pipelinePerAccount.pValue, pr.pValue);
}

describe("bandKpis: every KPI equals a hand computation", () => {
  it("Hot: the headline numbers, written out", () => {
    const hot = group("Hot");
    // treated H01–H08: meetings H01 H02 H04 H05 H07; deals created in the window at all but H06;
    // closed in the window: H01 W, H02 W (created before the window), H03 L, H04 W, H07 W, H08 L.
    expect(hot.treated).toMatchObject({
      accounts: 8, accountsWithMeeting: 5, accountsWithOpportunity: 7, opportunitiesCreated: 7, closedDeals: 6, wonDeals: 4, accountsWon: 4,
      pipelineCreated: 40000 + 10000 + 20000 + 50000 + 15000 + 25000 + 8000, wonAmount: 145000,
    });
    expect(hot.treated.meetingRate.value).toBe(5 / 8);
    expect(hot.treated.winRate.value).toBe(4 / 6);
    expect(hot.treated.averageAcv.value).toBe((40000 + 30000 + 50000 + 25000) / 4); // 36 250
    expect(hot.treated.medianVelocityDays.value).toBe(40); // 20, 40, 40, 91 days
    expect(hot.treated.pipelinePerAccount.value).toBe(168000 / 8);
    // holdout H09–H12
    expect(hot.holdout).toMatchObject({ accounts: 4, accountsWithMeeting: 2, accountsWithOpportunity: 3, closedDeals: 2, wonDeals: 1, pipelineCreated: 41000 });
    expect(hot.holdout.averageAcv.value).toBe(20000);
    expect(hot.holdout.medianVelocityDays.value).toBe(90);
    // meeting-rate lift 0.625 / 0.5 = 1.25; pooled z = 0.125 / √(7/12 · 5/12 · (1/8 + 1/4)) = 0.4140
    expect(hot.lift.meetingRate.estimate).toBeCloseTo(1.25, 12);
    const z = 0.125 / Math.sqrt((7 / 12) * (5 / 12) * (1 / 8 + 1 / 4));
    expect(hot.lift.meetingRate.pValue).toBeCloseTo(2 * (1 - normalCdf(z)), 12);
    expect(hot.lift.meetingRate.significant).toBe(false);
    // won-amount lift 36 250 / 20 000; one holdout won deal (H09, of two holdout accounts with closed deals) → estimate only, with a reason and a warning
    expect(hot.lift.averageAcv.estimate).toBeCloseTo(1.8125, 12);
    expect(hot.lift.averageAcv.low).toBeNull();
    expect(hot.lift.averageAcv.note).toMatch(/of 500 resamples gave no ratio, so the interval is not reliable/);
    expect(hot.lift.averageAcv.warning).toMatch(/Too small to conclude anything: .*holdout has 1 won deals/);
    expect(hot.warnings.some((w) => w.startsWith("Average won amount: Too small"))).toBe(true);
  });

  it("each band, UNSCORED and all bands together match the hand computation", () => {
    for (const band of ["Hot", "Warm", "Cold", "UNSCORED"]) expectGroupMatchesHand(group(band), inBand(band === "UNSCORED" ? null : band));
    expect(report.overall.band).toBe("ALL");
    expectGroupMatchesHand(report.overall, targets);
  });

  it("finds each account's band at from: the latest successful snapshot, else UNSCORED; non-targets never count", () => {
    expect(report.model).toBe("default");
    expect(report.asOfRun).toMatchObject({ id: toGlobalId("ScoringRun", fixture.runs.r1), asOf: "2025-12-15T00:00:00.000Z", modelVersion: 1 });
    expect(report.accounts).toBe(38);
    expect(report.treatedAccounts).toBe(targets.filter((a) => !a.holdout).length);
    expect(report.holdoutAccounts).toBe(11);
    // W15 has a snapshot only in the older run R0, so Warm has 15 accounts; H01 is Hot (R1 over R0)
    expect(group("Warm").treated.accounts + group("Warm").holdout.accounts).toBe(15);
    // U01's only snapshot is in a FAILED run; the hand-made model cannot be run by the engine
    expect(report.unscoredAccounts).toBe(1);
    expect(report.scoredAsOfFrom).toBe(0);
    expect(group("UNSCORED").treated.accounts).toBe(1);
    expect(report.bands.map((b) => b.name)).toEqual(["Cold", "Warm", "Hot", "UNSCORED"]);
    expect(report.bands[2]).toEqual({ name: "Hot", minScore: 70, maxScore: null, range: "70–100", slaHours: 24, play: "1:1" });
    expect(report.bands[1]).toMatchObject({ name: "Warm", minScore: 40, maxScore: 70, range: "40–70" });
    expect(report.bandRule).toMatch(/latest default v1 \(the ACTIVE version\) score at or before 2026-01-01T00:00:00.000Z; most come from run/);
    expect(report.warnings.some((w) => /1 account had no default v1 score .* could not be scored as of it \(the scoring engine failed: .*UNSCORED/.test(w))).toBe(true);
    // H12 was held out at from and released on 2026-03-01: holdout in this window, and counted as moved
    expect(report.holdoutEnteredAfterFrom).toBe(0);
    expect(report.holdoutLeftDuringWindow).toBe(1);
    expect(report.movedDuringWindow).toBe(1);
    expect(group("Hot").holdout.movedDuringWindow).toBe(1);
    expect(report.warnings).toContain("1 account moved during the window (0 entered the holdout, 1 left it); each counts on its side at 2026-01-01T00:00:00.000Z, which pulls every lift toward 1.");
  });

  it("splits each band by tier, and the tiers add up to the band", async () => {
    const byTier = await request(analyst, { byTier: true });
    const hotTiers = byTier.groups.filter((g) => g.band === "Hot" && g.tier !== null);
    expect(hotTiers.map((g) => g.tier)).toEqual(["A", "B", "C"]);
    for (const g of hotTiers) expectGroupMatchesHand(g, inBand("Hot").filter((a) => a.tier === g.tier));
    expect(byTier.groups.find((g) => g.band === "Cold" && g.tier === "UNTIERED")!.treated.accounts).toBe(1); // C07
    for (const band of ["Hot", "Warm", "Cold"]) {
      const whole = byTier.groups.find((g) => g.band === band && g.tier === null)!;
      const parts = byTier.groups.filter((g) => g.band === band && g.tier !== null);
      expect(parts.reduce((n, g) => n + g.treated.accounts, 0)).toBe(whole.treated.accounts);
      expect(parts.reduce((n, g) => n + g.holdout.wonDeals, 0)).toBe(whole.holdout.wonDeals);
    }
    // groups come band by band, each band followed by its tiers
    expect(byTier.groups.slice(0, 5).map((g) => `${g.band}/${g.tier ?? "-"}`)).toEqual(["Cold/-", "Cold/A", "Cold/B", "Cold/C", "Cold/UNTIERED"]);
  });

  it("is the score right: conversion by band, monotonic flag, AUC and runs in the window", () => {
    const q = report.scoreQuality;
    const conv = (band: string) => q.conversionByBand.find((c) => c.band === band)!;
    expect(q.conversionByBand.map((c) => c.band)).toEqual(["Cold", "Warm", "Hot"]);
    // accounts that won a deal closed in the window: Cold C06; Warm W01 W05 W06 W11; Hot H01 H02 H04 H07 H09
    expect([conv("Cold").accountsWon, conv("Warm").accountsWon, conv("Hot").accountsWon]).toEqual([1, 4, 5]);
    expect(conv("Cold").conversion.value).toBe(1 / 10);
    expect(conv("Warm").conversion.value).toBe(4 / 15);
    expect(conv("Hot").conversion.value).toBe(5 / 12);
    expect(q.monotonic).toBe(true);
    // win rates: Cold 1/2 (C02 L, C06 W), Warm 4/8 (W01 W05 W06 W11 won; W02 W06 W10 W13 lost), Hot 5/8
    expect([conv("Cold").winRate.value, conv("Warm").winRate.value, conv("Hot").winRate.value]).toEqual([1 / 2, 1 / 2, 5 / 8]);
    expect(q.winRateMonotonic).toBe(true);
    // AUC over the 37 scored target accounts, ties (44/44, 22/22) averaged: ml's rank AUC as the reference
    const scored = targets.filter((a) => a.band !== null);
    const labels = scored.map((a) => (handSide([a]).accountsWon > 0 ? 1 : 0));
    expect(q.aucAccounts).toBe(37);
    expect(q.aucPositives).toBe(10);
    expect(q.auc).toBeCloseTo(auc(scored.map((a) => a.total!), labels), 12);
    // R2 (2026-03-01) is the only successful run in the window; its counts come from its snapshots
    expect(q.distributionOverTime).toEqual([{
      runId: toGlobalId("ScoringRun", fixture.runs.r2), asOf: "2026-03-01T00:00:00.000Z", modelVersion: 1, accounts: 5, averageScore: (91 + 85 + 60 + 50 + 10) / 5,
      bands: [
        { band: "Cold", accounts: 1, share: 0.2, averageScore: 10 },
        { band: "Warm", accounts: 2, share: 0.4, averageScore: 55 },
        { band: "Hot", accounts: 2, share: 0.4, averageScore: 88 },
      ],
    }]);
  });
});

describe("bandKpis: reproducible, read-only, validated", () => {
  it("gives the same report for the same input, and never writes", async () => {
    const before = await server.database.db.query<{ n: number }>("SELECT (SELECT count(*) FROM account_scores) + (SELECT count(*) FROM scoring_runs) AS n");
    const again = await request(analyst);
    expect(again).toEqual(report);
    const after = await server.database.db.query<{ n: number }>("SELECT (SELECT count(*) FROM account_scores) + (SELECT count(*) FROM scoring_runs) AS n");
    expect(after).toEqual(before);
  });

  it("lets a VIEWER read it, and refuses a caller without a key", async () => {
    const viewer = await server.client(Role.VIEWER);
    expect((await request(viewer)).overall.treated.accounts).toBe(report.overall.treated.accounts);
    expect(await errorCode(server.rawClient().request(BAND_KPIS, { input: input() }))).toBe("UNAUTHENTICATED");
  });

  it("refuses a window that does not start before it ends, with a message that says what to fix", async () => {
    const err = await analyst.request(BAND_KPIS, { input: input({ from: TO.toISOString(), to: FROM.toISOString() }) }).catch((e: unknown) => e);
    const first = (err as { response: { errors: { message: string; extensions: { code: string } }[] } }).response.errors[0]!;
    expect(first.extensions.code).toBe("BAD_USER_INPUT");
    expect(first.message).toMatch(/from must be before to/);
    expect(await errorCode(analyst.request(BAND_KPIS, { input: input({ to: FROM.toISOString() }) }))).toBe("BAD_USER_INPUT");
  });

  it("refuses an unknown model, a confidence and a resample count out of range", async () => {
    const err = await analyst.request(BAND_KPIS, { input: input({ model: "nope" }) }).catch((e: unknown) => e);
    const first = (err as { response: { errors: { message: string; extensions: { code: string } }[] } }).response.errors[0]!;
    expect(first.extensions.code).toBe("BAD_USER_INPUT");
    expect(first.message).toMatch(/There is no scoring model "nope"; pass one of "default"/);
    expect(await errorCode(analyst.request(BAND_KPIS, { input: input({ confidence: 1.5 }) }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(analyst.request(BAND_KPIS, { input: input({ bootstrapIterations: 5 }) }))).toBe("BAD_USER_INPUT");
  });

  it("uses the seed and confidence it is given", async () => {
    const other = await request(analyst, { seed: 7, confidence: 0.9 });
    expect(other.seed).toBe(7);
    expect(other.confidence).toBe(0.9);
    const warm = other.groups.find((g) => g.band === "Warm")!;
    const hand = (h: boolean) => handSide(side(inBand("Warm"), h));
    const c = compareRates({ x: hand(false).met, n: 11 }, { x: hand(true).met, n: 4 }, { confidence: 0.9 });
    expect(warm.lift.meetingRate.low).toBeCloseTo(c.liftLow!, 12);
    expect(warm.treated.meetingRate.low).toBeCloseTo(wilsonInterval(hand(false).met, 11, 0.9)!.low, 12);
    const v = compareValues(hand(false).days, hand(true).days, "median", 7, { iterations: ITERATIONS, confidence: 0.9 });
    expect(warm.lift.medianVelocityDays.low).toBe(v.liftLow);
  });
});
