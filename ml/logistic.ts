import { getBackend, type BackendName, type TfBackend } from "./backend";
import { TrainingInputError } from "./errors";
import {
  firstNonFinite,
  screenColumns,
  standardize,
  toColumns,
  type FeatureScreen,
  type Standardized,
} from "./features";
import { choleskyInverse, factorSpd } from "./linalg";
import { auc, brier, calibrationTable, logLoss, meanAndSd } from "./metrics";
import { newton, sigmoid } from "./newton";
import { twoSidedPValue, Z_95 } from "./normal";
import type {
  CalibrationReport,
  CoefficientEstimate,
  CrossValidationReport,
  DroppedFeature,
  FoldEvaluation,
  HoldoutEvaluation,
  MetricSet,
  TrainingReport,
} from "./report";
import { separationWarnings } from "./separation";
import { stratifiedFolds, stratifiedSplit } from "./split";

/** The numeric training matrix: one row per closed deal. */
export interface TrainingMatrix {
  /** Row-major `n × p` feature values on their original scale (`X[i·p + j]` = row i, feature j). */
  X: Float64Array;
  n: number;
  p: number;
  /** Outcome per row: 1 = won, 0 = lost. */
  y: Float64Array | Uint8Array;
  /** `p` distinct names, in column order. */
  featureNames: string[];
}

/** Options of a single fit. */
export interface FitOptions {
  /** Ridge strength λ ≥ 0 on the standardised scale (see `trainLogistic`). Default 1. */
  l2?: number;
  /** Newton iterations allowed. Default 100. */
  maxIter?: number;
  /** Stop when every coefficient moved less than this (standardised scale), or the gradient is below it. Default 1e-8. */
  tol?: number;
  /** Force a TensorFlow.js backend; default: the fastest that loads (see `getBackend`). */
  backend?: BackendName;
  /** Fewer won or fewer lost rows than this is a `TOO_FEW_OUTCOMES` error. Default 10. */
  minOutcomesPerClass?: number;
}

/** Where a training run is; reported with the fraction done. */
export type TrainingStage = "holdout" | "cross-validation" | "final" | "done";

export interface TrainOptions extends FitOptions {
  /** Seed of the holdout split and the fold assignment. Default 1. */
  seed?: number;
  /** Share of rows held out (stratified) for the holdout metrics; 0 skips them. Default 0.25. */
  holdoutShare?: number;
  /** Stratified cross-validation folds; 0 skips cross-validation. Default 5. */
  folds?: number;
  /** Called with the fraction done (0–1, non-decreasing) as fits and their iterations finish. */
  onProgress?: (fraction: number, stage: TrainingStage) => void;
}

export const TRAINING_DEFAULTS = {
  l2: 1,
  maxIter: 100,
  tol: 1e-8,
  minOutcomesPerClass: 10,
  seed: 1,
  holdoutShare: 0.25,
  folds: 5,
} as const;

/**
 * A fitted model, plain JSON. Prediction for a row `x` of the training features:
 *
 * `P(won | x) = σ(standardizedIntercept + Σⱼ standardizedWeights[j] · (x[j] − mean[j]) / scale[j])`
 *            `= σ(intercept + Σⱼ weights[j] · x[j])`, with `σ(t) = 1 / (1 + e^(−t))`.
 *
 * Features left out of the fit have weight 0 and scale 0.
 *
 * @example
 * // featureNames ["fit", "engagement"], intercept −3, weights [0.02, 0.05]:
 * // a row { fit: 60, engagement: 40 } → σ(−3 + 1.2 + 2) = σ(0.2) = 0.55
 */
export interface LogisticModel {
  kind: "logistic-regression";
  featureNames: string[];
  intercept: number;
  weights: number[];
  standardizedIntercept: number;
  standardizedWeights: number[];
  mean: number[];
  scale: number[];
  l2: number;
}

/** The result of one fit on all rows. */
export interface LogisticFit {
  model: LogisticModel;
  backend: BackendName;
  iterations: number;
  converged: boolean;
  logLikelihood: number;
  objective: number;
  coefficients: CoefficientEstimate[];
  droppedFeatures: DroppedFeature[];
  warnings: string[];
  /** In-sample fitted probabilities, one per row. */
  fitted: Float64Array;
}

/** The result of a training run: the final model (fit on all rows) and its report. */
export interface TrainingResult {
  model: LogisticModel;
  report: TrainingReport;
}

export const INTERCEPT_NAME = "(Intercept)";

type Resolved = Required<Omit<TrainOptions, "backend" | "onProgress">>;

/**
 * Trains an L2-regularised logistic regression of `y` on the standardised features and
 * evaluates it: a seeded stratified holdout (fit on the rest, score the holdout), seeded
 * stratified k-fold cross-validation, a calibration table on the out-of-fold predictions,
 * and a final fit on all rows whose coefficients the report lists.
 *
 * **Objective.** With `zᵢⱼ = (xᵢⱼ − meanⱼ) / sdⱼ` (population sd), `ηᵢ = β₀ + Σⱼ βⱼ·zᵢⱼ`
 * and `pᵢ = σ(ηᵢ)`, the fit minimises
 *
 * `f(β) = −Σᵢ [ yᵢ·ln pᵢ + (1 − yᵢ)·ln(1 − pᵢ) ] + (λ/2)·Σⱼ≥₁ βⱼ²`
 *
 * (the intercept β₀ is not penalised). This is scikit-learn's `StandardScaler` followed by
 * `LogisticRegression(C = 1/λ)` with an lbfgs / newton-cg / newton-cholesky solver.
 *
 * **Solver.** Newton–Raphson (IRLS) with backtracking: gradient `g = Zᵀ(y − p) − λ·P·β`,
 * Hessian `H = Zᵀ·W·Z + λ·P` with `W = diag(pᵢ(1 − pᵢ))` and `P = diag(0, 1, …, 1)`; step
 * `Δ = H⁻¹·g` by Cholesky in Float64. `ZᵀWZ`, the O(n·p²) part, runs on the TensorFlow.js
 * backend (float32, summed in Float64 by 2048-row blocks); `η`, `g` and `f`, O(n·p), run
 * in Float64 so that the solution is accurate to `tol` (with a float32 gradient the steps
 * stall at a few 1e-8). Stops when `max|Δ| < tol` or `max|g| < tol`.
 *
 * **Standard errors** come from `H⁻¹` at the solution (the penalised Hessian: the
 * Laplace-approximation covariance of the ridge estimate), mapped to the original scale —
 * see `CoefficientEstimate`.
 *
 * @throws TrainingInputError `TOO_FEW_OUTCOMES` when fewer than `minOutcomesPerClass` won
 *   or lost rows; `INVALID_INPUT`, `NON_FINITE_VALUE`, `INVALID_OUTCOME`, `INVALID_OPTION`.
 * @example
 * const { model, report } = await trainLogistic(
 *   { X, n, p: 2, y, featureNames: ["fit", "engagement"] },
 *   { l2: 1, seed: 7, onProgress: (f, stage) => bar.update(f, { stage }) },
 * );
 * report.coefficients[1]; // { name: "fit", estimate: 0.021, stdError: 0.003, … }
 * predict(model, [60, 40]); // 0.55
 */
export async function trainLogistic(matrix: TrainingMatrix, options: TrainOptions = {}): Promise<TrainingResult> {
  const started = performance.now();
  const opts = resolveOptions(options);
  const y = validate(matrix);
  const { positives, negatives } = countOutcomes(y);
  checkOutcomes(positives, negatives, opts);
  if (opts.folds > Math.min(positives, negatives)) {
    throw new TrainingInputError(
      "INVALID_OPTION",
      `Cross-validation with ${opts.folds} folds needs at least ${opts.folds} won and ${opts.folds} lost rows; ` +
        `found ${positives} won and ${negatives} lost. Use fewer folds (or 0 to skip cross-validation).`,
      { folds: opts.folds, positives, negatives },
    );
  }
  const backend = await getBackend({ force: options.backend });
  const cols = toColumns(matrix.X, matrix.n, matrix.p);
  const screen = screenColumns(cols, matrix.n, matrix.p, matrix.featureNames);
  const warnings: string[] = [];

  const units = (opts.holdoutShare > 0 ? 1 : 0) + opts.folds + 1;
  let unitsDone = 0;
  let reported = 0;
  const progress = (within: number, stage: TrainingStage) => {
    const fraction = Math.min(1, Math.max(reported, (unitsDone + within) / units));
    reported = fraction;
    options.onProgress?.(fraction, stage);
  };
  const iterationProgress = (stage: TrainingStage) => (iteration: number) =>
    progress(1 - Math.pow(0.7, iteration), stage);

  // Each fit starts from the previous one's solution (same optimum, fewer Newton steps).
  let previous: LogisticModel | undefined;
  let holdout: HoldoutEvaluation | null = null;
  let holdoutPredictions: { p: Float64Array; y: Float64Array } | null = null;
  if (opts.holdoutShare > 0) {
    progress(0, "holdout");
    const split = stratifiedSplit(y, opts.holdoutShare, opts.seed);
    const fit = await fitRows(backend, matrix, cols, y, screen.kept, split.train, opts, iterationProgress("holdout"));
    previous = fit.model;
    collectSubsetWarnings(warnings, "holdout fit", fit, matrix.featureNames);
    const p = predictRows(fit.model, matrix.X, matrix.p, split.test);
    const yTest = gather(y, split.test);
    const counts = countOutcomes(yTest);
    holdout = {
      share: opts.holdoutShare,
      trainRows: split.train.length,
      testRows: split.test.length,
      testPositives: counts.positives,
      testNegatives: counts.negatives,
      ...metricSet(p, yTest),
      iterations: fit.iterations,
      converged: fit.converged,
    };
    holdoutPredictions = { p, y: yTest };
    unitsDone++;
  }

  let crossValidation: CrossValidationReport | null = null;
  let outOfFold: Float64Array | null = null;
  if (opts.folds > 0) {
    outOfFold = new Float64Array(matrix.n);
    const perFold: FoldEvaluation[] = [];
    const folds = stratifiedFolds(y, opts.folds, opts.seed);
    for (let f = 0; f < folds.length; f++) {
      progress(0, "cross-validation");
      const { train, test } = folds[f];
      const fit = await fitRows(
        backend,
        matrix,
        cols,
        y,
        screen.kept,
        train,
        opts,
        iterationProgress("cross-validation"),
        previous,
      );
      previous = fit.model;
      collectSubsetWarnings(warnings, `fold ${f + 1}`, fit, matrix.featureNames);
      const p = predictRows(fit.model, matrix.X, matrix.p, test);
      test.forEach((row, k) => (outOfFold![row] = p[k]));
      const yTest = gather(y, test);
      perFold.push({
        fold: f + 1,
        trainRows: train.length,
        testRows: test.length,
        testPositives: countOutcomes(yTest).positives,
        ...metricSet(p, yTest),
        iterations: fit.iterations,
        converged: fit.converged,
      });
      unitsDone++;
    }
    const summary = (key: keyof MetricSet) => meanAndSd(perFold.map((fold) => fold[key]));
    crossValidation = {
      folds: opts.folds,
      perFold,
      mean: { auc: summary("auc").mean, logLoss: summary("logLoss").mean, brier: summary("brier").mean },
      sd: { auc: summary("auc").sd, logLoss: summary("logLoss").sd, brier: summary("brier").sd },
      outOfFold: metricSet(outOfFold, y),
    };
  }

  progress(0, "final");
  const finalStarted = performance.now();
  const final = await fitAll(backend, matrix, cols, y, screen, opts, iterationProgress("final"), previous);
  const finalFitMs = performance.now() - finalStarted;
  unitsDone++;

  const calibration: CalibrationReport = outOfFold
    ? { source: "out-of-fold", bins: calibrationTable(outOfFold, y, 10) }
    : holdoutPredictions
      ? { source: "holdout", bins: calibrationTable(holdoutPredictions.p, holdoutPredictions.y, 10) }
      : { source: "in-sample", bins: calibrationTable(final.fitted, y, 10) };

  const report: TrainingReport = {
    backend: backend.name,
    n: matrix.n,
    features: matrix.p,
    positives,
    negatives,
    l2: opts.l2,
    seed: opts.seed,
    holdoutShare: opts.holdoutShare,
    folds: opts.folds,
    tol: opts.tol,
    maxIter: opts.maxIter,
    iterations: final.iterations,
    converged: final.converged,
    logLikelihood: final.logLikelihood,
    objective: final.objective,
    droppedFeatures: final.droppedFeatures,
    warnings: [...final.warnings, ...new Set(warnings)],
    coefficients: final.coefficients,
    holdout,
    crossValidation,
    calibration,
    durationMs: performance.now() - started,
    finalFitMs,
  };
  progress(1, "done");
  return { model: final.model, report };
}

/**
 * One fit on all rows (no holdout, no cross-validation) — the final fit of `trainLogistic`,
 * with the same objective, guards, coefficient table and warnings.
 *
 * @example
 * const fit = await fitLogistic(matrix, { l2: 1e-6 });
 * fit.coefficients.map((c) => [c.name, c.estimate, c.stdError]);
 */
export async function fitLogistic(matrix: TrainingMatrix, options: FitOptions = {}): Promise<LogisticFit> {
  const opts = resolveOptions(options);
  const y = validate(matrix);
  const { positives, negatives } = countOutcomes(y);
  checkOutcomes(positives, negatives, opts);
  const backend = await getBackend({ force: options.backend });
  const cols = toColumns(matrix.X, matrix.n, matrix.p);
  const screen = screenColumns(cols, matrix.n, matrix.p, matrix.featureNames);
  return fitAll(backend, matrix, cols, y, screen, opts);
}

/**
 * Probability of winning for one row of the training features (original scale), given as
 * an array in `model.featureNames` order or as an object keyed by feature name (features
 * the model does not use may be omitted).
 *
 * @example
 * predict(model, [60, 40]);                     // 0.55
 * predict(model, { fit: 60, engagement: 40 });  // 0.55
 */
export function predict(model: LogisticModel, row: ArrayLike<number> | Readonly<Record<string, number>>): number {
  const values = isArrayLike(row)
    ? row
    : model.featureNames.map((name, j) => {
        const value = row[name];
        if (value === undefined && model.scale[j] > 0) throw new RangeError(`missing feature "${name}"`);
        return value ?? 0;
      });
  if (values.length !== model.featureNames.length) {
    throw new RangeError(`row has ${values.length} values; the model has ${model.featureNames.length} features`);
  }
  return sigmoid(linearPredictor(model, values, 0));
}

/**
 * Probabilities for many rows: `X` row-major with `model.featureNames.length` columns.
 *
 * @example
 * predictMany(model, new Float64Array([60, 40, 10, 5])); // Float64Array [0.55, 0.07]
 */
export function predictMany(model: LogisticModel, X: ArrayLike<number>): Float64Array {
  const p = model.featureNames.length;
  if (p === 0 ? X.length !== 0 : X.length % p !== 0) {
    throw new RangeError(`X has ${X.length} values, not a multiple of ${p} features`);
  }
  const rows = p === 0 ? 0 : X.length / p;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = sigmoid(linearPredictor(model, X, i * p));
  return out;
}

// ---------------------------------------------------------------------------------------

function isArrayLike(row: unknown): row is ArrayLike<number> {
  return Array.isArray(row) || ArrayBuffer.isView(row);
}

function linearPredictor(model: LogisticModel, X: ArrayLike<number>, offset: number): number {
  let eta = model.standardizedIntercept;
  for (let j = 0; j < model.featureNames.length; j++) {
    if (model.scale[j] > 0) eta += (model.standardizedWeights[j] * (X[offset + j] - model.mean[j])) / model.scale[j];
  }
  return eta;
}

function predictRows(model: LogisticModel, X: Float64Array, p: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = sigmoid(linearPredictor(model, X, rows[k] * p));
  return out;
}

function gather(values: Float64Array, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]];
  return out;
}

function countOutcomes(y: ArrayLike<number>): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  return { positives, negatives: y.length - positives };
}

function metricSet(p: Float64Array, y: Float64Array): MetricSet {
  return { auc: auc(p, y), logLoss: logLoss(p, y), brier: brier(p, y) };
}

function resolveOptions(options: TrainOptions): Resolved {
  const opts: Resolved = {
    l2: options.l2 ?? TRAINING_DEFAULTS.l2,
    maxIter: options.maxIter ?? TRAINING_DEFAULTS.maxIter,
    tol: options.tol ?? TRAINING_DEFAULTS.tol,
    minOutcomesPerClass: options.minOutcomesPerClass ?? TRAINING_DEFAULTS.minOutcomesPerClass,
    seed: options.seed ?? TRAINING_DEFAULTS.seed,
    holdoutShare: options.holdoutShare ?? TRAINING_DEFAULTS.holdoutShare,
    folds: options.folds ?? TRAINING_DEFAULTS.folds,
  };
  const bad = (option: string, value: unknown, expected: string) =>
    new TrainingInputError("INVALID_OPTION", `${option} must be ${expected}; got ${String(value)}`, { option, value });
  if (!(opts.l2 >= 0 && Number.isFinite(opts.l2))) throw bad("l2", opts.l2, "a finite number ≥ 0");
  if (!(Number.isInteger(opts.maxIter) && opts.maxIter >= 1)) throw bad("maxIter", opts.maxIter, "an integer ≥ 1");
  if (!(opts.tol > 0 && Number.isFinite(opts.tol))) throw bad("tol", opts.tol, "a finite number > 0");
  if (!(Number.isInteger(opts.minOutcomesPerClass) && opts.minOutcomesPerClass >= 1)) {
    throw bad("minOutcomesPerClass", opts.minOutcomesPerClass, "an integer ≥ 1");
  }
  if (!Number.isInteger(opts.seed)) throw bad("seed", opts.seed, "an integer");
  if (!(opts.holdoutShare >= 0 && opts.holdoutShare <= 0.9)) throw bad("holdoutShare", opts.holdoutShare, "in [0, 0.9]");
  if (!(Number.isInteger(opts.folds) && (opts.folds === 0 || opts.folds >= 2))) {
    throw bad("folds", opts.folds, "0 (no cross-validation) or an integer ≥ 2");
  }
  return opts;
}

/** Checks shapes and values; returns the outcomes as Float64. */
function validate(matrix: TrainingMatrix): Float64Array {
  const { X, n, p, featureNames } = matrix;
  const invalid = (message: string, details: Record<string, unknown> = {}) =>
    new TrainingInputError("INVALID_INPUT", message, details);
  if (!Number.isInteger(n) || n < 1) throw invalid(`n must be a positive integer; got ${n}`);
  if (!Number.isInteger(p) || p < 0) throw invalid(`p must be a non-negative integer; got ${p}`);
  if (X.length !== n * p) throw invalid(`X has ${X.length} values; n × p = ${n * p}`, { n, p });
  if (matrix.y.length !== n) throw invalid(`y has ${matrix.y.length} values; n = ${n}`, { n });
  if (featureNames.length !== p) throw invalid(`featureNames has ${featureNames.length} names; p = ${p}`, { p });
  const seen = new Set<string>();
  for (const name of featureNames) {
    if (!name || name === INTERCEPT_NAME) throw invalid(`feature name "${name}" is empty or reserved`);
    if (seen.has(name)) throw invalid(`feature name "${name}" appears twice`, { name });
    seen.add(name);
  }
  const bad = firstNonFinite(X);
  if (bad >= 0) {
    const row = Math.floor(bad / p);
    const feature = featureNames[bad % p];
    throw new TrainingInputError("NON_FINITE_VALUE", `feature "${feature}" is ${X[bad]} in row ${row}`, {
      row,
      feature,
    });
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = matrix.y[i];
    if (v !== 0 && v !== 1) {
      throw new TrainingInputError("INVALID_OUTCOME", `outcome must be 0 (lost) or 1 (won); row ${i} has ${v}`, {
        row: i,
      });
    }
    y[i] = v;
  }
  return y;
}

function checkOutcomes(positives: number, negatives: number, opts: Resolved): void {
  const need = opts.minOutcomesPerClass;
  if (positives < need || negatives < need) {
    throw new TrainingInputError(
      "TOO_FEW_OUTCOMES",
      `Training needs at least ${need} won and ${need} lost deals; found ${positives} won and ${negatives} lost. ` +
        `Widen the date range or wait for more deals to close.`,
      { positives, negatives, required: need },
    );
  }
}

// ---------------------------------------------------------------------------------------

/** A fit on a subset of rows (holdout training side or a fold). */
interface RowFit {
  model: LogisticModel;
  iterations: number;
  converged: boolean;
  /** Input columns constant within these rows (left out of this fit). */
  constantColumns: number[];
}

async function fitRows(
  backend: TfBackend,
  matrix: TrainingMatrix,
  cols: Float64Array,
  y: Float64Array,
  columns: readonly number[],
  rows: readonly number[],
  opts: Resolved,
  onIteration?: (iteration: number) => void,
  start?: LogisticModel,
): Promise<RowFit> {
  const std = standardize(cols, matrix.n, columns, rows);
  const result = await newton(
    backend,
    std,
    gather(y, rows),
    { ...opts, start: startingPoint(start, std), needHessian: false },
    onIteration,
  );
  return {
    model: toModel(matrix, std, result.beta, opts.l2),
    iterations: result.iterations,
    converged: result.converged,
    constantColumns: std.constantColumns,
  };
}

function collectSubsetWarnings(warnings: string[], label: string, fit: RowFit, names: readonly string[]): void {
  if (!fit.converged) warnings.push(`${label}: Newton did not converge; its metrics may be off.`);
  for (const column of fit.constantColumns) {
    warnings.push(`${label}: "${names[column]}" is constant in the training rows and was left out of that fit.`);
  }
}

async function fitAll(
  backend: TfBackend,
  matrix: TrainingMatrix,
  cols: Float64Array,
  y: Float64Array,
  screen: FeatureScreen,
  opts: Resolved,
  onIteration?: (iteration: number) => void,
  start?: LogisticModel,
): Promise<LogisticFit> {
  const std = standardize(cols, matrix.n, screen.kept, null);
  const result = await newton(backend, std, y, { ...opts, start: startingPoint(start, std) }, onIteration);
  const q = std.columns.length;
  const d = q + 1;
  const warnings: string[] = [];

  if (!result.hessian) throw new Error("newton returned no Hessian for the final fit");
  const factor = factorSpd(result.hessian, d);
  if (factor.jitter > 0) {
    warnings.push(
      `The penalised Hessian was numerically singular; a ridge of ${factor.jitter.toExponential(1)} was added ` +
        `to compute standard errors, which are unreliable. Raise l2 or remove redundant features.`,
    );
  }
  const cov = choleskyInverse(factor.l, d);
  const coefficients: CoefficientEstimate[] = [];
  // Intercept on the original scale: β₀ − Σ βⱼ·meanⱼ/sdⱼ, a linear map a = (1, −mean/sd).
  const a = new Float64Array(d);
  a[0] = 1;
  for (let k = 0; k < q; k++) a[k + 1] = -std.mean[k] / std.scale[k];
  let interceptVar = 0;
  let interceptEstimate = 0;
  for (let r = 0; r < d; r++) {
    interceptEstimate += a[r] * result.beta[r];
    for (let c = 0; c < d; c++) interceptVar += a[r] * cov[r * d + c] * a[c];
  }
  coefficients.push(coefficient(INTERCEPT_NAME, interceptEstimate, result.beta[0], Math.sqrt(Math.max(interceptVar, 0))));
  for (let k = 0; k < q; k++) {
    const name = matrix.featureNames[std.columns[k]];
    const se = Math.sqrt(Math.max(cov[(k + 1) * d + k + 1], 0)) / std.scale[k];
    coefficients.push(coefficient(name, result.beta[k + 1] / std.scale[k], result.beta[k + 1], se));
  }

  const fitted = new Float64Array(std.rows);
  for (let i = 0; i < std.rows; i++) fitted[i] = sigmoid(result.eta[i]);
  if (!result.converged) {
    warnings.push(
      `Newton did not converge in ${opts.maxIter} iterations (last step ${result.lastStep.toExponential(1)}, ` +
        `tolerance ${opts.tol}); the coefficients are approximate.`,
    );
  }
  warnings.push(...separationWarnings(matrix.featureNames, cols, matrix.n, y, std, result.beta, result.eta, fitted, opts.l2));
  const { positives, negatives } = countOutcomes(y);
  const rarer = Math.min(positives, negatives);
  if (q > 0 && rarer < 10 * q) {
    warnings.push(
      `Only ${rarer} ${positives <= negatives ? "won" : "lost"} deals for ${q} features ` +
        `(fewer than 10 per feature): expect wide intervals and unstable coefficients.`,
    );
  }

  return {
    model: toModel(matrix, std, result.beta, opts.l2),
    backend: backend.name,
    iterations: result.iterations,
    converged: result.converged,
    logLikelihood: -result.negLogLik,
    objective: result.objective,
    coefficients,
    droppedFeatures: screen.dropped,
    warnings,
    fitted,
  };
}

/**
 * A fitted model's coefficients expressed on another standardisation (`std`): the fits of
 * one training run are close, so each starts from the previous one and needs fewer Newton
 * steps to the same optimum.
 */
function startingPoint(model: LogisticModel | undefined, std: Standardized): Float64Array | undefined {
  if (!model) return undefined;
  const beta = new Float64Array(std.columns.length + 1);
  beta[0] = model.intercept;
  std.columns.forEach((j, k) => {
    beta[k + 1] = model.weights[j] * std.scale[k];
    beta[0] += model.weights[j] * std.mean[k];
  });
  return beta.every(Number.isFinite) ? beta : undefined;
}

function coefficient(name: string, estimate: number, standardized: number, stdError: number): CoefficientEstimate {
  const zValue = stdError > 0 ? estimate / stdError : 0;
  const ciLow = estimate - Z_95 * stdError;
  const ciHigh = estimate + Z_95 * stdError;
  return {
    name,
    estimate,
    standardized,
    stdError,
    ciLow,
    ciHigh,
    zValue,
    pValue: twoSidedPValue(zValue),
    oddsRatio: Math.exp(estimate),
    spansZero: ciLow <= 0 && ciHigh >= 0,
  };
}

function toModel(matrix: TrainingMatrix, std: Standardized, beta: Float64Array, l2: number): LogisticModel {
  const p = matrix.p;
  const weights = new Array<number>(p).fill(0);
  const standardizedWeights = new Array<number>(p).fill(0);
  const mean = new Array<number>(p).fill(0);
  const scale = new Array<number>(p).fill(0);
  let intercept = beta[0];
  std.columns.forEach((j, k) => {
    standardizedWeights[j] = beta[k + 1];
    mean[j] = std.mean[k];
    scale[j] = std.scale[k];
    weights[j] = beta[k + 1] / std.scale[k];
    intercept -= weights[j] * mean[j];
  });
  return {
    kind: "logistic-regression",
    featureNames: [...matrix.featureNames],
    intercept,
    weights,
    standardizedIntercept: beta[0],
    standardizedWeights,
    mean,
    scale,
    l2,
  };
}
