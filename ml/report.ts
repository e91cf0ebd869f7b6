/**
 * The training report: plain JSON (no typed arrays, no NaN or Infinity), stored as jsonb
 * and served over GraphQL as is.
 */
import type { BackendName } from "./backend";
import type { CalibrationBin } from "./metrics";

/** A feature left out of the fit. */
export interface DroppedFeature {
  name: string;
  /** `constant`: one value in every row; `duplicate`: identical to an earlier feature. */
  reason: "constant" | "duplicate";
  /** For duplicates, the feature it duplicates (which is kept); else null. */
  duplicateOf: string | null;
  /** A sentence for people. */
  detail: string;
}

/**
 * One coefficient of the final model (fit on all rows).
 *
 * For a feature with mean `m` and standard deviation `s` (population, over all rows),
 * `estimate = standardized / s`: the change in log-odds of winning per one unit of the
 * feature as supplied. The intercept's `estimate` is the log-odds at all features = 0, its
 * `standardized` the log-odds at all features = their means.
 *
 * `stdError` is the square root of the diagonal of `A · H⁻¹ · Aᵀ`, where `H` is the penalised
 * Hessian at the solution (see `trainLogistic`) and `A` maps standardised to original
 * coefficients. `zValue = estimate / stdError`, `pValue = 2·Φ(−|z|)`,
 * `[ciLow, ciHigh] = estimate ∓ 1.96 · stdError`, `oddsRatio = exp(estimate)`.
 *
 * @example
 * // { name: "engagement", estimate: 0.031, standardized: 0.62, stdError: 0.004,
 * //   ciLow: 0.023, ciHigh: 0.039, zValue: 7.75, pValue: 9.2e-15, oddsRatio: 1.031,
 * //   spansZero: false }  → each engagement point multiplies the odds of winning by 1.031.
 */
export interface CoefficientEstimate {
  name: string;
  estimate: number;
  standardized: number;
  stdError: number;
  ciLow: number;
  ciHigh: number;
  zValue: number;
  pValue: number;
  oddsRatio: number;
  /** The 95 % interval includes 0: the data do not pin down the sign of this effect. */
  spansZero: boolean;
}

/** Discrimination and calibration metrics of probabilities against outcomes. */
export interface MetricSet {
  /** Area under the ROC curve (rank-based, ties averaged); 0.5 = chance. */
  auc: number;
  /** Mean cross-entropy, natural log; lower is better. */
  logLoss: number;
  /** Mean squared error of the probability; lower is better. */
  brier: number;
}

/** Fit on the training side of a stratified split, scored on the held-out side. */
export interface HoldoutEvaluation extends MetricSet {
  share: number;
  trainRows: number;
  testRows: number;
  testPositives: number;
  testNegatives: number;
  iterations: number;
  converged: boolean;
}

/** One cross-validation fold: fit on the other folds, scored on this one. */
export interface FoldEvaluation extends MetricSet {
  /** 1-based. */
  fold: number;
  trainRows: number;
  testRows: number;
  testPositives: number;
  iterations: number;
  converged: boolean;
}

export interface CrossValidationReport {
  folds: number;
  perFold: FoldEvaluation[];
  /** Mean over folds of each metric. */
  mean: MetricSet;
  /** Sample standard deviation over folds (n − 1). */
  sd: MetricSet;
  /** The metrics of all out-of-fold predictions pooled. */
  outOfFold: MetricSet;
}

export interface CalibrationReport {
  /**
   * Which predictions the table is built from: `out-of-fold` (each row predicted by the
   * fold model that did not see it — the default whenever cross-validation runs),
   * `holdout` (only when cross-validation is off), `in-sample` (neither; optimistic).
   */
  source: "out-of-fold" | "holdout" | "in-sample";
  bins: CalibrationBin[];
}

export interface TrainingReport {
  /** The TensorFlow.js backend that computed the Hessians. */
  backend: BackendName;
  /** Rows, input features, won (1) and lost (0) rows. */
  n: number;
  features: number;
  positives: number;
  negatives: number;
  /** The options used, so a run can be reproduced. */
  l2: number;
  seed: number;
  holdoutShare: number;
  folds: number;
  tol: number;
  maxIter: number;
  /** Newton iterations of the final fit, and whether it met the tolerance. */
  iterations: number;
  converged: boolean;
  /** Final-fit log-likelihood and penalised objective (see `trainLogistic`). */
  logLikelihood: number;
  objective: number;
  droppedFeatures: DroppedFeature[];
  /** Things a reviewer must know before trusting the coefficients (separation, non-convergence…). */
  warnings: string[];
  /** Intercept first, then kept features in input order. */
  coefficients: CoefficientEstimate[];
  /** Null when `holdoutShare` is 0. */
  holdout: HoldoutEvaluation | null;
  /** Null when `folds` is 0. */
  crossValidation: CrossValidationReport | null;
  calibration: CalibrationReport;
  /** Wall-clock milliseconds: the whole run, and the final fit alone. */
  durationMs: number;
  finalFitMs: number;
}
