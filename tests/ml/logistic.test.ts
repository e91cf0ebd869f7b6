import { describe, expect, it } from "vitest";
import { getBackend } from "../../ml/backend";
import { TrainingInputError } from "../../ml/errors";
import {
  fitLogistic,
  INTERCEPT_NAME,
  predict,
  predictMany,
  trainLogistic,
  type TrainingMatrix,
  type TrainingStage,
} from "../../ml/logistic";
import { auc, brier, logLoss } from "../../ml/metrics";
import { gaussian, mulberry32 } from "../../ml/random";
import { stratifiedSplit } from "../../ml/split";
import { simulateLogistic } from "../../ml/synthetic";

/**
 * Textbook penalised IRLS, written independently of ml/: standardise (population sd), then
 * iterate β ← (XᵀWX + λP)⁻¹ XᵀW·z on the working response z = η + (y − p)/w, solving by
 * Gauss–Jordan elimination with partial pivoting in plain number[][]. Standard errors from
 * the inverse of XᵀWX + λP, mapped back to the original scale.
 */
function textbookIrls(rows: number[][], y: number[], lambda: number) {
  const n = rows.length;
  const p = rows[0].length;
  const mean = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const sd = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / n));
  const design = rows.map((r) => [1, ...r.map((v, j) => (v - mean[j]) / sd[j])]);
  const d = p + 1;
  const invert = (a: number[][]) => {
    const m = a.map((row, i) => [...row, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
    for (let c = 0; c < d; c++) {
      let pivot = c;
      for (let r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
      [m[c], m[pivot]] = [m[pivot], m[c]];
      const div = m[c][c];
      for (let k = 0; k < 2 * d; k++) m[c][k] /= div;
      for (let r = 0; r < d; r++) {
        if (r === c) continue;
        const f = m[r][c];
        for (let k = 0; k < 2 * d; k++) m[r][k] -= f * m[c][k];
      }
    }
    return m.map((row) => row.slice(d));
  };
  let beta = new Array<number>(d).fill(0);
  let information: number[][] = [];
  for (let iter = 0; iter < 200; iter++) {
    const eta = design.map((x) => x.reduce((s, v, j) => s + v * beta[j], 0));
    const prob = eta.map((e) => 1 / (1 + Math.exp(-e)));
    const w = prob.map((q) => q * (1 - q));
    const z = eta.map((e, i) => e + (y[i] - prob[i]) / w[i]);
    information = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => design.reduce((s, x, i) => s + x[a] * w[i] * x[b], 0) + (a === b && a > 0 ? lambda : 0)),
    );
    const rhs = Array.from({ length: d }, (_, a) => design.reduce((s, x, i) => s + x[a] * w[i] * z[i], 0));
    const inv = invert(information);
    const next = inv.map((row) => row.reduce((s, v, b) => s + v * rhs[b], 0));
    const change = Math.max(...next.map((v, j) => Math.abs(v - beta[j])));
    beta = next;
    if (change < 1e-13) break;
  }
  const cov = invert(information);
  const slopes = beta.slice(1).map((b, j) => b / sd[j]);
  const intercept = beta[0] - slopes.reduce((s, b, j) => s + b * mean[j], 0);
  const a = [1, ...mean.map((m, j) => -m / sd[j])];
  const interceptVar = a.reduce((s, ai, r) => s + ai * a.reduce((t, ac, c) => t + cov[r][c] * ac, 0), 0);
  return {
    estimates: [intercept, ...slopes],
    standardized: beta,
    stdErrors: [Math.sqrt(interceptVar), ...slopes.map((_, j) => Math.sqrt(cov[j + 1][j + 1]) / sd[j])],
  };
}

/** A fixed 80 × 3 matrix on different scales, with outcomes that are not separable. */
function fixedMatrix(): { rows: number[][]; y: number[]; matrix: TrainingMatrix } {
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 80; i++) {
    const visits = i % 7;
    const revenue = 100 + 13 * Math.sin(i);
    const share = ((i * 37) % 11) / 10;
    rows.push([visits, revenue, share]);
    const noise = ((i * 7919) % 13) / 13;
    y.push(noise < 0.2 + 0.08 * visits + 0.01 * (revenue - 100) ? 1 : 0);
  }
  const matrix: TrainingMatrix = {
    X: Float64Array.from(rows.flat()),
    n: rows.length,
    p: 3,
    y: Uint8Array.from(y),
    featureNames: ["visits", "revenue", "share"],
  };
  return { rows, y, matrix };
}

describe("fitLogistic against a textbook IRLS", () => {
  for (const l2 of [1, 0.1, 0]) {
    it(`agrees on coefficients and standard errors (l2 = ${l2})`, async () => {
      const { rows, y, matrix } = fixedMatrix();
      expect(y.filter((v) => v === 1).length).toBeGreaterThanOrEqual(10);
      expect(y.filter((v) => v === 0).length).toBeGreaterThanOrEqual(10);
      const reference = textbookIrls(rows, y, l2);
      const fit = await fitLogistic(matrix, { l2 });
      expect(fit.converged).toBe(true);
      expect(fit.coefficients.map((c) => c.name)).toEqual([INTERCEPT_NAME, "visits", "revenue", "share"]);
      fit.coefficients.forEach((c, k) => {
        expect(Math.abs(c.estimate - reference.estimates[k])).toBeLessThan(1e-6);
        expect(Math.abs(c.standardized - reference.standardized[k])).toBeLessThan(1e-6);
        // The Hessian is formed in float32 on the backend: ~1e-7 relative error on SEs.
        expect(Math.abs(c.stdError / reference.stdErrors[k] - 1)).toBeLessThan(1e-6);
      });
    });
  }

  it("derives intervals, z, p and odds ratios from estimate and SE", async () => {
    const { matrix } = fixedMatrix();
    const fit = await fitLogistic(matrix, { l2: 1 });
    for (const c of fit.coefficients) {
      expect(c.ciLow).toBeCloseTo(c.estimate - 1.959963984540054 * c.stdError, 12);
      expect(c.ciHigh).toBeCloseTo(c.estimate + 1.959963984540054 * c.stdError, 12);
      expect(c.zValue).toBeCloseTo(c.estimate / c.stdError, 10);
      expect(c.oddsRatio).toBeCloseTo(Math.exp(c.estimate), 12);
      expect(c.spansZero).toBe(c.ciLow <= 0 && c.ciHigh >= 0);
      expect(c.pValue).toBeGreaterThanOrEqual(0);
      expect(c.pValue).toBeLessThanOrEqual(1);
      expect(c.spansZero).toBe(c.pValue >= 0.05);
    }
  });
});

describe("trainLogistic on simulated data", () => {
  // True weights on very different scales; per standard deviation they are 0.8, −0.5, 0.4, 0.3.
  const features = [
    { name: "fit", mean: 0, sd: 1, weight: 0.8 },
    { name: "employees", mean: 50, sd: 10, weight: -0.05 },
    { name: "revenue", mean: 1000, sd: 100, weight: 0.004 },
    { name: "intent", mean: 0.05, sd: 0.01, weight: 30 },
  ];
  const { matrix, trueIntercept } = simulateLogistic(features, { n: 20_000, intercept: -0.4, seed: 2024 });

  it("recovers the true weights within four standard errors", async () => {
    const { report } = await trainLogistic(matrix, { l2: 1e-6, seed: 3 });
    expect(report.converged).toBe(true);
    expect(report.iterations).toBeLessThan(10);
    const truth = [trueIntercept, ...features.map((f) => f.weight)];
    report.coefficients.forEach((c, k) => {
      // At n = 20k the SE of a standardised coefficient is about 1/√(n·p̄(1−p̄)) ≈ 0.016, so
      // four SEs is a tight bound that a correct fit still meets with probability > 0.9999.
      expect(Math.abs(c.estimate - truth[k])).toBeLessThan(4 * c.stdError);
      if (k > 0) expect(c.stdError / Math.abs(c.estimate)).toBeLessThan(0.1);
    });
    expect(report.warnings).toEqual([]);
  });

  it("evaluates on a holdout it did not fit and reports cross-validation", async () => {
    const { report } = await trainLogistic(matrix, { l2: 1, seed: 5, folds: 4, holdoutShare: 0.3 });
    const y = Float64Array.from(matrix.y);
    const split = stratifiedSplit(y, 0.3, 5);
    const train: TrainingMatrix = {
      ...matrix,
      n: split.train.length,
      X: Float64Array.from(split.train.flatMap((r) => Array.from(matrix.X.subarray(r * 4, r * 4 + 4)))),
      y: Float64Array.from(split.train.map((r) => y[r])),
    };
    const trainFit = await fitLogistic(train, { l2: 1 });
    const testX = Float64Array.from(split.test.flatMap((r) => Array.from(matrix.X.subarray(r * 4, r * 4 + 4))));
    const testY = split.test.map((r) => y[r]);
    const p = predictMany(trainFit.model, testX);
    expect(report.holdout).toMatchObject({
      share: 0.3,
      trainRows: split.train.length,
      testRows: split.test.length,
      converged: true,
    });
    expect(report.holdout!.auc).toBeCloseTo(auc(p, testY), 12);
    expect(report.holdout!.logLoss).toBeCloseTo(logLoss(p, testY), 12);
    expect(report.holdout!.brier).toBeCloseTo(brier(p, testY), 12);
    expect(report.holdout!.auc).toBeGreaterThan(0.7);

    const cv = report.crossValidation!;
    expect(cv.perFold).toHaveLength(4);
    expect(cv.perFold.reduce((s, f) => s + f.testRows, 0)).toBe(matrix.n);
    expect(cv.mean.auc).toBeCloseTo(cv.perFold.reduce((s, f) => s + f.auc, 0) / 4, 14);
    expect(cv.sd.auc).toBeGreaterThan(0);
    expect(Math.abs(cv.outOfFold.auc - report.holdout!.auc)).toBeLessThan(0.03);

    expect(report.calibration.source).toBe("out-of-fold");
    expect(report.calibration.bins).toHaveLength(10);
    expect(report.calibration.bins.reduce((s, b) => s + b.count, 0)).toBe(matrix.n);
    for (const bin of report.calibration.bins) {
      expect(Math.abs(bin.meanPredicted - bin.observedRate)).toBeLessThan(0.05);
    }
  });

  it("produces a report that survives JSON unchanged and a model that predicts like the fit", async () => {
    const { model, report } = await trainLogistic(matrix, { folds: 3 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    const row = Array.from(matrix.X.subarray(0, 4));
    const byHand = 1 / (1 + Math.exp(-(model.intercept + row.reduce((s, v, j) => s + v * model.weights[j], 0))));
    expect(predict(model, row)).toBeCloseTo(byHand, 12);
    expect(predict(model, { fit: row[0], employees: row[1], revenue: row[2], intent: row[3] })).toBe(predict(model, row));
    expect(predictMany(model, matrix.X.subarray(0, 8))[0]).toBe(predict(model, row));
  });

  it("reaches the same optimum from a cold start and warm-started inside a training run", async () => {
    const cold = await fitLogistic(matrix, { l2: 1 });
    const { report } = await trainLogistic(matrix, { l2: 1, folds: 3 });
    report.coefficients.forEach((c, k) => {
      expect(Math.abs(c.standardized - cold.coefficients[k].standardized)).toBeLessThan(1e-8);
      expect(Math.abs(c.stdError / cold.coefficients[k].stdError - 1)).toBeLessThan(1e-6);
    });
  });

  it("keeps the event loop responsive while it fits", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await fitLogistic(matrix, { l2: 1 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(1);
  });

  it("reports progress from 0 to 1 through every stage, and leaks no tensors", async () => {
    const { tf } = await getBackend();
    const before = tf.memory().numTensors;
    const calls: [number, TrainingStage][] = [];
    await trainLogistic(matrix, { folds: 3, onProgress: (f, s) => calls.push([f, s]) });
    expect(tf.memory().numTensors).toBe(before);
    const fractions = calls.map(([f]) => f);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(calls[calls.length - 1]).toEqual([1, "done"]);
    const stages = [...new Set(calls.map(([, s]) => s))];
    expect(stages).toEqual(["holdout", "cross-validation", "final", "done"]);
  });
});

describe("guards", () => {
  function noisyMatrix(n: number, seed: number) {
    const rng = mulberry32(seed);
    const normal = gaussian(rng);
    const a = Array.from({ length: n }, normal);
    const b = Array.from({ length: n }, () => 10 + 3 * normal());
    const y = a.map((v, i) => (rng() < 1 / (1 + Math.exp(-(v + 0.2 * (b[i] - 10)))) ? 1 : 0));
    return { a, b, y };
  }

  it("drops constant and duplicate features and says which", async () => {
    const { a, b, y } = noisyMatrix(400, 1);
    const columns = [a, a.map(() => 3), a.slice(), b, a.map(() => 0)];
    const names = ["engagement", "tier_a", "engagement_copy", "intent", "always_zero"];
    const X = Float64Array.from(a.flatMap((_, i) => columns.map((c) => c[i])));
    const { model, report } = await trainLogistic({ X, n: 400, p: 5, y: Uint8Array.from(y), featureNames: names });
    expect(report.droppedFeatures).toEqual([
      expect.objectContaining({ name: "tier_a", reason: "constant", duplicateOf: null }),
      expect.objectContaining({ name: "engagement_copy", reason: "duplicate", duplicateOf: "engagement" }),
      expect.objectContaining({ name: "always_zero", reason: "constant", duplicateOf: null }),
    ]);
    expect(report.droppedFeatures[1].detail).toMatch(/identical to "engagement"/);
    expect(report.coefficients.map((c) => c.name)).toEqual([INTERCEPT_NAME, "engagement", "intent"]);
    expect(model.weights[1]).toBe(0);
    expect(model.weights[2]).toBe(0);
    expect(predict(model, [a[0], 3, a[0], b[0], 0])).toBeGreaterThan(0);
  });

  it("refuses too few won or lost deals with a typed error that gives the counts", async () => {
    const { a } = noisyMatrix(300, 2);
    const nine = a.map((_, i) => (i < 9 ? 1 : 0));
    const matrix = { X: Float64Array.from(a), n: 300, p: 1, y: Uint8Array.from(nine), featureNames: ["a"] };
    const error = await trainLogistic(matrix).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingInputError);
    expect(error).toMatchObject({
      code: "TOO_FEW_OUTCOMES",
      details: { positives: 9, negatives: 291, required: 10 },
    });
    expect((error as Error).message).toMatch(/at least 10 won and 10 lost deals; found 9 won and 291 lost/);
    // The threshold is configurable.
    await expect(trainLogistic(matrix, { minOutcomesPerClass: 5 })).resolves.toBeDefined();
  });

  it("rejects malformed input with codes that say what is wrong", async () => {
    const base = { X: new Float64Array([1, 2, 3, 4]), n: 2, p: 2, y: new Uint8Array([0, 1]), featureNames: ["a", "b"] };
    const code = (m: TrainingMatrix, o = {}) => fitLogistic(m, { minOutcomesPerClass: 1, ...o }).catch((e) => e.code);
    expect(await code({ ...base, X: new Float64Array([1, Number.NaN, 3, 4]) })).toBe("NON_FINITE_VALUE");
    expect(await code({ ...base, y: new Uint8Array([0, 2]) })).toBe("INVALID_OUTCOME");
    expect(await code({ ...base, featureNames: ["a", "a"] })).toBe("INVALID_INPUT");
    expect(await code({ ...base, n: 3 })).toBe("INVALID_INPUT");
    expect(await code(base, { l2: -1 })).toBe("INVALID_OPTION");
  });

  it("survives complete separation with finite coefficients and a warning", async () => {
    const rng = mulberry32(4);
    const normal = gaussian(rng);
    const n = 200;
    const x = Array.from({ length: n }, normal);
    const other = Array.from({ length: n }, normal);
    const y = x.map((v) => (v > 0 ? 1 : 0));
    const X = Float64Array.from(x.flatMap((v, i) => [v, other[i]]));
    const { report } = await trainLogistic({ X, n, p: 2, y: Uint8Array.from(y), featureNames: ["leaky", "other"] });
    expect(report.converged).toBe(true);
    for (const c of report.coefficients) {
      expect(Number.isFinite(c.estimate)).toBe(true);
      expect(Number.isFinite(c.stdError)).toBe(true);
    }
    const warning = report.warnings.find((w) => w.startsWith("Separation"));
    expect(warning).toMatch(/"leaky" alone separates the outcomes/);
    expect(warning).toMatch(/L2 penalty \(l2 = 1\)/);
  });

  it("notices separation by a combination of features", async () => {
    const rng = mulberry32(8);
    const normal = gaussian(rng);
    const n = 300;
    const a = Array.from({ length: n }, normal);
    const b = Array.from({ length: n }, normal);
    const y = a.map((v, i) => (v + b[i] > 0 ? 1 : 0));
    const X = Float64Array.from(a.flatMap((v, i) => [v, b[i]]));
    const { report } = await trainLogistic({ X, n, p: 2, y: Uint8Array.from(y), featureNames: ["a", "b"] }, { l2: 0.01 });
    expect(report.coefficients.every((c) => Number.isFinite(c.estimate))).toBe(true);
    expect(report.warnings.join(" ")).toMatch(/together separate the outcomes/);
  });

  it("warns about quasi-separation by a binary feature", async () => {
    const { a, y } = noisyMatrix(400, 6);
    // "demo_request" is 1 only on some won deals: every row with it set is won.
    const demo = y.map((v, i) => (v === 1 && i % 3 === 0 ? 1 : 0));
    const X = Float64Array.from(a.flatMap((v, i) => [v, demo[i]]));
    const { report } = await trainLogistic({ X, n: 400, p: 2, y: Uint8Array.from(y), featureNames: ["a", "demo_request"] });
    expect(report.warnings.join(" ")).toMatch(/"demo_request" quasi-separates the outcomes/);
  });
});
