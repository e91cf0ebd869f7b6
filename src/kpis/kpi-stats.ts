/**
 * Pure statistics for KPI reports by band against holdout (DESIGN.md §5).
 *
 * Every KPI compares TREATED accounts (worked by plays and routing) with HOLDOUT accounts
 * (left alone) and reports lift = treated / holdout with an interval, a p-value and, where
 * the sample is too small, a plain-words warning:
 * - rates (meeting rate, opportunity-creation rate, win rate) → {@link compareRates}:
 *   Wilson intervals per side, Koopman score interval for the lift, pooled z-test p-value;
 * - means and medians (median hours to first touch) → {@link compareValues}: seeded
 *   percentile bootstrap of the ratio, with a matching bootstrap p-value;
 * - win rate, average won amount and median velocity → `clusterBootstrap`: the same, with
 *   whole accounts resampled, because one account's deals are not independent;
 * - many comparisons in one report → `holmAdjust`.
 *
 * The bundles are JSON-serialisable as they are: every number is finite, and anything
 * undefined or unbounded is `null` with a note saying why. No I/O, no clock, no global
 * randomness — the same input always gives the same output.
 *
 * The building blocks live in `./stats/*` and are re-exported here; import from this module.
 *
 * @packageDocumentation
 */

import { bootstrapRatioInterval, DEFAULT_BOOTSTRAP_ITERATIONS, type BootstrapStat } from "./stats/bootstrap";
import { rateRatioInterval, twoProportionPValue, wilsonInterval } from "./stats/proportions";
import { assertConfidence, assertCount } from "./stats/validate";
import { sampleWarning, type RateLabels } from "./stats/warnings";

export { mean, median, quantile, sum } from "./stats/descriptive";
export {
  normalCdf,
  normalCriticalValue,
  normalQuantile,
  normalSurvival,
  normalTails,
  twoSidedPValue,
} from "./stats/normal";
export {
  rateRatioInterval,
  twoProportionPValue,
  twoProportionZ,
  wilsonInterval,
  type ProportionInterval,
  type RatioInterval,
} from "./stats/proportions";
export {
  bootstrapRatioInterval,
  DEFAULT_BOOTSTRAP_ITERATIONS,
  MAX_BOOTSTRAP_ITERATIONS,
  MIN_BOOTSTRAP_ITERATIONS,
  MIN_BOOTSTRAP_VALUES,
  MIN_DEFINED_REPLICATE_SHARE,
  mulberry32,
  type BootstrapOptions,
  type BootstrapRatioResult,
  type BootstrapStat,
} from "./stats/bootstrap";
export { meanInterval, medianInterval, type MeanSummary, type StatInterval } from "./stats/one-sample";
export { meanRatioInterval, type MeanRatioResult } from "./stats/mean-ratio";
export {
  clusterBootstrap,
  MIN_BOOTSTRAP_CLUSTERS,
  type ClusterBootstrapOptions,
  type ClusterComparison,
  type ClusterKpi,
  type ClusterSample,
  type ClusterSide,
} from "./stats/cluster-bootstrap";
export { holmAdjust } from "./stats/holm";
export {
  MIN_EVENTS_PER_SIDE,
  MIN_TRIALS_PER_SIDE,
  MIN_VALUES_PER_SIDE,
  sampleWarning,
  type RateLabels,
  type SampleWarningInput,
} from "./stats/warnings";

/** Confidence level of KPI intervals unless a caller asks otherwise. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Counts behind a rate: x accounts (or deals) with the event out of n. */
export interface RateCount {
  x: number;
  n: number;
}

/** One side of a rate comparison: the counts, the rate x/n and its Wilson interval. */
export interface RateSide {
  x: number;
  n: number;
  /** x/n; null when n = 0. */
  rate: number | null;
  /** Wilson score interval of the rate; null when n = 0. */
  low: number | null;
  high: number | null;
}

/** Treated vs holdout for a rate. Every number is finite; null means undefined (see `liftNote`). */
export interface RateComparison {
  treated: RateSide;
  holdout: RateSide;
  /** treated rate / holdout rate; null when the holdout rate is 0 or a side is empty. */
  lift: number | null;
  /** Koopman score interval of the lift; `liftHigh` is null when unbounded (holdout x = 0). */
  liftLow: number | null;
  liftHigh: number | null;
  /** Why lift or a limit is null (or 0), else null. */
  liftNote: string | null;
  /** Two-sided pooled z-test p-value for equal rates; null when a side is empty. */
  pValue: number | null;
  confidence: number;
  liftMethod: "koopman-score";
  pValueMethod: "pooled-z";
  /** Plain-words small-sample warning (see {@link sampleWarning}), else null. */
  warning: string | null;
}

/** Options of {@link compareRates}. */
export interface CompareRatesOptions {
  /** Confidence level of all intervals; default 0.95. */
  confidence?: number;
  /** Nouns for the warning, e.g. { trials: "closed deals", events: "won deals", nonEvents: "lost deals" }. */
  labels?: RateLabels;
}

function rateSide(count: RateCount, confidence: number): RateSide {
  const interval = wilsonInterval(count.x, count.n, confidence);
  return {
    x: count.x,
    n: count.n,
    rate: interval?.estimate ?? null,
    low: interval?.low ?? null,
    high: interval?.high ?? null,
  };
}

/**
 * Compares a rate between treated and holdout accounts: each side's rate x/n with its Wilson
 * interval ({@link wilsonInterval}), lift = rate₁/rate₀ with Koopman's score interval
 * ({@link rateRatioInterval}), the pooled two-proportion z-test p-value
 * ({@link twoProportionPValue}; the lift interval excludes 1 exactly when p < 1 − confidence)
 * and a small-sample warning ({@link sampleWarning}).
 *
 * @example
 * // Meeting rate: 84 of 400 treated accounts vs 30 of 250 holdout accounts
 * compareRates({ x: 84, n: 400 }, { x: 30, n: 250 })
 * // {
 * //   treated: { x: 84, n: 400, rate: 0.21, low: 0.1729…, high: 0.2526… },  (0.212759 ∓ 0.039821)
 * //   holdout: { x: 30, n: 250, rate: 0.12, low: 0.0854…, high: 0.1661… },  (0.125750 ∓ 0.040387)
 * //   lift: 1.75, liftLow: 1.1983…, liftHigh: 2.5785…, liftNote: null,
 * //   pValue: 0.00333…,  (z = 0.09 / √(0.175385 × 0.824615 × (1/400 + 1/250)) = 2.9354)
 * //   confidence: 0.95, liftMethod: "koopman-score", pValueMethod: "pooled-z", warning: null
 * // }
 * @throws RangeError unless counts are integers with 0 ≤ x ≤ n, and 0 < confidence < 1.
 */
export function compareRates(treated: RateCount, holdout: RateCount, options: CompareRatesOptions = {}): RateComparison {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  assertConfidence(confidence);
  assertCount(treated.x, treated.n, "treated");
  assertCount(holdout.x, holdout.n, "holdout");
  const ratio = rateRatioInterval(treated.x, treated.n, holdout.x, holdout.n, confidence);
  return {
    treated: rateSide(treated, confidence),
    holdout: rateSide(holdout, confidence),
    lift: ratio.estimate,
    liftLow: ratio.low,
    liftHigh: ratio.high,
    liftNote: ratio.reason,
    pValue: twoProportionPValue(treated.x, treated.n, holdout.x, holdout.n),
    confidence,
    liftMethod: "koopman-score",
    pValueMethod: "pooled-z",
    warning: sampleWarning({
      kind: "rate",
      treated,
      holdout,
      ...(options.labels === undefined ? {} : { labels: options.labels }),
    }),
  };
}

/** One side of a value comparison: how many values and their statistic. */
export interface ValueSide {
  count: number;
  /** Mean or median of the values; null when there are none. */
  value: number | null;
}

/** Treated vs holdout for a mean or median. Every number is finite; null means undefined (see `liftNote`). */
export interface ValueComparison {
  stat: BootstrapStat;
  treated: ValueSide;
  holdout: ValueSide;
  /** treated value / holdout value; null when the holdout value is 0 or a side is empty. */
  lift: number | null;
  /** Bootstrap percentile interval of the lift; `liftHigh` null when unbounded. */
  liftLow: number | null;
  liftHigh: number | null;
  /** Why lift, a limit or the p-value is null, else null. */
  liftNote: string | null;
  /** Two-sided bootstrap p-value for lift = 1. */
  pValue: number | null;
  confidence: number;
  iterations: number;
  seed: number;
  liftMethod: "bootstrap-percentile";
  pValueMethod: "bootstrap-percentile-inversion";
  /** Plain-words small-sample warning (see {@link sampleWarning}), else null. */
  warning: string | null;
}

/** Options of {@link compareValues}. */
export interface CompareValuesOptions {
  /** Bootstrap resamples; default 2000. */
  iterations?: number;
  /** Confidence level of the interval; default 0.95. */
  confidence?: number;
  /** What the values are, for the warning (plural), e.g. "won deals". Default "values". */
  label?: string;
}

/**
 * Compares a mean or median (average ACV of won deals, median velocity in days) between
 * treated and holdout: each side's count and statistic, lift = treated/holdout with a seeded
 * percentile-bootstrap interval and p-value ({@link bootstrapRatioInterval}), and a
 * small-sample warning ({@link sampleWarning}). Same data and seed → same result.
 *
 * @example
 * // Median velocity (days) of won deals, 12 treated vs 10 holdout
 * compareValues([20, 25, 28, 30, 31, 33, 35, 38, 40, 45, 50, 61],
 *               [35, 40, 44, 48, 50, 52, 57, 60, 66, 75], "median", 2024)
 * // {
 * //   stat: "median", treated: { count: 12, value: 34 }, holdout: { count: 10, value: 51 },
 * //   lift: 0.6667 (34/51), liftLow: 0.5213…, liftHigh: 0.8696…, pValue: 0.0060…,
 * //   confidence: 0.95, iterations: 2000, seed: 2024, liftNote: null, warning: null, …
 * // }
 * @throws RangeError for negative or non-finite values, a non-integer seed, iterations
 *   outside [100, 1 000 000], or confidence outside (0, 1).
 */
export function compareValues(
  treated: readonly number[],
  holdout: readonly number[],
  stat: BootstrapStat,
  seed: number,
  options: CompareValuesOptions = {},
): ValueComparison {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const iterations = options.iterations ?? DEFAULT_BOOTSTRAP_ITERATIONS;
  const result = bootstrapRatioInterval(treated, holdout, stat, { seed, iterations, confidence });
  return {
    stat,
    treated: { count: treated.length, value: result.treatedStat },
    holdout: { count: holdout.length, value: result.holdoutStat },
    lift: result.estimate,
    liftLow: result.low,
    liftHigh: result.high,
    liftNote: result.reason,
    pValue: result.pValue,
    confidence,
    iterations,
    seed,
    liftMethod: "bootstrap-percentile",
    pValueMethod: "bootstrap-percentile-inversion",
    warning: sampleWarning({
      kind: "values",
      treated: treated.length,
      holdout: holdout.length,
      ...(options.label === undefined ? {} : { label: options.label }),
    }),
  };
}
