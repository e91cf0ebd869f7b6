/**
 * Intervals for one group's mean or median — the whiskers a chart draws on each side's bar.
 * The *lift* between two groups uses the bootstrap (`./bootstrap`) or the delta method
 * (`./mean-ratio`); these per-side intervals are cheap, closed-form and need no random numbers.
 *
 * @packageDocumentation
 */

import { normalCriticalValue } from "./normal";
import { assertConfidence, assertNonNegativeValues } from "./validate";

/** Summary statistics of a sample: its size, mean and sample standard deviation (n − 1). */
export interface MeanSummary {
  n: number;
  /** Mean of the values; ignored when n = 0. */
  mean: number;
  /** Sample standard deviation (divisor n − 1); ignored when n < 2. */
  sd: number;
}

/** A statistic with its interval; a limit is null when it cannot be computed (see `reason`). */
export interface StatInterval {
  estimate: number | null;
  low: number | null;
  high: number | null;
  reason: string | null;
}

function assertSummary(s: MeanSummary, what: string): void {
  if (!Number.isSafeInteger(s.n) || s.n < 0) throw new RangeError(`${what}: n must be a non-negative integer, got ${s.n}`);
  if (s.n > 0 && !(Number.isFinite(s.mean) && s.mean >= 0)) throw new RangeError(`${what}: mean must be a finite number ≥ 0, got ${s.mean}`);
  if (s.n > 1 && !(Number.isFinite(s.sd) && s.sd >= 0)) throw new RangeError(`${what}: sd must be a finite number ≥ 0, got ${s.sd}`);
}

/**
 * Normal-approximation interval for the mean of non-negative values (amounts, durations):
 *
 *   mean ∓ z₍₁₋α/₂₎ · sd / √n,   the lower limit raised to 0 when it falls below
 *
 * (a mean of non-negative values cannot be negative). The central limit theorem makes this
 * fair from a few dozen values; below {@link MIN_VALUES_PER_SIDE} the KPI carries a
 * small-sample warning anyway.
 *
 * n = 0 → everything null; n = 1 → the estimate only (no spread to estimate).
 *
 * @example
 * // ACV of 4 won deals: 10 000, 20 000, 30 000, 40 000 → mean 25 000, sd 12 909.94
 * meanInterval({ n: 4, mean: 25000, sd: 12909.944487358056 })
 * // { estimate: 25000, low: 12348.49…, high: 37651.51…, reason: null }   (25 000 ∓ 1.95996 × 6 454.97)
 * @throws RangeError for a negative or non-integer n, a negative or non-finite mean or sd,
 *   or confidence outside (0, 1).
 */
export function meanInterval(s: MeanSummary, confidence = 0.95): StatInterval {
  assertSummary(s, "meanInterval");
  assertConfidence(confidence);
  if (s.n === 0) return { estimate: null, low: null, high: null, reason: "there are no values" };
  if (s.n === 1) return { estimate: s.mean, low: null, high: null, reason: "one value has no spread to build an interval from" };
  const half = (normalCriticalValue(confidence) * s.sd) / Math.sqrt(s.n);
  return { estimate: s.mean, low: Math.max(0, s.mean - half), high: s.mean + half, reason: null };
}

/** ln P(B ≤ k) for B ~ Binomial(n, ½), k = 0 … kMax, by the pmf recursion in log space. */
function logBinomialHalfCdf(n: number, kMax: number): Float64Array {
  const out = new Float64Array(kMax + 1);
  let logPmf = -n * Math.LN2;
  let logCdf = logPmf;
  out[0] = logCdf;
  for (let k = 1; k <= kMax; k++) {
    logPmf += Math.log((n - k + 1) / k);
    // log(e^a + e^b) without overflow
    const hi = Math.max(logCdf, logPmf);
    logCdf = hi + Math.log(Math.exp(logCdf - hi) + Math.exp(logPmf - hi));
    out[k] = logCdf;
  }
  return out;
}

/**
 * Distribution-free confidence interval for a median from order statistics (the sign-test
 * interval; Conover, *Practical Nonparametric Statistics*, §3.2; tabulated by Campbell &
 * Gardner, BMJ 1988;296:1454). With the values sorted, x₍₁₎ ≤ … ≤ x₍ₙ₎, and B ~ Binomial(n, ½):
 *
 *   r = the largest rank with P(B ≤ r − 1) ≤ α/2,   s = n + 1 − r,   interval [x₍ᵣ₎, x₍ₛ₎]
 *
 * Its coverage, 1 − 2·P(B ≤ r − 1), is at least the requested level (exact binomial, no normal
 * approximation). No assumption about the shape of the values — right for skewed durations.
 *
 * n = 0 → everything null; when even [min, max] covers less than the level (n ≤ 5 at 95%:
 * 1 − 2·½ⁿ < 0.95) the limits are null with a reason.
 *
 * @example
 * // 10 sales-cycle lengths; P(B ≤ 1) = 11/1024 = 0.0107 ≤ 0.025 < P(B ≤ 2) = 56/1024, so r = 2,
 * // s = 9: the 2nd and 9th values, coverage 1 − 22/1024 = 97.9% (Campbell & Gardner's table).
 * medianInterval([12, 20, 25, 30, 31, 33, 38, 40, 45, 61])
 * // { estimate: 32, low: 20, high: 45, reason: null }
 * @throws RangeError for negative or non-finite values, or confidence outside (0, 1).
 */
export function medianInterval(values: readonly number[], confidence = 0.95): StatInterval {
  assertNonNegativeValues(values, "medianInterval");
  assertConfidence(confidence);
  const n = values.length;
  if (n === 0) return { estimate: null, low: null, high: null, reason: "there are no values" };
  const sorted = Float64Array.from(values).sort();
  const estimate = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const logHalfAlpha = Math.log((1 - confidence) / 2);
  const kMax = Math.floor((n - 1) / 2);
  const logCdf = logBinomialHalfCdf(n, kMax);
  // r − 1 = the largest k with P(B ≤ k) ≤ α/2 (tiny slack for rounding in the log-sum).
  let k = -1;
  while (k + 1 <= kMax && logCdf[k + 1]! <= logHalfAlpha + 1e-12) k++;
  if (k < 0) {
    return { estimate, low: null, high: null, reason: `${n} values are too few for a ${Math.round(confidence * 100)}% distribution-free interval of the median` };
  }
  const r = k + 1;
  return { estimate, low: sorted[r - 1]!, high: sorted[n - r]!, reason: null };
}
