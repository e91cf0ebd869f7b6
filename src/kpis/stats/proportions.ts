/**
 * Proportions (rates) and the ratio of two proportions (lift of a rate):
 * - {@link wilsonInterval}: Wilson score interval for one rate;
 * - {@link twoProportionZ} / {@link twoProportionPValue}: pooled two-proportion z-test;
 * - {@link rateRatioInterval}: Koopman's score interval for p₁/p₀.
 *
 * The ratio interval and the p-value are the same score test looked at two ways, so they
 * never disagree: the interval excludes 1 exactly when p < 1 − confidence.
 *
 * @packageDocumentation
 */

import { normalCriticalValue, twoSidedPValue } from "./normal";
import { assertConfidence, assertCount } from "./validate";

/** A point estimate with a two-sided confidence interval; all three are finite numbers. */
export interface ProportionInterval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * A ratio with its confidence interval. A member is `null` when it is undefined or unbounded,
 * and `reason` then says which and why, e.g. when the holdout has no events the ratio is
 * infinite: `estimate` and `high` are null, `low` is still a finite lower bound.
 */
export interface RatioInterval {
  estimate: number | null;
  low: number | null;
  high: number | null;
  reason: string | null;
}

/**
 * Wilson score interval for a binomial proportion p = x/n (Wilson 1927; "method 3" of
 * Newcombe 1998, Stat Med 17:857–872). With z = z₍₁₋α/₂₎:
 *
 *   centre = (x + z²/2) / (n + z²)
 *   half   = z / (n + z²) · √( x(n − x)/n + z²/4 )
 *   [low, high] = centre ∓ half
 *
 * It inverts the score test, stays inside [0, 1], is never zero-width (unlike the Wald
 * interval p̂ ± z√(p̂(1−p̂)/n)) and covers close to nominally even for small n or p near 0/1.
 * For x = 0 the lower limit is exactly 0, for x = n the upper is exactly 1.
 *
 * `n = 0` returns `null`: with no trials there is no rate and nothing to bound.
 *
 * @example
 * // 81 of 263 accounts had a meeting: p̂ = 0.3080, z = 1.95996, z² = 3.84146
 * // centre = 82.9207 / 266.8415 = 0.31075; half = 0.0073451 × √(56.0532 + 0.9604) = 0.05546
 * wilsonInterval(81, 263)  // { estimate: 0.30798…, low: 0.25529…, high: 0.36621… }
 * wilsonInterval(0, 20)    // { estimate: 0, low: 0, high: 0.16112… }  (3.84146 / 23.84146)
 * wilsonInterval(0, 0)     // null
 * @throws RangeError unless x, n are integers with 0 ≤ x ≤ n, and 0 < confidence < 1.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): ProportionInterval | null {
  assertCount(successes, n, "wilsonInterval");
  assertConfidence(confidence);
  if (n === 0) return null;
  const z = normalCriticalValue(confidence);
  const z2 = z * z;
  const centre = (successes + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((successes * (n - successes)) / n + z2 / 4);
  return {
    estimate: successes / n,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Pooled two-proportion z statistic for H₀: p₁ = p₀ (group 1 = treated, group 0 = holdout):
 *
 *   p̄ = (x₁ + x₀)/(n₁ + n₀),   z = (x₁/n₁ − x₀/n₀) / √( p̄(1 − p̄)(1/n₁ + 1/n₀) )
 *
 * z² equals Pearson's χ² (without continuity correction) for the 2×2 table.
 *
 * Returns `null` when either group is empty (n = 0), and 0 when p̄ is 0 or 1 — all accounts
 * on both sides had the event, or none did: the observed rates are identical, so there is no
 * evidence of a difference (the formula alone would give 0/0).
 *
 * @example
 * // Physicians' Health Study: heart attacks 189/11034 on placebo vs 104/11037 on aspirin
 * // p̄ = 293/22071 = 0.013275; SE = √(0.013275 × 0.986725 × (1/11034 + 1/11037)) = 0.0015408
 * twoProportionZ(189, 11034, 104, 11037)  // 5.0014 (0.0077061 / 0.0015408)
 * @throws RangeError unless both counts are integers with 0 ≤ x ≤ n.
 */
export function twoProportionZ(x1: number, n1: number, x0: number, n0: number): number | null {
  assertCount(x1, n1, "treated");
  assertCount(x0, n0, "holdout");
  if (n1 === 0 || n0 === 0) return null;
  const pooled = (x1 + x0) / (n1 + n0);
  const difference = x1 / n1 - x0 / n0;
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n0);
  if (difference === 0 || variance <= 0) return 0;
  return difference / Math.sqrt(variance);
}

/**
 * Two-sided p-value of the pooled two-proportion z-test (see {@link twoProportionZ}):
 * p = 2·(1 − Φ(|z|)). Equal to R's `prop.test(c(x1, x0), c(n1, n0), correct = FALSE)$p.value`.
 *
 * - either n = 0 → `null` (no test is possible);
 * - no events on either side, or only events (p̄ ∈ {0, 1}) → 1 (identical observed rates).
 *
 * @example
 * twoProportionPValue(189, 11034, 104, 11037)  // 5.69e-7 (z = 5.0014)
 * twoProportionPValue(10, 100, 10, 100)        // 1
 * twoProportionPValue(0, 50, 0, 40)            // 1
 * twoProportionPValue(3, 10, 0, 0)             // null
 * @throws RangeError unless both counts are integers with 0 ≤ x ≤ n.
 */
export function twoProportionPValue(x1: number, n1: number, x0: number, n0: number): number | null {
  const z = twoProportionZ(x1, n1, x0, n0);
  return z === null ? null : twoSidedPValue(z);
}

/**
 * Score statistic for H₀: p₁ = φ·p₀ (Koopman 1984; Farrington & Manning 1990):
 *
 *   z(φ) = (p̂₁ − φ·p̂₀) / √( p̃₁(1 − p̃₁)/n₁ + φ²·p̃₀(1 − p̃₀)/n₀ )
 *
 * where p̃₀ is the maximum-likelihood p₀ under the constraint p₁ = φ·p₀ — the smaller root of
 * N·φ·p² − (n₁φ + x₁ + n₀ + x₀φ)·p + (x₁ + x₀) = 0, N = n₁ + n₀ — and p̃₁ = φ·p̃₀.
 * z(φ)² is the Pearson χ² of the table against the fitted constrained probabilities, and
 * z(1) is the pooled two-proportion z. z is decreasing in φ.
 */
function ratioScoreZ(phi: number, x1: number, n1: number, x0: number, n0: number): number {
  const numerator = x1 / n1 - (phi * x0) / n0;
  if (numerator === 0) return 0;
  const a = (n1 + n0) * phi;
  const b = -(n1 * phi + x1 + n0 + x0 * phi);
  const c = x1 + x0;
  // Smaller root of a·p² + b·p + c = 0 written as 2c / (−b + √(b² − 4ac)): no cancellation.
  const discriminant = Math.max(0, b * b - 4 * a * c);
  const p0 = Math.min(1, (2 * c) / (-b + Math.sqrt(discriminant)));
  const p1 = Math.min(1, phi * p0);
  const variance = (p1 * (1 - p1)) / n1 + (phi * phi * p0 * (1 - p0)) / n0;
  if (!(variance > 0)) return numerator > 0 ? Infinity : -Infinity;
  return numerator / Math.sqrt(variance);
}

/** log φ beyond which a ratio counts as unbounded (φ ≈ e^±300). */
const LOG_RATIO_LIMIT = 300;

/**
 * Finds φ > 0 with f(φ) = target for a decreasing f, by bracketing and then bisecting in
 * log φ to full double precision. `null` when no crossing exists for |log φ| ≤ 300.
 */
function solveDecreasing(f: (phi: number) => number, target: number, guess: number): number | null {
  let lo: number;
  let hi: number;
  const start = Math.log(guess);
  if (f(guess) > target) {
    lo = start;
    let step = 0.5;
    hi = start + step;
    while (f(Math.exp(hi)) > target) {
      lo = hi;
      step *= 2;
      hi = start + step;
      if (hi > LOG_RATIO_LIMIT) return null;
    }
  } else {
    hi = start;
    let step = 0.5;
    lo = start - step;
    while (f(Math.exp(lo)) <= target) {
      hi = lo;
      step *= 2;
      lo = start - step;
      if (lo < -LOG_RATIO_LIMIT) return null;
    }
  }
  // Invariant: f(e^lo) > target ≥ f(e^hi).
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(Math.exp(mid)) > target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Confidence interval for the ratio of two proportions φ = p₁/p₀ (lift of a rate: treated
 * group 1 vs holdout group 0) by **Koopman's asymptotic score method** (Koopman 1984,
 * Biometrics 40:513–517): the set of φ not rejected by the score test,
 *
 *   { φ : |z(φ)| ≤ z₍₁₋α/₂₎ },  z(φ) = (p̂₁ − φp̂₀) / √( p̃₁(1−p̃₁)/n₁ + φ²p̃₀(1−p̃₀)/n₀ )
 *
 * with p̃ the constrained maximum-likelihood estimates (see the source of `ratioScoreZ`). The
 * two limits are found by bisection on log φ to ~1e-15 relative precision.
 *
 * Why this method: it is the interval recommended for the ratio of two independent
 * proportions by Fagerland, Lydersen & Laake (2015, Stat Methods Med Res 24:224–254); it
 * handles zero cells without an arbitrary continuity correction (x₁ = 0 gives the exact lower
 * limit 0; x₀ = 0 a finite lower limit and no upper one), whereas the log (Katz) interval is
 * undefined with a zero cell and its usual ½-corrections are ad hoc. And at φ = 1 the score
 * statistic *is* the pooled z of {@link twoProportionPValue}, so the reported interval
 * excludes 1 exactly when that p-value is below 1 − confidence. Miettinen–Nurminen would
 * multiply the variance by N/(N − 1), which breaks that agreement for a negligible gain at
 * KPI sample sizes.
 *
 * Degenerate cases (never NaN or Infinity; `reason` says what happened):
 * - n₁ = 0 or n₀ = 0: everything null;
 * - x₁ = x₀ = 0: everything null (0/0, the data say nothing about the ratio);
 * - x₀ = 0 < x₁: estimate and high null (infinite), low finite;
 * - x₁ = 0 < x₀: estimate 0, low 0, high finite.
 *
 * @example
 * // Koopman's (1984) example: 36/40 vs 16/80, φ̂ = 0.9/0.2 = 4.5
 * rateRatioInterval(36, 40, 16, 80)  // { estimate: 4.5, low: 2.9396…, high: 7.1522…, reason: null }
 * rateRatioInterval(0, 50, 5, 50)
 * // { estimate: 0, low: 0, high: 0.7355…, reason: "the treated group has no events, …" }
 * rateRatioInterval(5, 10, 0, 10)
 * // { estimate: null, low: 1.6317…, high: null, reason: "the holdout group has no events, …" }
 * @throws RangeError unless both counts are integers with 0 ≤ x ≤ n, and 0 < confidence < 1.
 */
export function rateRatioInterval(x1: number, n1: number, x0: number, n0: number, confidence = 0.95): RatioInterval {
  assertCount(x1, n1, "treated");
  assertCount(x0, n0, "holdout");
  assertConfidence(confidence);
  if (n1 === 0 || n0 === 0) {
    const empty = n1 === 0 && n0 === 0 ? "both groups are" : n1 === 0 ? "the treated group is" : "the holdout group is";
    return undefinedRatio(`${empty} empty, so there is no ratio`);
  }
  if (x1 === 0 && x0 === 0) return undefinedRatio("no events in either group, so the ratio is undefined (0/0)");
  const zc = normalCriticalValue(confidence);
  const z = (phi: number): number => ratioScoreZ(phi, x1, n1, x0, n0);
  // Start the search near the estimate, shrunk by ½ so that it is finite and positive.
  const guess = ((x1 + 0.5) / (n1 + 0.5)) / ((x0 + 0.5) / (n0 + 0.5));
  // z(φ) → p̂₁ > 0 as φ → 0 only when x₁ > 0: otherwise no φ is rejected from below.
  const low = x1 === 0 ? 0 : (solveDecreasing(z, zc, guess) ?? 0);
  // z(φ) → −∞ as φ → ∞ only when x₀ > 0: otherwise no φ is rejected from above.
  const high = x0 === 0 ? null : solveDecreasing(z, -zc, guess);
  if (x0 === 0) {
    return {
      estimate: null,
      low,
      high: null,
      reason: "the holdout group has no events, so the ratio is unbounded above (only a lower limit exists)",
    };
  }
  let reason: string | null = null;
  if (high === null) reason = "the upper limit is too large to represent";
  else if (x1 === 0) reason = "the treated group has no events, so the ratio and its lower limit are 0";
  return { estimate: x1 / n1 / (x0 / n0), low, high, reason };
}

function undefinedRatio(reason: string): RatioInterval {
  return { estimate: null, low: null, high: null, reason };
}
