/**
 * The per-side intervals and the delta-method ratio added for the KPI report, against
 * published reference values or a computation written out here; and the pure report helpers.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auc } from "../../ml/metrics";
import { aucOf, bandOrder, groupOf, KPIS } from "../../src/kpis/band-kpi.report";
import { evenlySpaced } from "../../src/kpis/band-kpi.service";
import { BootstrapRunner, type BootstrapTask } from "../../src/kpis/bootstrap.runner";
import type { GroupRow } from "../../src/kpis/band-kpi.sql";
import { formatLift } from "../../src/kpis/kpi-format";
import { compareValues, meanInterval, meanRatioInterval, medianInterval, mulberry32, normalCdf } from "../../src/kpis/kpi-stats";

describe("medianInterval: distribution-free order-statistic interval", () => {
  const ranks = (n: number, confidence = 0.95) => {
    const values = Array.from({ length: n }, (_, i) => i + 1); // the value of rank r is r
    const r = medianInterval(values, confidence);
    return [r.low, r.high];
  };

  it("picks the ranks of Campbell & Gardner's table (BMJ 1988;296:1454, 95%)", () => {
    expect(ranks(6)).toEqual([1, 6]); // coverage 1 − 2/64 = 96.9%
    expect(ranks(10)).toEqual([2, 9]); // 1 − 22/1024 = 97.9%
    expect(ranks(20)).toEqual([6, 15]); // 95.9%
    expect(ranks(30)).toEqual([10, 21]); // 95.7%
    expect(ranks(50)).toEqual([18, 33]); // 96.7%
    expect(ranks(10, 0.99)).toEqual([1, 10]);
  });

  it("has no limits when even [min, max] covers less than asked, and nothing without values", () => {
    expect(medianInterval([1, 2, 3, 4, 5])).toMatchObject({ estimate: 3, low: null, high: null });
    expect(medianInterval([1, 2, 3, 4, 5]).reason).toMatch(/too few/);
    expect(medianInterval([])).toEqual({ estimate: null, low: null, high: null, reason: "there are no values" });
  });

  it("works on unsorted values and for large n (log-space binomial)", () => {
    expect(medianInterval([45, 12, 61, 20, 38, 25, 31, 40, 30, 33])).toEqual({ estimate: 32, low: 20, high: 45, reason: null });
    const big = medianInterval(Array.from({ length: 20001 }, (_, i) => i));
    // normal approximation of the rank: n/2 − 1.96·√n/2 ≈ 9861.4
    expect(big.estimate).toBe(10000);
    expect(big.low).toBeGreaterThanOrEqual(9859);
    expect(big.low).toBeLessThanOrEqual(9862);
    expect(big.high).toBe(20000 - big.low!);
  });
});

describe("meanInterval: normal interval for a mean of non-negative values", () => {
  it("is mean ∓ z·sd/√n, floored at 0", () => {
    const r = meanInterval({ n: 4, mean: 25000, sd: 12909.944487358056 });
    expect(r.low).toBeCloseTo(25000 - 1.959963984540054 * 6454.972243679028, 9);
    expect(r.high).toBeCloseTo(25000 + 1.959963984540054 * 6454.972243679028, 9);
    expect(meanInterval({ n: 3, mean: 1, sd: 10 }).low).toBe(0);
    expect(meanInterval({ n: 1, mean: 7, sd: 0 })).toMatchObject({ estimate: 7, low: null, high: null });
    expect(meanInterval({ n: 0, mean: 0, sd: 0 }).estimate).toBeNull();
    expect(() => meanInterval({ n: 2, mean: -1, sd: 1 })).toThrow(RangeError);
  });
});

describe("meanRatioInterval: delta method on the log ratio", () => {
  it("matches the formula written out", () => {
    const t = { n: 400, mean: 5000, sd: 20000 };
    const h = { n: 100, mean: 4000, sd: 16000 };
    const se = Math.sqrt(20000 ** 2 / (400 * 5000 ** 2) + 16000 ** 2 / (100 * 4000 ** 2)); // √0.2
    const r = meanRatioInterval(t, h);
    expect(r.estimate).toBe(1.25);
    expect(r.low).toBeCloseTo(1.25 * Math.exp(-1.959963984540054 * se), 12);
    expect(r.high).toBeCloseTo(1.25 * Math.exp(1.959963984540054 * se), 12);
    expect(r.pValue).toBeCloseTo(2 * (1 - normalCdf(Math.log(1.25) / se)), 12);
  });

  it("covers the true ratio about 95% of the time on skewed, zero-heavy samples", () => {
    // pipeline per account: 80% of accounts have none, the rest lognormal amounts; true ratio 1.5
    const random = mulberry32(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const sample = (n: number, scale: number) => Array.from({ length: n }, () => (random() < 0.2 ? scale * Math.exp(normal()) : 0));
    const summary = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { n: xs.length, mean, sd: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) };
    };
    let covered = 0;
    const trials = 400;
    for (let i = 0; i < trials; i++) {
      const r = meanRatioInterval(summary(sample(2000, 1.5)), summary(sample(500, 1)));
      if (r.low! <= 1.5 && 1.5 <= r.high!) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it("says why instead of returning NaN or Infinity", () => {
    expect(meanRatioInterval({ n: 0, mean: 0, sd: 0 }, { n: 5, mean: 1, sd: 1 })).toMatchObject({ estimate: null, reason: "the treated group is empty, so there is no ratio" });
    expect(meanRatioInterval({ n: 5, mean: 1, sd: 1 }, { n: 5, mean: 0, sd: 0 })).toMatchObject({ estimate: null, reason: "the holdout mean is 0, so a ratio to it is undefined" });
    expect(meanRatioInterval({ n: 5, mean: 0, sd: 0 }, { n: 5, mean: 2, sd: 1 })).toMatchObject({ estimate: 0, low: 0, high: null });
    expect(meanRatioInterval({ n: 1, mean: 3, sd: 0 }, { n: 5, mean: 2, sd: 1 })).toMatchObject({ estimate: 1.5, low: null });
    expect(meanRatioInterval({ n: 3, mean: 2, sd: 0 }, { n: 3, mean: 2, sd: 0 })).toMatchObject({ estimate: 1, low: 1, high: 1, pValue: null });
  });
});

describe("report helpers", () => {
  it("AUC from the rank sum equals the rank AUC of ml/metrics", () => {
    // totals 10, 20, 20, 30; positives at 20 and 30 → ranks 1, 2.5, 2.5, 4
    expect(aucOf({ positives: 2, negatives: 2, rankSum: 6.5 })).toBe(0.875);
    expect(auc([10, 20, 20, 30], [0, 1, 0, 1])).toBe(0.875);
    expect(aucOf({ positives: 0, negatives: 3, rankSum: 0 })).toBeNull();
  });

  it("orders bands lowest first, extra bands after, UNSCORED last", () => {
    const bands = bandOrder([{ name: "Hot", minScore: 70, slaHours: 24, play: "1:1" }, { name: "Cold", minScore: 0, slaHours: null, play: null }], ["UNSCORED", "Legacy", "Hot"]);
    expect(bands.map((b) => b.name)).toEqual(["Cold", "Hot", "Legacy", "UNSCORED"]);
  });

  it("an empty group has only nulls with reasons and warnings, never NaN", () => {
    const g = groupOf("Hot", null, undefined, undefined, { confidence: 0.95, seed: 1, iterations: 200 });
    const json = JSON.stringify(g);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(g.treated.meetingRate).toMatchObject({ value: null, n: 0, note: "no accounts" });
    expect(g.lift.winRate.estimate).toBeNull();
    expect(g.warnings).toHaveLength(KPIS.length); // one per KPI
    expect(g.comparable).toBe(false);
    expect(g.nothingToCompare).toBe("nothing to compare yet, because no target account was in Hot at the window's start");
  });

  it("a group's lifts use the counts it is given", () => {
    const row = (holdout: boolean, met: number, accounts: number): GroupRow => ({
      level: "band", band: "Hot", tier: null, holdout, accounts, met, meetings: met, meetingsSd: 0, withOpp: 0, opps: 0, pipeline: 0, pipelineSd: 0,
      closed: 0, won: 0, accountsWon: 0, moved: 0, scoredNow: 0, customers: 0, expanded: 0, contacts: 0, sqlReached: 0, withEntry: 0, touched: 0, hours: null,
      clusterAccount: null, clusterClosed: null, clusterWon: null, dealDays: null, dealAmount: null, dealAccount: null,
    });
    const g = groupOf("Hot", null, row(false, 84, 400), row(true, 30, 250), { confidence: 0.95, seed: 1, iterations: 200 });
    // compareRates' documented example: lift 1.75 [1.1983, 2.5785], p 0.00333
    expect(g.lift.meetingRate.estimate).toBeCloseTo(1.75, 12);
    expect(g.lift.meetingRate.low).toBeCloseTo(1.1983, 4);
    expect(g.lift.meetingRate.high).toBeCloseTo(2.5785, 4);
    expect(g.lift.meetingRate.pValue).toBeCloseTo(0.00333, 5);
    expect(g.lift.meetingRate.significant).toBe(true);
    expect(g.lift.meetingRate.warning).toBeNull();
  });

  it("formats unbounded and undefined lifts", () => {
    const base = { pValue: null, significant: false, method: "", pValueMethod: "", note: null, warning: null };
    expect(formatLift({ ...base, estimate: null, low: 1.63, high: null })).toBe("∞ [1.63, ∞)");
    expect(formatLift({ ...base, estimate: null, low: null, high: null })).toBe("–");
    expect(formatLift({ ...base, estimate: 1.25, low: 0.47, high: 4.48 })).toBe("1.25 [0.47, 4.48]");
  });

  it("samples long run lists evenly, keeping the first and the last", () => {
    const items = Array.from({ length: 365 }, (_, i) => i);
    const picked = evenlySpaced(items, 60);
    expect(picked).toHaveLength(60);
    expect(picked[0]).toBe(0);
    expect(picked[59]).toBe(364);
    expect(new Set(picked).size).toBe(60);
    expect(evenlySpaced([1, 2, 3], 60)).toEqual([1, 2, 3]);
  });
});

describe("BootstrapRunner", () => {
  const random = mulberry32(5);
  const values = (n: number) => Array.from({ length: n }, () => Math.round(random() * 100_000) / 100);
  const tasks: BootstrapTask[] = [
    { treated: values(300), holdout: values(40), stat: "mean", seed: 1, options: { iterations: 500 } },
    { treated: values(120), holdout: values(25), stat: "median", seed: 2, options: { iterations: 500, confidence: 0.9 } },
    { treated: [], holdout: values(3), stat: "mean", seed: 3, options: { iterations: 200 } },
    { treated: values(1000), holdout: values(200), stat: "median", seed: 4, options: { iterations: 300 } },
  ];
  const inline = tasks.map((t) => compareValues(t.treated, t.holdout, t.stat, t.seed, t.options));

  it("runs inline without a compiled worker, with the same results as compareValues", async () => {
    const runner = new BootstrapRunner({ threads: 0 });
    expect(runner.threaded).toBe(false);
    expect(await runner.run(tasks)).toEqual(inline);
  });

  it("remembers a comparison by its samples, seed and options, and computes anew when any differs", async () => {
    const runner = new BootstrapRunner({ threads: 0 });
    const first = await runner.run(tasks);
    const again = await runner.run(tasks.map((t) => ({ ...t, treated: [...t.treated], holdout: [...t.holdout] })));
    again.forEach((result, i) => expect(result).toBe(first[i])); // the same objects: nothing resampled
    const changed = { ...tasks[0]!, treated: [...tasks[0]!.treated.slice(1), 12_345] };
    const reseeded = { ...tasks[0]!, seed: 99 };
    const [a, b] = await runner.run([changed, reseeded]);
    expect(a).toEqual(compareValues(changed.treated, changed.holdout, changed.stat, changed.seed, changed.options));
    expect(b).toEqual(compareValues(reseeded.treated, reseeded.holdout, reseeded.stat, reseeded.seed, reseeded.options));
    expect(a).not.toEqual(first[0]);
    expect(b).not.toEqual(first[0]);
  });

  // `npm test` builds first, so the compiled worker exists.
  const script = path.resolve("dist/src/kpis/bootstrap.worker.js");
  it("gives identical results from worker threads", async () => {
    const runner = new BootstrapRunner({ threads: 2, script });
    expect(runner.threaded).toBe(true);
    try {
      const [a, b] = await Promise.all([runner.run(tasks), runner.run(tasks.slice(1))]);
      expect(a).toEqual(inline);
      expect(b).toEqual(inline.slice(1));
      await expect(runner.run([{ ...tasks[0]!, treated: [-1, 2] }])).rejects.toThrow(/≥ 0/);
      const unseen = { ...tasks[0]!, seed: 7 }; // not remembered: it must go to a worker
      expect(await runner.run([unseen])).toEqual([compareValues(unseen.treated, unseen.holdout, unseen.stat, unseen.seed, unseen.options)]); // still usable after a failed batch
    } finally {
      await runner.close();
    }
  });
});
