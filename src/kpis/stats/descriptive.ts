/**
 * Descriptive statistics: sum, mean, median, quantile. Empty input gives `null` (there is no
 * mean of nothing); non-finite input throws a RangeError.
 *
 * @packageDocumentation
 */

import { assertFiniteValues } from "./validate";

/**
 * Sum with Neumaier's compensated summation, so that adding many amounts of very different
 * size (1e9 + 1 + … − 1e9) loses no cents.
 *
 * @example
 * sum([1e16, 1, -1e16])  // 1 (a naive loop gives 0)
 * @throws RangeError when a value is not a finite number.
 */
export function sum(values: ArrayLike<number>): number {
  assertFiniteValues(values);
  let total = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = total + v;
    compensation += Math.abs(total) >= Math.abs(v) ? total - t + v : v - t + total;
    total = t;
  }
  return total + compensation;
}

/**
 * Arithmetic mean x̄ = (x₁ + … + xₙ)/n, with compensated summation; `null` when n = 0.
 *
 * @example
 * mean([12_000, 30_000, 18_000])  // 20000
 * mean([])                        // null
 * @throws RangeError when a value is not a finite number.
 */
export function mean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  return sum(values) / values.length;
}

/**
 * Type-7 quantile of an already ascending-sorted sample (no checks): with h = (n − 1)·p,
 * Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), 0-based order statistics.
 * Infinite order statistics are allowed (the bootstrap uses ±Infinity for log-ratios with a
 * zero statistic): interpolating towards an infinite neighbour gives that infinity.
 */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const below = Math.floor(h);
  const fraction = h - below;
  const a = sorted[below]!;
  if (fraction === 0) return a;
  const b = sorted[below + 1]!;
  if (a === b) return a;
  if (!Number.isFinite(a)) return a;
  if (!Number.isFinite(b)) return b;
  return a + fraction * (b - a);
}

/**
 * Sample quantile, Hyndman & Fan (1996) definition 7 — the default of R's `quantile`, NumPy's
 * `quantile` ("linear") and Excel's `PERCENTILE.INC`: with the sample sorted ascending and
 * h = (n − 1)·p, Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), 0-based. Q(0) is the minimum,
 * Q(1) the maximum, Q(0.5) the median. `null` when the sample is empty.
 *
 * @example
 * // sorted 10, 20, 30, 40: h = 3 × 0.25 = 0.75 → 10 + 0.75 × (20 − 10) = 17.5
 * quantile([40, 10, 30, 20], 0.25)  // 17.5
 * quantile([1, 2, 3, 4], 0.9)       // 3.7
 * @throws RangeError when p is outside [0, 1] or a value is not a finite number.
 */
export function quantile(values: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  assertFiniteValues(values);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return quantileOfSorted(sorted, p);
}

/**
 * Median: the middle value of the sorted sample, or the mean of the two middle values when n
 * is even (the same as `quantile(values, 0.5)`); `null` when n = 0.
 *
 * @example
 * median([45, 12, 30])      // 30
 * median([45, 12, 30, 20])  // (20 + 30) / 2 = 25
 * median([])                // null
 * @throws RangeError when a value is not a finite number.
 */
export function median(values: ArrayLike<number>): number | null {
  assertFiniteValues(values);
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return medianOfSorted(sorted);
}

/** Median of an already ascending-sorted, non-empty sample (no checks). */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const upper = sorted[n >> 1]!;
  return n % 2 === 1 ? upper : (sorted[(n >> 1) - 1]! + upper) / 2;
}
