/**
 * The account-level cluster bootstrap and the Holm adjustment, against independent
 * computations: a fixture of multi-deal accounts (clustered interval wider than the per-deal
 * one), the closed-form linearised variance of a ratio estimator over clusters, and Holm as
 * statsmodels computes it (/usr/bin/python3, when installed) and as written out by hand.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { clusterBootstrap, type ClusterSample, compareValues, holmAdjust, mulberry32, wilsonInterval } from "../../src/kpis/kpi-stats";

/** Accounts of `size` deals each; an account either wins all its deals or loses all (strongly clustered outcomes). */
function allOrNothing(accounts: number, size: number, winners: number, daysOf: (account: number) => number, amountOf: (account: number) => number): ClusterSample {
  const deals = Array.from({ length: winners }, (_, a) => Array.from({ length: size }, () => ({ days: daysOf(a), amount: amountOf(a), cluster: a }))).flat()
    .sort((x, y) => x.days - y.days || x.cluster - y.cluster);
  return {
    closed: Array.from({ length: accounts }, () => size),
    won: Array.from({ length: accounts }, (_, a) => (a < winners ? size : 0)),
    dealDays: deals.map((d) => d.days), dealAmount: deals.map((d) => d.amount), dealCluster: deals.map((d) => d.cluster),
  };
}

describe("clusterBootstrap", () => {
  // 30 treated accounts with 5 deals each (12 win all), 30 holdout accounts (8 win all)
  const treated = allOrNothing(30, 5, 12, (a) => 20 + 3 * a, (a) => 10_000 + 1_000 * a);
  const holdout = allOrNothing(30, 5, 8, (a) => 30 + 4 * a, (a) => 8_000 + 900 * a);
  const c = clusterBootstrap(treated, holdout, { seed: 7, iterations: 4000 });

  it("gives exactly the per-deal figures as its estimates", () => {
    expect(c.winRate.treated.value).toBe(60 / 150);
    expect(c.winRate.holdout.value).toBe(40 / 150);
    expect(c.winRate.estimate).toBeCloseTo(1.5, 12);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(c.averageWonAmount.treated.value).toBeCloseTo(mean(treated.dealAmount), 9);
    expect(c.medianVelocityDays.treated.value).toBe((treated.dealDays[29]! + treated.dealDays[30]!) / 2);
    expect([c.treatedClusters, c.holdoutClusters]).toEqual([30, 30]);
  });

  it("on multi-deal accounts, is wider than the per-deal interval: 150 deals are 30 accounts' worth of evidence", () => {
    const width = (s: { low: number | null; high: number | null }) => s.high! - s.low!;
    const perDeal = wilsonInterval(60, 150)!;
    expect(width(c.winRate.treated)).toBeGreaterThan(1.8 * width(perDeal)); // design effect 1 + (5 − 1)·1 = 5 → ×√5 ≈ 2.2
    const perDealLift = compareValues(treated.dealAmount, holdout.dealAmount, "mean", 7, { iterations: 4000 });
    expect(Math.log(c.averageWonAmount.high! / c.averageWonAmount.low!)).toBeGreaterThan(1.5 * Math.log(perDealLift.liftHigh! / perDealLift.liftLow!));
    const perDealVelocity = compareValues(treated.dealDays, holdout.dealDays, "median", 7, { iterations: 4000 });
    expect(Math.log(c.medianVelocityDays.high! / c.medianVelocityDays.low!)).toBeGreaterThan(1.3 * Math.log(perDealVelocity.liftHigh! / perDealVelocity.liftLow!));
    // the per-deal p-value of the win-rate lift is far smaller than the honest one
    expect(c.winRate.pValue!).toBeGreaterThan(0.05);
  });

  it("with one deal per account, matches the per-deal interval (nothing to cluster)", () => {
    const single = allOrNothing(400, 1, 160, (a) => a, () => 1);
    const s = clusterBootstrap(single, single, { seed: 3, iterations: 4000 });
    const w = wilsonInterval(160, 400)!;
    expect(s.winRate.treated.low!).toBeCloseTo(w.low, 2);
    expect(s.winRate.treated.high!).toBeCloseTo(w.high, 2);
  });

  it("its spread matches the closed-form linearised variance of a ratio over clusters", () => {
    // Ratio estimator r = Σx/Σn over k clusters; first-order variance Σ(xᵢ − r·nᵢ)² / (Σn)² (Cochran 1977, §6.4) —
    // what the bootstrap's replicates estimate. Random cluster sizes 1–8, win probability varying by account.
    const random = mulberry32(99);
    const k = 300;
    const closed = Array.from({ length: k }, () => 1 + Math.floor(random() * 8));
    const won = closed.map((n) => { const p = random(); let w = 0; for (let i = 0; i < n; i++) if (random() < p) w++; return w; });
    const deals = won.flatMap((w, c) => Array.from({ length: w }, () => ({ days: Math.round(random() * 100), c }))).sort((a, b) => a.days - b.days || a.c - b.c);
    const sample: ClusterSample = { closed, won, dealDays: deals.map((d) => d.days), dealAmount: deals.map(() => 1), dealCluster: deals.map((d) => d.c) };
    const N = closed.reduce((a, b) => a + b, 0);
    const r = won.reduce((a, b) => a + b, 0) / N;
    const linearised = Math.sqrt(closed.reduce((s, n, i) => s + (won[i]! - r * n) ** 2, 0) / N ** 2);
    const b = clusterBootstrap(sample, sample, { seed: 5, iterations: 20_000, confidence: 0.6827 }); // ±1 sd
    const bootSd = (b.winRate.treated.high! - b.winRate.treated.low!) / 2;
    expect(bootSd / linearised).toBeGreaterThan(0.95);
    expect(bootSd / linearised).toBeLessThan(1.05);
  });

  it("is reproducible from its seed and says why when a side is too small", () => {
    expect(clusterBootstrap(treated, holdout, { seed: 7, iterations: 4000 })).toEqual(c);
    expect(clusterBootstrap(treated, holdout, { seed: 8, iterations: 4000 }).winRate.low).not.toBe(c.winRate.low);
    const one = allOrNothing(1, 3, 1, () => 5, () => 5);
    const s = clusterBootstrap(treated, one, { seed: 1, iterations: 200 });
    expect(s.winRate).toMatchObject({ estimate: 0.4, low: null, high: null, pValue: null });
    expect(s.winRate.reason).toMatch(/fewer than 2 accounts with closed deals/);
    expect(s.winRate.holdout).toMatchObject({ value: 1, low: null });
    const none: ClusterSample = { closed: [], won: [], dealDays: [], dealAmount: [], dealCluster: [] };
    expect(clusterBootstrap(none, none, { seed: 1, iterations: 200 }).winRate).toMatchObject({ estimate: null, reason: "both groups have no values, so there is no ratio" });
    expect(() => clusterBootstrap({ ...treated, dealCluster: treated.dealCluster.map(() => 99) }, holdout, { seed: 1 })).toThrow(RangeError);
    expect(() => clusterBootstrap({ ...treated, won: treated.won.map((w, i) => (i === 29 ? 1 : w)) }, holdout, { seed: 1 })).toThrow(/must be the won deals listed/);
  });
});

describe("holmAdjust", () => {
  it("matches the step-down formula written out", () => {
    // m = 4 (the null does not count): 4·0.005 = 0.02; 3·0.01 = 0.03; 2·0.03 = 0.06; 1·0.04 → max(0.06, 0.04)
    expect(holmAdjust([0.01, 0.04, 0.03, null, 0.005])).toEqual([0.03, 0.06, 0.06, null, 0.02]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([1.5])).toThrow(RangeError);
  });

  const python = "/usr/bin/python3";
  const hasStatsmodels = fs.existsSync(python) && (() => {
    try { execFileSync(python, ["-c", "import statsmodels.stats.multitest"], { stdio: "ignore" }); return true; } catch { return false; }
  })();
  it.skipIf(!hasStatsmodels)("equals statsmodels' multipletests(method=\"holm\") to 1e-12", () => {
    const random = mulberry32(2024);
    const p = Array.from({ length: 96 }, (_, i) => (i % 7 === 0 ? random() * 0.001 : random() ** 2));
    p[10] = p[11]!; // a tie
    const script = "import json,sys\nfrom statsmodels.stats.multitest import multipletests\np=json.load(sys.stdin)\nprint(json.dumps(list(multipletests(p, method='holm')[1])))";
    const expected = JSON.parse(execFileSync(python, ["-c", script], { input: JSON.stringify(p) }).toString()) as number[];
    const got = holmAdjust(p);
    expected.forEach((e, i) => expect(Math.abs(got[i]! - e)).toBeLessThan(1e-12));
  });
});
