/**
 * Tests for src/kpis/kpi-stats.ts against published reference values (source named beside
 * each) and, where no precise published value exists, against an independent computation
 * written out in this file (said so beside it).
 */
import { describe, expect, it } from "vitest";

import {
  bootstrapRatioInterval,
  compareRates,
  compareValues,
  DEFAULT_BOOTSTRAP_ITERATIONS,
  mean,
  median,
  MIN_EVENTS_PER_SIDE,
  MIN_TRIALS_PER_SIDE,
  MIN_VALUES_PER_SIDE,
  mulberry32,
  normalCdf,
  normalCriticalValue,
  normalQuantile,
  normalSurvival,
  quantile,
  rateRatioInterval,
  sampleWarning,
  sum,
  twoProportionPValue,
  twoProportionZ,
  twoSidedPValue,
  wilsonInterval,
} from "../../src/kpis/kpi-stats";

/** |actual − expected| ≤ tolerance·max(1, |expected|). */
function expectNear(actual: number | null | undefined, expected: number, tolerance: number): void {
  expect(actual).toBeTypeOf("number");
  const error = Math.abs((actual as number) - expected) / Math.max(1, Math.abs(expected));
  expect(error, `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

/** |actual − expected| ≤ tolerance·|expected| (for tiny tail probabilities). */
function expectRelative(actual: number | null | undefined, expected: number, tolerance: number): void {
  expect(actual).toBeTypeOf("number");
  expect(Math.abs((actual as number) - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

/** Every number anywhere in the value is finite, and JSON round-trips it unchanged. */
function expectJsonSafe(value: unknown): void {
  const visit = (v: unknown, path: string): void => {
    if (typeof v === "number") expect(Number.isFinite(v), `${path} = ${v}`).toBe(true);
    else if (v !== null && typeof v === "object") for (const [k, child] of Object.entries(v)) visit(child, `${path}.${k}`);
    else expect(["string", "boolean"].includes(typeof v) || v === null, `${path} has type ${typeof v}`).toBe(true);
  };
  visit(value, "$");
  expect(JSON.parse(JSON.stringify(value))).toEqual(value);
}

// ───────────────────────────────────────────── normal distribution

/**
 * Independent Φ for cross-checking (not the code under test): ½·erfc(−z/√2), with erf from
 * its all-positive series e^(−x²)·2/√π·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) for |x| ≤ 2, and erfc from
 * its continued fraction (modified Lentz) for x > 2.
 */
function referenceCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const ax = Math.abs(x);
  let erfc: number;
  if (ax <= 2) {
    let term = ax;
    let total = ax;
    for (let n = 1; n < 200 && term > 1e-20 * total; n++) {
      term *= (2 * ax * ax) / (2 * n + 1);
      total += term;
    }
    const erf = ((2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * total) * Math.sign(x);
    erfc = 1 - erf;
  } else {
    // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
    const tiny = 1e-300;
    let f = ax;
    let c = ax;
    let d = 0;
    for (let k = 1; k < 500; k++) {
      const a = k / 2;
      d = ax + a * d;
      d = d === 0 ? tiny : 1 / d;
      c = ax + a / c;
      if (c === 0) c = tiny;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    const upper = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    erfc = x > 0 ? upper : 2 - upper;
  }
  return erfc / 2;
}

describe("normal distribution", () => {
  it("normalQuantile matches published percentage points", () => {
    // 1.959963984540054: R `qnorm(0.975)` printed to 16 digits; standard 97.5% point.
    expectNear(normalQuantile(0.975), 1.959963984540054, 1e-15);
    expectNear(normalQuantile(0.025), -1.959963984540054, 1e-15);
    // Test values of Wichura (1988), Algorithm AS 241, Applied Statistics 37:477–484,
    // recomputed to 20 digits with mpmath (√2·erfinv(2p − 1)): −0.67448975019608174,
    // −3.0902323061678135, −9.2623400897981532.
    expectNear(normalQuantile(0.25), -0.6744897501960817, 1e-15);
    expectRelative(normalQuantile(0.001), -3.090232306167814, 1e-15);
    expectRelative(normalQuantile(1e-20), -9.262340089798408, 1e-15);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  it("normalCdf matches published values, in both tails", () => {
    // R `pnorm(1.96)` = 0.9750021048517795 (mpmath: 0.97500210485177956379).
    expectNear(normalCdf(1.96), 0.9750021048517795, 1e-15);
    expectNear(normalSurvival(1.96), 0.024997895148220435, 1e-15);
    expect(normalCdf(0)).toBe(0.5);
    // R `pnorm(-1)`, `pnorm(-5)`, `pnorm(-10)`; mpmath ncdf at 50 digits agrees:
    // 0.15865525393145705141, 2.8665157187919391167e-7, 7.619853024160526066e-24.
    expectRelative(normalCdf(-1), 0.15865525393145705, 1e-15);
    expectRelative(normalCdf(-5), 2.866515718791939e-7, 1e-14);
    expectRelative(normalCdf(-10), 7.619853024160526e-24, 1e-14);
    expectRelative(normalSurvival(10), 7.619853024160526e-24, 1e-14); // 1 − Φ(10) would be 0
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
  });

  it("normalCdf agrees with an independent erf/erfc evaluation across the range", () => {
    for (let z = -30; z <= 8; z += 0.037) {
      expectRelative(normalCdf(z), referenceCdf(z), 5e-13);
      expectNear(normalCdf(z) + normalCdf(-z), 1, 2e-16);
    }
  });

  it("normalQuantile inverts normalCdf to ~1e-15 (brief: 1e-9)", () => {
    const ps = [1e-300, 1e-100, 1e-15, 1e-6, 0.001, 0.01, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-9];
    // Φ amplifies a relative error ε in z into ≈ z²·ε in p far in the tail, hence (1 + z²).
    for (const p of ps) {
      const z = normalQuantile(p);
      expectRelative(normalCdf(z), p, 2e-15 * (1 + z * z));
    }
    // z → p → z in the lower tail, where p keeps full relative precision (for z > 0, p = Φ(z)
    // near 1 has already lost the digits of 1 − p when it is rounded to a double).
    for (let z = -37; z <= 0; z += 0.25) expectNear(normalQuantile(normalCdf(z)), z, 1e-14);
  });

  it("critical values and two-sided p-values", () => {
    expectNear(normalCriticalValue(0.95), 1.959963984540054, 1e-15);
    expectNear(normalCriticalValue(0.9), 1.6448536269514722, 1e-15); // R qnorm(0.95)
    expectNear(normalCriticalValue(0.99), 2.5758293035489004, 1e-15); // R qnorm(0.995)
    expectNear(twoSidedPValue(1.96), 0.04999579029644087, 1e-15);
    expect(twoSidedPValue(-1.96)).toBe(twoSidedPValue(1.96));
    expect(twoSidedPValue(0)).toBe(1);
  });

  it("rejects invalid arguments", () => {
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => normalCdf(Number.NaN)).toThrow(RangeError);
    expect(() => normalCriticalValue(1)).toThrow(RangeError);
    expect(() => normalCriticalValue(0)).toThrow(RangeError);
  });
});

// ───────────────────────────────────────────── descriptive statistics

describe("mean, median, quantile", () => {
  it("computes them", () => {
    expect(mean([12_000, 30_000, 18_000])).toBe(20_000);
    expect(median([45, 12, 30])).toBe(30);
    expect(median([45, 12, 30, 20])).toBe(25);
    // Hyndman & Fan (1996) type 7 = R's default `quantile`: quantile(1:4, c(.25, .9)) = 1.75, 3.7
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expectNear(quantile([4, 3, 2, 1], 0.9), 3.7, 1e-15);
    expect(quantile([40, 10, 30, 20], 0.25)).toBe(17.5);
    expect(quantile([5, 1, 9], 0)).toBe(1);
    expect(quantile([5, 1, 9], 1)).toBe(9);
    expect(quantile([5, 1, 9], 0.5)).toBe(median([5, 1, 9]));
    expect(sum([1e16, 1, -1e16])).toBe(1); // compensated; a plain loop gives 0
  });

  it("returns null for empty input and throws on non-finite values", () => {
    expect(mean([])).toBeNull();
    expect(median([])).toBeNull();
    expect(quantile([], 0.5)).toBeNull();
    expect(() => mean([1, Number.NaN])).toThrow(RangeError);
    expect(() => median([1, Infinity])).toThrow(RangeError);
    expect(() => quantile([1, 2], 1.1)).toThrow(RangeError);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    median(values);
    quantile(values, 0.3);
    expect(values).toEqual([3, 1, 2]);
  });
});

// ───────────────────────────────────────────── Wilson interval

describe("wilsonInterval", () => {
  // Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison
  // of seven methods", Stat Med 17:857–872, Table II, method 3 (Wilson score, no continuity
  // correction). Checked by hand with z = 1.959964, z² = 3.841459:
  //  81/263: centre 82.92073/266.84146 = 0.310748, half 0.0073451·√(56.05323 + 0.96036) = 0.055461
  //  15/148: centre 0.111437, half 0.0129080·√(13.47973 + 0.96036) = 0.049051
  //   0/20:  upper z²/(n + z²) = 3.841459/23.841459 = 0.161125
  //   1/29:  centre 0.088934, half 0.059679·√(0.965517 + 0.960365) = 0.082820
  const newcombe: [x: number, n: number, low: number, high: number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  it.each(newcombe)("%i/%i → (%f, %f) as published by Newcombe (1998)", (x, n, low, high) => {
    const interval = wilsonInterval(x, n)!;
    expect(interval.estimate).toBe(x / n);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it("matches the closed form to full precision", () => {
    const interval = wilsonInterval(81, 263)!;
    const z = 1.959963984540054;
    const centre = (81 + (z * z) / 2) / (263 + z * z);
    const half = (z / (263 + z * z)) * Math.sqrt((81 * 182) / 263 + (z * z) / 4);
    expectNear(interval.low, centre - half, 1e-15);
    expectNear(interval.high, centre + half, 1e-15);
  });

  it("handles x = 0, x = n and n = 0", () => {
    expect(wilsonInterval(0, 20)).toEqual({ estimate: 0, low: 0, high: expect.closeTo(3.841458820694124 / 23.841458820694124, 15) });
    const all = wilsonInterval(20, 20)!;
    const none = wilsonInterval(0, 20)!;
    expect(all.high).toBe(1);
    expectNear(all.low, 1 - none.high, 1e-15); // the interval is symmetric under x ↔ n − x
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it("widens with the confidence level and rejects bad counts", () => {
    const i95 = wilsonInterval(81, 263)!;
    const i99 = wilsonInterval(81, 263, 0.99)!;
    expect(i99.low).toBeLessThan(i95.low);
    expect(i99.high).toBeGreaterThan(i95.high);
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4, 1.2)).toThrow(RangeError);
  });
});

// ───────────────────────────────────────────── pooled two-proportion z-test

describe("twoProportionZ / twoProportionPValue", () => {
  it("reproduces the Physicians' Health Study aspirin example", () => {
    // Steering Committee of the Physicians' Health Study, NEJM 321:129–135 (1989); the 2×2
    // table (heart attacks 189/11034 placebo, 104/11037 aspirin) is the standard textbook
    // example (Agresti, An Introduction to Categorical Data Analysis, Table 2.3), z ≈ 5.00.
    // By hand: p̄ = 293/22071 = 0.013275, SE = √(0.013275·0.986725·(1/11034 + 1/11037))
    // = 0.0015408, z = (0.0171289 − 0.0094229)/0.0015408 = 5.0014. Independent check:
    // scipy.stats.chi2_contingency(correction=False) → χ² = 25.013883967194165 (= z²),
    // p = 5.691896973740789e-07.
    const z = twoProportionZ(189, 11034, 104, 11037)!;
    expect(z).toBeCloseTo(5.0014, 4);
    expectNear(z * z, 25.013883967194165, 1e-12);
    expectRelative(twoProportionPValue(189, 11034, 104, 11037), 5.691896973740789e-7, 1e-9);
  });

  it("reproduces the statsmodels proportions_ztest documentation example", () => {
    // statsmodels docs, proportions_ztest: count = [5, 12], nobs = [83, 99] → p-value 0.159.
    // By hand: p̄ = 17/182 = 0.093407, SE = √(0.093407·0.906593·(1/83 + 1/99)) = 0.043309,
    // z = (0.060241 − 0.121212)/0.043309 = −1.4078. scipy chi2_contingency: p = 0.15918129181156587.
    expect(twoProportionZ(5, 83, 12, 99)).toBeCloseTo(-1.4078, 4);
    expect(twoProportionPValue(5, 83, 12, 99)).toBeCloseTo(0.159, 3);
    expectNear(twoProportionPValue(5, 83, 12, 99), 0.15918129181156587, 1e-12);
  });

  it("is symmetric and handles degenerate tables", () => {
    expect(twoProportionPValue(12, 99, 5, 83)).toBe(twoProportionPValue(5, 83, 12, 99));
    expect(twoProportionPValue(10, 100, 10, 100)).toBe(1); // equal rates
    expect(twoProportionPValue(0, 50, 0, 40)).toBe(1); // no events anywhere: identical rates
    expect(twoProportionPValue(50, 50, 40, 40)).toBe(1); // only events anywhere
    expect(twoProportionZ(0, 50, 0, 40)).toBe(0);
    expect(twoProportionPValue(3, 10, 0, 0)).toBeNull(); // empty holdout
    expect(twoProportionPValue(0, 0, 3, 10)).toBeNull();
    expect(twoProportionPValue(0, 30, 10, 30)).toBeLessThan(0.001);
    expect(() => twoProportionPValue(11, 10, 1, 10)).toThrow(RangeError);
  });
});

// ───────────────────────────────────────────── Koopman ratio interval

/**
 * Independent Koopman interval (not the code under test): Koopman's (1984) own formulation —
 * the Pearson χ² of the table against the maximum-likelihood probabilities under p₁ = φ·p₀,
 * with the constrained MLE found by bisection on the score equation ∂ℓ/∂p₀ = 0 (not by the
 * closed-form quadratic the implementation uses), and the limits by bisection on
 * χ²(φ) = z², in log φ.
 */
function referenceKoopman(x1: number, n1: number, x0: number, n0: number, z: number): { low: number | null; high: number | null } {
  const chiSquare = (phi: number): number => {
    const derivative = (p0: number): number =>
      (x1 + x0) / p0 - ((n1 - x1) * phi) / (1 - phi * p0) - (n0 - x0) / (1 - p0);
    let lo = 0;
    let hi = Math.min(1, 1 / phi);
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (derivative(mid) > 0) lo = mid;
      else hi = mid;
    }
    const p0 = (lo + hi) / 2;
    const p1 = phi * p0;
    return (x1 - n1 * p1) ** 2 / (n1 * p1 * (1 - p1)) + (x0 - n0 * p0) ** 2 / (n0 * p0 * (1 - p0));
  };
  const crossing = (a: number, b: number): number => {
    // χ² − z² changes sign between log-ratios a and b.
    let lo = a;
    let hi = b;
    const sign = Math.sign(chiSquare(Math.exp(lo)) - z * z);
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (Math.sign(chiSquare(Math.exp(mid)) - z * z) === sign) lo = mid;
      else hi = mid;
    }
    return Math.exp((lo + hi) / 2);
  };
  // Brackets in log φ: from the estimate outwards (±20 when the estimate is 0 or ∞).
  const logEstimate = Math.log(x1 / n1 / (x0 / n0));
  return {
    low: x1 === 0 ? 0 : crossing(-20, Number.isFinite(logEstimate) ? logEstimate : 20),
    high: x0 === 0 ? null : crossing(Number.isFinite(logEstimate) ? logEstimate : -20, 20),
  };
}

describe("rateRatioInterval (Koopman score interval)", () => {
  it("reproduces Koopman's (1984) example 36/40 vs 16/80 as published", () => {
    // Koopman PAR (1984), Biometrics 40:513–517, example data; the Stata implementation of
    // the method (`koopmani 36 40 16 80`, Stata Technical Bulletin STB-58, 2000, p. 18)
    // prints point estimate 4.5, 95% CI 2.939633–7.152252 and 99% CI 2.598043–8.283284.
    // That program bisects to a coarse tolerance (its 99% upper limit is off in the 4th
    // digit), hence the 2e-4 relative tolerance; the exact limits are checked just below.
    const i95 = rateRatioInterval(36, 40, 16, 80);
    expect(i95.estimate).toBe(4.5);
    expectRelative(i95.low, 2.939633, 2e-4);
    expectRelative(i95.high, 7.152252, 2e-4);
    const i99 = rateRatioInterval(36, 40, 16, 80, 0.99);
    expectRelative(i99.low, 2.598043, 2e-4);
    expectRelative(i99.high, 8.283284, 2e-4);
    // (The often-quoted "(3.0, 6.6)" is not the 95% interval; it is close to the 90% one.)
    const i90 = rateRatioInterval(36, 40, 16, 80, 0.9);
    expect(i90.low).toBeCloseTo(3.1368, 4);
    expect(i90.high).toBeCloseTo(6.6327, 4);
  });

  it("agrees with an independent Pearson-χ² computation to 1e-9", () => {
    // Tables include the Perondi et al. (2004) epinephrine trial, 7/34 vs 1/34, used by
    // Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 4.
    // mpmath at 40 digits gave 2.9395691922149942–7.152223434866029 for Koopman's table.
    const tables: [number, number, number, number][] = [
      [36, 40, 16, 80],
      [7, 34, 1, 34],
      [84, 400, 30, 250],
      [3, 500, 9, 480],
      [120, 5000, 100, 5000],
      [0, 16, 15, 72],
      [5, 10, 0, 10],
    ];
    for (const [x1, n1, x0, n0] of tables) {
      for (const [confidence, z] of [
        [0.95, 1.959963984540054],
        [0.99, 2.5758293035489004],
      ] as const) {
        const got = rateRatioInterval(x1, n1, x0, n0, confidence);
        const want = referenceKoopman(x1, n1, x0, n0, z);
        if (want.low === 0) expect(got.low).toBe(0);
        else expectRelative(got.low, want.low!, 1e-9);
        if (want.high === null) expect(got.high).toBeNull();
        else expectRelative(got.high, want.high, 1e-9);
      }
    }
    expectRelative(rateRatioInterval(36, 40, 16, 80).low, 2.9395691922149942, 1e-12);
    expectRelative(rateRatioInterval(36, 40, 16, 80).high, 7.152223434866029, 1e-12);
  });

  it("excludes 1 exactly when the pooled z-test rejects (same score test)", () => {
    let checked = 0;
    for (const n1 of [8, 30, 97]) {
      for (const n0 of [12, 41]) {
        for (let x1 = 0; x1 <= n1; x1 += 3) {
          for (let x0 = 0; x0 <= n0; x0 += 2) {
            const p = twoProportionPValue(x1, n1, x0, n0)!;
            const ci = rateRatioInterval(x1, n1, x0, n0);
            if (x1 === 0 && x0 === 0) continue; // ratio undefined, p = 1
            if (Math.abs(p - 0.05) < 1e-9) continue; // on the boundary
            const excludesOne = (ci.low ?? 0) > 1 || (ci.high !== null && ci.high < 1);
            expect(excludesOne, `${x1}/${n1} vs ${x0}/${n0}: p = ${p}, CI ${ci.low}–${ci.high}`).toBe(p < 0.05);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("is reciprocal when the groups swap", () => {
    const forward = rateRatioInterval(7, 34, 1, 34);
    const backward = rateRatioInterval(1, 34, 7, 34);
    expectRelative(backward.low, 1 / forward.high!, 1e-12);
    expectRelative(backward.high, 1 / forward.low!, 1e-12);
  });

  it("handles zero cells, x = n and empty groups without NaN or Infinity", () => {
    const noTreatedEvents = rateRatioInterval(0, 50, 5, 50);
    expect(noTreatedEvents).toMatchObject({ estimate: 0, low: 0 });
    expect(noTreatedEvents.high).toBeGreaterThan(0);
    expect(noTreatedEvents.high).toBeLessThan(1);
    expect(noTreatedEvents.reason).toMatch(/treated group has no events/);

    const noHoldoutEvents = rateRatioInterval(5, 10, 0, 10);
    expect(noHoldoutEvents).toMatchObject({ estimate: null, high: null });
    expect(noHoldoutEvents.low).toBeGreaterThan(1);
    expect(noHoldoutEvents.reason).toMatch(/unbounded/);

    expect(rateRatioInterval(0, 50, 0, 40)).toMatchObject({ estimate: null, low: null, high: null });
    expect(rateRatioInterval(0, 50, 0, 40).reason).toMatch(/no events/);
    expect(rateRatioInterval(3, 10, 0, 0)).toMatchObject({ estimate: null, low: null, high: null });
    expect(rateRatioInterval(0, 0, 3, 10).reason).toMatch(/treated group is empty/);

    const allEvents = rateRatioInterval(10, 10, 10, 10); // x = n on both sides
    expect(allEvents.estimate).toBe(1);
    expect(allEvents.low).toBeLessThan(1);
    expect(allEvents.high).toBeGreaterThan(1);
    const allTreated = rateRatioInterval(10, 10, 5, 10);
    expect(allTreated.estimate).toBe(2);
    expect(allTreated.low).toBeGreaterThan(1);

    for (const t of [[0, 50, 5, 50], [5, 10, 0, 10], [0, 1, 0, 1], [1, 1, 1, 1], [1, 1_000_000, 1, 1_000_000], [0, 0, 0, 0]]) {
      expectJsonSafe(rateRatioInterval(t[0]!, t[1]!, t[2]!, t[3]!));
    }
  });
});

// ───────────────────────────────────────────── bootstrap

/** Exponential variates with the given mean, from a seeded stream (test data only). */
function exponentialSample(n: number, meanValue: number, random: () => number): number[] {
  return Array.from({ length: n }, () => -meanValue * Math.log(1 - random()));
}

describe("mulberry32", () => {
  it("is the reference mulberry32 stream", () => {
    // First outputs of Tommy Ettinger's mulberry32 for seed 42 (same constants as the
    // widely copied JS version: 0x6D2B79F5, shifts 15/7/14, or-constants 1/61).
    const random = mulberry32(42);
    expect(random()).toBe(0.6011037519201636);
    expect(random()).toBe(0.44829055899754167);
  });

  it("is deterministic, seed-sensitive and roughly uniform", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(mean(xs)! - 0.5)).toBeLessThan(0.01);
    expect(() => mulberry32(1.5)).toThrow(RangeError);
  });
});

/**
 * Independent bootstrap (not the code under test): the same draws in the same order —
 * treated n₁ indices then holdout n₀ indices per iteration, into the sorted samples — but
 * each resample materialised and its statistic computed with the public `mean`/`median`.
 */
function naiveBootstrap(treated: number[], holdout: number[], stat: "mean" | "median", seed: number, iterations: number) {
  const random = mulberry32(seed);
  const t = [...treated].sort((a, b) => a - b);
  const h = [...holdout].sort((a, b) => a - b);
  const statistic = stat === "mean" ? mean : median;
  const logRatios: number[] = [];
  for (let b = 0; b < iterations; b++) {
    const tr = t.map(() => t[Math.floor(random() * t.length)]!);
    const hr = h.map(() => h[Math.floor(random() * h.length)]!);
    logRatios.push(Math.log(statistic(tr)!) - Math.log(statistic(hr)!));
  }
  logRatios.sort((a, b) => a - b);
  const below = logRatios.filter((r) => r < 0).length;
  const above = logRatios.filter((r) => r > 0).length;
  const ties = iterations - below - above;
  return {
    low: Math.exp(quantile(logRatios, 0.025)!),
    high: Math.exp(quantile(logRatios, 0.975)!),
    pValue: Math.min(1, (2 * (Math.min(below, above) + ties / 2 + 1)) / (iterations + 1)),
  };
}

describe("bootstrapRatioInterval", () => {
  const random = mulberry32(123);
  const treatedAcv = exponentialSample(60, 30_000, random);
  const holdoutAcv = exponentialSample(45, 20_000, random);
  const treatedDays = Array.from({ length: 40 }, () => Math.round(20 + random() * 40));
  const holdoutDays = Array.from({ length: 35 }, () => Math.round(30 + random() * 50));

  it("gives the same interval for the same seed and a different one for another seed", () => {
    const first = bootstrapRatioInterval(treatedAcv, holdoutAcv, "mean", { seed: 2024 });
    const again = bootstrapRatioInterval(treatedAcv, holdoutAcv, "mean", { seed: 2024 });
    const other = bootstrapRatioInterval(treatedAcv, holdoutAcv, "mean", { seed: 2025 });
    expect(again).toEqual(first);
    expect(other.estimate).toBe(first.estimate);
    expect([other.low, other.high]).not.toEqual([first.low, first.high]);
    expect(first.iterations).toBe(DEFAULT_BOOTSTRAP_ITERATIONS);
    expect(first.replicates).toBe(DEFAULT_BOOTSTRAP_ITERATIONS);
    expect(first.estimate).toBe(mean(treatedAcv)! / mean(holdoutAcv)!);
    expect(first.low).toBeLessThan(first.estimate!);
    expect(first.high).toBeGreaterThan(first.estimate!);
  });

  it("does not depend on the order of the input values", () => {
    const shuffled = [...treatedDays].reverse();
    expect(bootstrapRatioInterval(shuffled, holdoutDays, "median", { seed: 5 })).toEqual(
      bootstrapRatioInterval(treatedDays, holdoutDays, "median", { seed: 5 }),
    );
  });

  it.each(["mean", "median"] as const)("matches a naive bootstrap of the same draws (%s)", (stat) => {
    const got = bootstrapRatioInterval(treatedDays, holdoutDays, stat, { seed: 99, iterations: 500 });
    const want = naiveBootstrap(treatedDays, holdoutDays, stat, 99, 500);
    expectRelative(got.low, want.low, 1e-12);
    expectRelative(got.high, want.high, 1e-12);
    expectNear(got.pValue, want.pValue, 1e-15);
  });

  it.each(["mean", "median"] as const)("contains the true ratio for a large synthetic sample (%s)", (stat) => {
    // Exponential populations with means 1500 and 1000: true ratio of means and of medians
    // (ln 2 × mean) is exactly 1.5.
    const r = mulberry32(77);
    const result = bootstrapRatioInterval(exponentialSample(4000, 1500, r), exponentialSample(4000, 1000, r), stat, {
      seed: 1,
    });
    expect(result.low).toBeLessThan(1.5);
    expect(result.high).toBeGreaterThan(1.5);
    expect(result.high! - result.low!).toBeLessThan(0.25);
    expect(result.pValue).toBeLessThan(0.001);
  });

  it("covers the true ratio about 95% of the time over repeated synthetic experiments", () => {
    const r = mulberry32(4242);
    const experiments = 200;
    let covered = 0;
    for (let e = 0; e < experiments; e++) {
      const result = bootstrapRatioInterval(exponentialSample(150, 1200, r), exponentialSample(150, 1000, r), "mean", {
        seed: e,
        iterations: 400,
      });
      if (result.low! <= 1.2 && 1.2 <= result.high!) covered++;
    }
    // Binomial(200, 0.95) lies in [181, 197] with probability > 0.99; percentile intervals
    // for a skewed mean run slightly below nominal at n = 150.
    expect(covered).toBeGreaterThanOrEqual(176);
    expect(covered).toBeLessThanOrEqual(198);
  });

  it("gives a large p-value for equal groups and a small one for different groups", () => {
    const same = bootstrapRatioInterval(treatedDays, treatedDays, "median", { seed: 3 });
    expect(same.estimate).toBe(1);
    expect(same.pValue).toBeGreaterThan(0.5);
    expect(same.low).toBeLessThanOrEqual(1);
    expect(same.high).toBeGreaterThanOrEqual(1);
    const constant = bootstrapRatioInterval([40, 40, 40], [30, 30, 30], "mean", { seed: 3, iterations: 999 });
    expect(constant).toMatchObject({ estimate: 4 / 3, pValue: 2 / 1000 }); // no variability at all
    expect(constant.low).toBeCloseTo(4 / 3, 12);
    expect(constant.high).toBeCloseTo(4 / 3, 12);
  });

  it("returns nulls with a reason for empty groups and a zero holdout statistic", () => {
    const empty = bootstrapRatioInterval([], [1, 2, 3], "mean", { seed: 1 });
    expect(empty).toMatchObject({ estimate: null, low: null, high: null, pValue: null, treatedStat: null, holdoutStat: 2 });
    expect(empty.reason).toMatch(/treated group has no values/);
    expect(bootstrapRatioInterval([1, 2], [], "median", { seed: 1 }).reason).toMatch(/holdout group has no values/);

    const zeroHoldout = bootstrapRatioInterval([3, 4, 5], [0, 0, 0, 9], "median", { seed: 1 });
    expect(zeroHoldout).toMatchObject({ estimate: null, low: null, high: null, pValue: null, holdoutStat: 0 });
    expect(zeroHoldout.reason).toMatch(/holdout median is 0/);

    const single = bootstrapRatioInterval([10], [5, 6, 7], "mean", { seed: 1 });
    expect(single).toMatchObject({ estimate: 10 / 6, low: null, high: null, pValue: null });
    expect(single.reason).toMatch(/fewer than 2 values/);
  });

  it("reports an unbounded upper limit as null and a zero treated statistic as 0", () => {
    // Holdout median is 1, but in many resamples it is 0 (4 zeros of 7 values, median = 1 …)
    const unbounded = bootstrapRatioInterval([5, 6, 7, 8, 9], [0, 0, 0, 1, 2, 3, 4], "median", { seed: 11 });
    expect(unbounded.estimate).toBe(7);
    expect(unbounded.high).toBeNull();
    expect(unbounded.low).toBeGreaterThan(0);
    expect(unbounded.reason).toMatch(/unbounded/);
    expectJsonSafe(unbounded);

    const zeroTreated = bootstrapRatioInterval([0, 0, 0, 0, 0, 0, 1], [3, 4, 5, 6, 7], "median", { seed: 11 });
    expect(zeroTreated.estimate).toBe(0);
    expect(zeroTreated.low).toBe(0);
    expect(zeroTreated.pValue).toBeLessThan(0.05);
    expectJsonSafe(zeroTreated);

    // Mostly zeros on both sides: too many 0/0 resamples for an honest interval.
    const degenerate = bootstrapRatioInterval([0, 0, 0, 0, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 0, 0, 0, 5], "mean", {
      seed: 4,
    });
    expect(degenerate.estimate).toBeCloseTo(1.4, 12);
    expect(degenerate).toMatchObject({ low: null, high: null, pValue: null });
    expect(degenerate.replicates).toBeLessThan(0.9 * degenerate.iterations);
    expect(degenerate.reason).toMatch(/resamples had a mean of 0 in both groups/);
  });

  it("rejects invalid input", () => {
    expect(() => bootstrapRatioInterval([1, -2], [1, 2], "mean", { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapRatioInterval([1, Number.NaN], [1, 2], "mean", { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapRatioInterval([1, 2], [1, 2], "mean", { seed: 1.5 })).toThrow(RangeError);
    expect(() => bootstrapRatioInterval([1, 2], [1, 2], "mean", { seed: 1, iterations: 10 })).toThrow(RangeError);
    expect(() => bootstrapRatioInterval([1, 2], [1, 2], "mean", { seed: 1, confidence: 95 })).toThrow(RangeError);
    expect(() => bootstrapRatioInterval([1, 2], [1, 2], "mode" as "mean", { seed: 1 })).toThrow(RangeError);
  });
});

// ───────────────────────────────────────────── warnings

describe("sampleWarning", () => {
  const meetingLabels = { trials: "accounts", events: "accounts with a meeting", nonEvents: "accounts without a meeting" };

  it("uses the documented thresholds", () => {
    expect([MIN_TRIALS_PER_SIDE, MIN_EVENTS_PER_SIDE, MIN_VALUES_PER_SIDE]).toEqual([30, 5, 10]);
    expect(sampleWarning({ kind: "rate", treated: { x: 5, n: 30 }, holdout: { x: 25, n: 30 } })).toBeNull();
    expect(sampleWarning({ kind: "rate", treated: { x: 5, n: 29 }, holdout: { x: 5, n: 30 } })).toMatch(/treated has 29 accounts/);
    expect(sampleWarning({ kind: "rate", treated: { x: 4, n: 300 }, holdout: { x: 50, n: 300 } })).toMatch(/treated has 4 events/);
    expect(sampleWarning({ kind: "rate", treated: { x: 296, n: 300 }, holdout: { x: 50, n: 300 } })).toMatch(/4 non-events/);
    expect(sampleWarning({ kind: "values", treated: 10, holdout: 10 })).toBeNull();
    expect(sampleWarning({ kind: "values", treated: 10, holdout: 9 })).toMatch(/holdout has 9 values/);
  });

  it("says what is missing in plain words", () => {
    expect(
      sampleWarning({ kind: "rate", treated: { x: 40, n: 200 }, holdout: { x: 2, n: 25 }, labels: meetingLabels }),
    ).toBe(
      "Too small to conclude anything: holdout has 25 accounts (at least 30 needed) and 2 accounts with a meeting (at least 5 needed).",
    );
    expect(
      sampleWarning({
        kind: "rate",
        treated: { x: 3, n: 6 },
        holdout: { x: 0, n: 0 },
        labels: { trials: "closed deals", events: "won deals", nonEvents: "lost deals" },
      }),
    ).toBe(
      "Too small to conclude anything: treated has 6 closed deals (at least 30 needed), 3 won deals (at least 5 needed) and 3 lost deals (at least 5 needed); holdout has no closed deals.",
    );
    expect(sampleWarning({ kind: "values", treated: 42, holdout: 7, label: "won deals" })).toBe(
      "Too small to conclude anything: holdout has 7 won deals (at least 10 needed).",
    );
    expect(sampleWarning({ kind: "values", treated: 0, holdout: 0, label: "won deals" })).toBe(
      "Too small to conclude anything: treated has no won deals; holdout has no won deals.",
    );
  });

  it("rejects impossible counts", () => {
    expect(() => sampleWarning({ kind: "rate", treated: { x: 5, n: 4 }, holdout: { x: 1, n: 4 } })).toThrow(RangeError);
    expect(() => sampleWarning({ kind: "values", treated: -1, holdout: 4 })).toThrow(RangeError);
  });
});

// ───────────────────────────────────────────── bundles

describe("compareRates", () => {
  it("bundles rates, Wilson intervals, Koopman lift interval, p-value and warning", () => {
    const result = compareRates({ x: 84, n: 400 }, { x: 30, n: 250 });
    expect(result).toMatchObject({
      treated: { x: 84, n: 400, rate: 0.21 },
      holdout: { x: 30, n: 250, rate: 0.12 },
      lift: 1.75,
      liftNote: null,
      confidence: 0.95,
      liftMethod: "koopman-score",
      pValueMethod: "pooled-z",
      warning: null,
    });
    // By hand: Wilson 84/400 = 0.212759 ∓ 0.039821; 30/250 = 0.125750 ∓ 0.040387;
    // pooled z = 0.09 / √(0.175385·0.824615·(1/400 + 1/250)) = 0.09/0.030660 = 2.9354.
    expect(result.treated.low).toBeCloseTo(0.17294, 5);
    expect(result.treated.high).toBeCloseTo(0.25258, 5);
    expect(result.holdout.low).toBeCloseTo(0.08536, 5);
    expect(result.holdout.high).toBeCloseTo(0.16614, 5);
    expect(result.pValue).toBeCloseTo(2 * normalSurvival(2.9354), 5);
    expect(result.liftLow).toBe(rateRatioInterval(84, 400, 30, 250).low);
    expect(result.liftHigh).toBe(rateRatioInterval(84, 400, 30, 250).high);
    expectJsonSafe(result);
  });

  it("stays JSON-safe and explains itself in every degenerate case", () => {
    const cases: [{ x: number; n: number }, { x: number; n: number }][] = [
      [{ x: 0, n: 0 }, { x: 0, n: 0 }],
      [{ x: 3, n: 10 }, { x: 0, n: 0 }],
      [{ x: 0, n: 40 }, { x: 0, n: 35 }],
      [{ x: 12, n: 40 }, { x: 0, n: 35 }],
      [{ x: 0, n: 40 }, { x: 6, n: 35 }],
      [{ x: 40, n: 40 }, { x: 35, n: 35 }],
    ];
    for (const [treated, holdout] of cases) {
      const result = compareRates(treated, holdout, { labels: { events: "meetings" } });
      expectJsonSafe(result);
      if (result.lift === null || result.liftHigh === null) expect(result.liftNote).toBeTypeOf("string");
      expect(result.warning).toMatch(/^Too small to conclude anything: /);
    }
    const emptyHoldout = compareRates({ x: 3, n: 10 }, { x: 0, n: 0 });
    expect(emptyHoldout.holdout).toEqual({ x: 0, n: 0, rate: null, low: null, high: null });
    expect(emptyHoldout.pValue).toBeNull();
    const noEvents = compareRates({ x: 0, n: 40 }, { x: 0, n: 35 });
    expect(noEvents).toMatchObject({ lift: null, liftLow: null, liftHigh: null, pValue: 1 });
  });
});

describe("compareValues", () => {
  const treatedDays = [20, 25, 28, 30, 31, 33, 35, 38, 40, 45, 50, 61];
  const holdoutDays = [35, 40, 44, 48, 50, 52, 57, 60, 66, 75];

  it("bundles statistics, bootstrap lift interval, p-value and warning", () => {
    const result = compareValues(treatedDays, holdoutDays, "median", 2024);
    expect(result).toMatchObject({
      stat: "median",
      treated: { count: 12, value: 34 },
      holdout: { count: 10, value: 51 },
      lift: 34 / 51,
      confidence: 0.95,
      iterations: 2000,
      seed: 2024,
      liftMethod: "bootstrap-percentile",
      pValueMethod: "bootstrap-percentile-inversion",
      liftNote: null,
      warning: null,
    });
    expect(result.liftLow).toBeLessThan(result.lift!);
    expect(result.liftHigh).toBeGreaterThan(result.lift!);
    expect(result.liftHigh).toBeLessThan(1); // treated deals clearly close faster
    expect(result.pValue).toBeLessThan(0.05);
    expect(compareValues(treatedDays, holdoutDays, "median", 2024)).toEqual(result);
    expectJsonSafe(result);
  });

  it("warns on small samples and stays JSON-safe in degenerate cases", () => {
    const small = compareValues([30_000, 42_000, 18_000], [20_000, 25_000], "mean", 1, { label: "won deals" });
    expect(small.warning).toBe(
      "Too small to conclude anything: treated has 3 won deals (at least 10 needed); holdout has 2 won deals (at least 10 needed).",
    );
    expectJsonSafe(small);
    for (const [t, h] of [
      [[], []],
      [[1, 2, 3], []],
      [[1, 2, 3], [0, 0, 0]],
      [[0, 0, 0], [1, 2, 3]],
      [[5], [4]],
    ] as [number[], number[]][]) {
      for (const stat of ["mean", "median"] as const) {
        const result = compareValues(t, h, stat, 9, { iterations: 200 });
        expectJsonSafe(result);
        if (result.lift === null || result.liftLow === null || result.liftHigh === null) {
          expect(result.liftNote).toBeTypeOf("string");
        }
      }
    }
  });
});
