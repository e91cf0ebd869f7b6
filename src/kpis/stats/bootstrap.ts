/**
 * Seeded bootstrap for the lift of a mean or median: treated statistic / holdout statistic.
 *
 * @packageDocumentation
 */

import { mean, medianOfSorted, quantileOfSorted } from "./descriptive";
import { assertConfidence, assertNonNegativeValues } from "./validate";

/** The statistic whose ratio the bootstrap studies. */
export type BootstrapStat = "mean" | "median";

/** Resamples drawn when the caller does not say. */
export const DEFAULT_BOOTSTRAP_ITERATIONS = 2000;
/** Fewest resamples accepted: percentile limits from fewer are mostly noise. */
export const MIN_BOOTSTRAP_ITERATIONS = 100;
/** Most resamples accepted (keeps a single report's CPU time bounded). */
export const MAX_BOOTSTRAP_ITERATIONS = 1_000_000;
/** Fewest values per group that the bootstrap resamples; one value has no variability to resample. */
export const MIN_BOOTSTRAP_VALUES = 2;
/**
 * Share of resamples that must give a defined ratio. A resample whose treated *and* holdout
 * statistics are both 0 gives 0/0 and is dropped; if more than 10% are dropped, the interval
 * would describe a different question, so none is reported.
 */
export const MIN_DEFINED_REPLICATE_SHARE = 0.9;

/**
 * Mulberry32, a small, fast 32-bit PRNG (Tommy Ettinger, public domain): a Weyl sequence
 * (state += 0x6D2B79F5) passed through an xorshift-multiply mixer. Period 2³²; passes
 * gjrand/PractRand to far more draws than a bootstrap needs. Not cryptographic.
 *
 * The seed is reduced to 32 bits (`seed >>> 0`), so seeds equal modulo 2³² give the same
 * stream. Returns a function giving uniform numbers in [0, 1) with 32 random bits each.
 *
 * @example
 * const random = mulberry32(42);
 * random(); // 0.6011037519201636, and the same on every run and platform
 * @throws RangeError unless the seed is an integer.
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`mulberry32: seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link bootstrapRatioInterval}. */
export interface BootstrapOptions {
  /** Integer PRNG seed; the same seed and data always give the same result. */
  seed: number;
  /** Number of resamples, an integer in [100, 1 000 000]; default 2000. */
  iterations?: number;
  /** Two-sided confidence level, 0 < confidence < 1; default 0.95. */
  confidence?: number;
}

/**
 * Result of {@link bootstrapRatioInterval}. Every member is a finite number or null; when
 * something is null, `reason` says why.
 */
export interface BootstrapRatioResult {
  /** Observed treated statistic / holdout statistic. */
  estimate: number | null;
  /** Lower percentile limit of the ratio. */
  low: number | null;
  /** Upper percentile limit of the ratio; null when unbounded. */
  high: number | null;
  /** Two-sided bootstrap p-value for ratio = 1. */
  pValue: number | null;
  /** The statistic of the treated values (null when there are none). */
  treatedStat: number | null;
  /** The statistic of the holdout values (null when there are none). */
  holdoutStat: number | null;
  /** Resamples drawn. */
  iterations: number;
  /** Resamples with a defined ratio (not 0/0), on which low, high and pValue rest. */
  replicates: number;
  reason: string | null;
}

/** Observed statistic of an ascending-sorted, non-empty sample. */
function statisticOfSorted(sorted: Float64Array, stat: BootstrapStat): number {
  return stat === "mean" ? mean(sorted)! : medianOfSorted(sorted);
}

/**
 * Returns a function that draws one resample (n draws with replacement) of `sorted` and
 * returns its statistic. Medians are found without sorting each resample: the draws are
 * tallied per position of the sorted sample and the middle order statistics are read off the
 * running tally, so a resample costs O(n) instead of O(n log n).
 */
function resampler(sorted: Float64Array, stat: BootstrapStat, random: () => number): () => number {
  const n = sorted.length;
  if (stat === "mean") {
    return () => {
      let total = 0;
      for (let i = 0; i < n; i++) total += sorted[Math.floor(random() * n)]!;
      return total / n;
    };
  }
  const tally = new Uint32Array(n);
  const lowerMiddle = (n - 1) >> 1; // 0-based positions of the middle order statistic(s);
  const upperMiddle = n >> 1; //        equal when n is odd
  return () => {
    tally.fill(0);
    for (let i = 0; i < n; i++) tally[Math.floor(random() * n)]!++;
    let seen = 0;
    let lowerValue = 0;
    let haveLower = false;
    for (let i = 0; i < n; i++) {
      seen += tally[i]!;
      if (!haveLower && seen > lowerMiddle) {
        lowerValue = sorted[i]!;
        haveLower = true;
      }
      if (seen > upperMiddle) return lowerValue === sorted[i]! ? lowerValue : (lowerValue + sorted[i]!) / 2;
    }
    throw new Error("unreachable: the tally covers all n draws");
  };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function nullResult(
  reason: string,
  iterations: number,
  treatedStat: number | null,
  holdoutStat: number | null,
  estimate: number | null = null,
): BootstrapRatioResult {
  return { estimate, low: null, high: null, pValue: null, treatedStat, holdoutStat, iterations, replicates: 0, reason };
}

/**
 * Seeded percentile-bootstrap confidence interval and p-value for the ratio of a statistic
 * (mean or median) between two independent groups: ratio = stat(treated) / stat(holdout),
 * e.g. the lift of average won-deal ACV or of median sales-cycle days.
 *
 * Method (Efron & Tibshirani 1993, ch. 13 and 16):
 * 1. Each group is sorted (so the result does not depend on input order) and resampled
 *    separately, with replacement, at its own size — a stratified two-sample bootstrap. For
 *    b = 1…B: r*_b = log stat(treated*_b) − log stat(holdout*_b). Draws come from
 *    {@link mulberry32}(seed): treated first, then holdout, in every iteration.
 * 2. A resample with both statistics 0 (0/0) is dropped; a zero holdout statistic gives
 *    r* = +∞ and a zero treated statistic r* = −∞, which sort to the ends like any large
 *    value.
 * 3. Interval: the α/2 and 1 − α/2 type-7 quantiles of the sorted r*, exponentiated. An
 *    infinite upper quantile means "unbounded" and is reported as `high: null`.
 * 4. p-value for ratio = 1 (log-ratio = 0), by inverting the same percentile interval: with
 *    L = #{r* < 0} + ½·#{r* = 0} and U = #{r* > 0} + ½·#{r* = 0} over the m defined
 *    resamples, p = min(1, 2·(min(L, U) + 1)/(m + 1)). Without the +1s this is (up to the
 *    quantile interpolation) the smallest α whose (1 − α) percentile interval just excludes 1,
 *    so the p-value and the interval tell the same story: p < 0.05 ⟺ the 95% interval
 *    excludes 1, up to the +1 correction, which keeps p > 0 from finitely many resamples
 *    (the smallest reportable p is 2/(m + 1) ≈ 0.001 at 2000 resamples). Ties at exactly 1 —
 *    common for medians of whole days — count half to each side.
 *    A permutation test was considered and not used: it tests "the two distributions are
 *    identical" rather than "the means (or medians) are equal", and can contradict the
 *    interval printed next to it.
 *
 * Cost: O(B·(n₁ + n₀)) time — medians included, see `resampler` — and O(B + n₁ + n₀) memory.
 *
 * Values must be non-negative (amounts, durations): a ratio of statistics that can change
 * sign has no meaning as a lift. Nulls with a reason, never NaN or Infinity, when:
 * a group is empty; the holdout statistic is 0 (no ratio); a group has fewer than 2 values
 * (estimate only — nothing to resample); or over 10% of resamples are 0/0.
 *
 * @example
 * // Won-deal ACV: treated mean 30 000, holdout mean 20 000 → estimate 1.5
 * bootstrapRatioInterval([20e3, 30e3, 40e3], [15e3, 20e3, 25e3], "mean", { seed: 7 })
 * // → { estimate: 1.5, low: 1, high: 2.2, pValue: 0.0515…, treatedStat: 30000, holdoutStat: 20000,
 * //     iterations: 2000, replicates: 2000, reason: null }
 * // With 3 values a side the resamples take few distinct values (hence the round limits);
 * // such a comparison carries a sampleWarning.
 * @throws RangeError for negative or non-finite values, a non-integer seed, iterations
 *   outside [100, 1 000 000], or confidence outside (0, 1).
 */
export function bootstrapRatioInterval(
  treated: readonly number[],
  holdout: readonly number[],
  stat: BootstrapStat,
  options: BootstrapOptions,
): BootstrapRatioResult {
  const { seed, iterations = DEFAULT_BOOTSTRAP_ITERATIONS, confidence = 0.95 } = options;
  if (stat !== "mean" && stat !== "median") throw new RangeError(`bootstrap: unknown statistic ${String(stat)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`bootstrap: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(iterations) || iterations < MIN_BOOTSTRAP_ITERATIONS || iterations > MAX_BOOTSTRAP_ITERATIONS) {
    throw new RangeError(
      `bootstrap: iterations must be an integer in [${MIN_BOOTSTRAP_ITERATIONS}, ${MAX_BOOTSTRAP_ITERATIONS}], got ${iterations}`,
    );
  }
  assertConfidence(confidence);
  assertNonNegativeValues(treated, "treated values");
  assertNonNegativeValues(holdout, "holdout values");

  const sortedTreated = Float64Array.from(treated).sort();
  const sortedHoldout = Float64Array.from(holdout).sort();
  const treatedStat = sortedTreated.length > 0 ? statisticOfSorted(sortedTreated, stat) : null;
  const holdoutStat = sortedHoldout.length > 0 ? statisticOfSorted(sortedHoldout, stat) : null;
  if (treatedStat === null || holdoutStat === null) {
    const which =
      treatedStat === null && holdoutStat === null
        ? "both groups have"
        : treatedStat === null
          ? "the treated group has"
          : "the holdout group has";
    return nullResult(`${which} no values, so there is no ratio`, iterations, treatedStat, holdoutStat);
  }
  if (holdoutStat === 0) {
    return nullResult(`the holdout ${stat} is 0, so a ratio to it is undefined`, iterations, treatedStat, holdoutStat);
  }
  const estimate = finiteOrNull(treatedStat / holdoutStat);
  if (estimate === null) {
    return nullResult("the ratio is too large to represent", iterations, treatedStat, holdoutStat);
  }
  if (sortedTreated.length < MIN_BOOTSTRAP_VALUES || sortedHoldout.length < MIN_BOOTSTRAP_VALUES) {
    return nullResult(
      `a group has fewer than ${MIN_BOOTSTRAP_VALUES} values, so there is no variability to resample`,
      iterations,
      treatedStat,
      holdoutStat,
      estimate,
    );
  }

  const random = mulberry32(seed);
  const drawTreated = resampler(sortedTreated, stat, random);
  const drawHoldout = resampler(sortedHoldout, stat, random);
  const logRatios = new Float64Array(iterations);
  let defined = 0;
  for (let b = 0; b < iterations; b++) {
    const t = drawTreated();
    const h = drawHoldout();
    if (t === 0 && h === 0) continue; // 0/0: no ratio in this resample
    logRatios[defined++] = Math.log(t) - Math.log(h); // ±Infinity when exactly one is 0
  }
  if (defined < MIN_DEFINED_REPLICATE_SHARE * iterations) {
    return {
      ...nullResult(
        `${iterations - defined} of ${iterations} resamples had a ${stat} of 0 in both groups, so the interval is not reliable`,
        iterations,
        treatedStat,
        holdoutStat,
        estimate,
      ),
      replicates: defined,
    };
  }
  const sorted = logRatios.subarray(0, defined).sort();
  const alpha = 1 - confidence;
  const lowLog = quantileOfSorted(sorted, alpha / 2);
  const highLog = quantileOfSorted(sorted, 1 - alpha / 2);

  let below = 0;
  let above = 0;
  for (let i = 0; i < defined; i++) {
    if (sorted[i]! < 0) below++;
    else if (sorted[i]! > 0) above++;
  }
  const ties = defined - below - above;
  const smallerTail = Math.min(below, above) + ties / 2;
  const pValue = Math.min(1, (2 * (smallerTail + 1)) / (defined + 1));

  const low = finiteOrNull(Math.exp(lowLog)); // exp(−∞) = 0: a lower limit of 0 is a real answer
  const high = finiteOrNull(Math.exp(highLog)); // exp(+∞) = ∞: unbounded
  return {
    estimate,
    low,
    high,
    pValue,
    treatedStat,
    holdoutStat,
    iterations,
    replicates: defined,
    reason:
      low === null || high === null
        ? `the upper limit is unbounded: the holdout ${stat} was 0 in too many resamples`
        : null,
  };
}
