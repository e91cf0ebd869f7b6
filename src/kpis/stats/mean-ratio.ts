/**
 * Ratio of two means from summary statistics (delta method on the log scale) — the lift of a
 * per-account mean such as pipeline created per account, where resampling every account
 * would be needlessly costly and the samples are large.
 *
 * @packageDocumentation
 */

import { normalCriticalValue, twoSidedPValue } from "./normal";
import type { MeanSummary } from "./one-sample";
import { assertConfidence } from "./validate";

/** A ratio with its interval and p-value; null members come with a `reason`. */
export interface MeanRatioResult {
  estimate: number | null;
  low: number | null;
  /** Null when unbounded or undefined. */
  high: number | null;
  /** Two-sided Wald test of log-ratio = 0. */
  pValue: number | null;
  reason: string | null;
}

function check(s: MeanSummary, what: string): void {
  if (!Number.isSafeInteger(s.n) || s.n < 0) throw new RangeError(`${what}: n must be a non-negative integer, got ${s.n}`);
  if (s.n > 0 && !(Number.isFinite(s.mean) && s.mean >= 0)) throw new RangeError(`${what}: mean must be a finite number ≥ 0, got ${s.mean}`);
  if (s.n > 1 && !(Number.isFinite(s.sd) && s.sd >= 0)) throw new RangeError(`${what}: sd must be a finite number ≥ 0, got ${s.sd}`);
}

/**
 * Interval and p-value for R = mean₁ / mean₀ of two independent samples of non-negative
 * values, by the delta method on log R (e.g. Hirschberg & Lye 2010, *The American
 * Statistician* 64:128 — the "log" variant):
 *
 *   SE(ln R) = √( sd₁² / (n₁·mean₁²) + sd₀² / (n₀·mean₀²) )
 *   [low, high] = R · exp(∓ z₍₁₋α/₂₎ · SE),   p = 2·(1 − Φ(|ln R| / SE))
 *
 * The log scale keeps the interval positive and asymmetric like the ratio itself. It is a
 * large-sample method: per-account means are taken over hundreds or thousands of accounts.
 *
 * Degenerate cases (never NaN or Infinity; `reason` says what happened):
 * - a side is empty, or the holdout mean is 0 → everything null;
 * - the treated mean is 0 → estimate 0, low 0, the rest null;
 * - a side has one value → the estimate only;
 * - no spread on either side (SE = 0) → estimate and a degenerate interval [R, R], p null.
 *
 * @example
 * // Pipeline per account: treated n=400, mean 5 000, sd 20 000; holdout n=100, mean 4 000, sd 16 000
 * // SE = √(20 000²/(400·5 000²) + 16 000²/(100·4 000²)) = √(0.04 + 0.16) = 0.44721
 * meanRatioInterval({ n: 400, mean: 5000, sd: 20000 }, { n: 100, mean: 4000, sd: 16000 })
 * // { estimate: 1.25, low: 0.52028…, high: 3.00316…, pValue: 0.61780…, reason: null }
 * //   (1.25·e^∓0.87653; z = ln 1.25 / 0.44721 = 0.49896)
 * @throws RangeError for a negative or non-integer n, a negative or non-finite mean or sd,
 *   or confidence outside (0, 1).
 */
export function meanRatioInterval(treated: MeanSummary, holdout: MeanSummary, confidence = 0.95): MeanRatioResult {
  check(treated, "treated");
  check(holdout, "holdout");
  assertConfidence(confidence);
  const none = (reason: string, estimate: number | null = null, low: number | null = null): MeanRatioResult =>
    ({ estimate, low, high: null, pValue: null, reason });
  if (treated.n === 0 || holdout.n === 0) {
    const which = treated.n === 0 && holdout.n === 0 ? "both groups are" : treated.n === 0 ? "the treated group is" : "the holdout group is";
    return none(`${which} empty, so there is no ratio`);
  }
  if (holdout.mean === 0) return none("the holdout mean is 0, so a ratio to it is undefined");
  const estimate = treated.mean / holdout.mean;
  if (!Number.isFinite(estimate)) return none("the ratio is too large to represent");
  if (treated.mean === 0) return none("the treated mean is 0, so the ratio and its lower limit are 0", 0, 0);
  if (treated.n < 2 || holdout.n < 2) return none("a group has a single value, so there is no spread to build an interval from", estimate);
  const variance = (treated.sd * treated.sd) / (treated.n * treated.mean * treated.mean)
    + (holdout.sd * holdout.sd) / (holdout.n * holdout.mean * holdout.mean);
  const se = Math.sqrt(variance);
  if (!(se > 0)) return { estimate, low: estimate, high: estimate, pValue: null, reason: "neither group varies, so there is no sampling error to test against" };
  const z = normalCriticalValue(confidence);
  const high = estimate * Math.exp(z * se);
  return {
    estimate,
    low: estimate * Math.exp(-z * se),
    high: Number.isFinite(high) ? high : null,
    pValue: twoSidedPValue(Math.log(estimate) / se),
    reason: Number.isFinite(high) ? null : "the upper limit is too large to represent",
  };
}
