/**
 * Seeded cluster (account-level) bootstrap for the deal KPIs of one treated-vs-holdout
 * comparison: win rate, average won amount and median velocity.
 *
 * @packageDocumentation
 */

import { medianOfSorted, quantileOfSorted } from "./descriptive";
import { DEFAULT_BOOTSTRAP_ITERATIONS, MAX_BOOTSTRAP_ITERATIONS, MIN_BOOTSTRAP_ITERATIONS, MIN_DEFINED_REPLICATE_SHARE, mulberry32 } from "./bootstrap";
import { assertConfidence, assertNonNegativeValues } from "./validate";

/**
 * The deals of one side, grouped by account (the cluster). Clusters are the accounts with at
 * least one deal closed in the window; deals are that side's WON deals closed in the window.
 */
export interface ClusterSample {
  /** Per cluster: deals closed in the window (≥ 1). */
  closed: readonly number[];
  /** Per cluster: of them, won. */
  won: readonly number[];
  /** Per won deal, ascending: days from creation to close. */
  dealDays: readonly number[];
  /** Per won deal (aligned with dealDays): its amount. */
  dealAmount: readonly number[];
  /** Per won deal: the index of its cluster in `closed` / `won`. */
  dealCluster: readonly number[];
}

/** One side's statistic and its percentile interval. */
export interface ClusterSide {
  value: number | null;
  low: number | null;
  high: number | null;
  /** Why the value or the interval is missing. */
  reason: string | null;
}

/** One KPI of a cluster comparison: both sides and the lift treated / holdout. */
export interface ClusterKpi {
  treated: ClusterSide;
  holdout: ClusterSide;
  estimate: number | null;
  low: number | null;
  /** Null when unbounded or undefined. */
  high: number | null;
  pValue: number | null;
  reason: string | null;
}

export interface ClusterComparison {
  winRate: ClusterKpi;
  averageWonAmount: ClusterKpi;
  medianVelocityDays: ClusterKpi;
  /** Clusters (accounts with a closed deal) per side. */
  treatedClusters: number;
  holdoutClusters: number;
  iterations: number;
  seed: number;
  confidence: number;
}

export interface ClusterBootstrapOptions {
  seed: number;
  iterations?: number;
  confidence?: number;
}

/** Fewest clusters a side needs before it is resampled: one account has no variability between accounts. */
export const MIN_BOOTSTRAP_CLUSTERS = 2;

type Stat = (s: Resampled) => number | null;
interface Resampled { closed: number; won: number; amount: number; median: number | null }

const STATS: Record<"winRate" | "averageWonAmount" | "medianVelocityDays", Stat> = {
  winRate: (s) => (s.closed > 0 ? s.won / s.closed : null),
  averageWonAmount: (s) => (s.won > 0 ? s.amount / s.won : null),
  medianVelocityDays: (s) => s.median,
};

function validateSample(s: ClusterSample, what: string): void {
  if (s.closed.length !== s.won.length) throw new RangeError(`${what}: closed and won must have one entry per cluster`);
  if (s.dealDays.length !== s.dealAmount.length || s.dealDays.length !== s.dealCluster.length) throw new RangeError(`${what}: dealDays, dealAmount and dealCluster must be aligned`);
  assertNonNegativeValues(s.dealDays, `${what} days`);
  assertNonNegativeValues(s.dealAmount, `${what} amounts`);
  for (let i = 0; i < s.dealDays.length; i++) {
    if (i > 0 && s.dealDays[i]! < s.dealDays[i - 1]!) throw new RangeError(`${what}: dealDays must be ascending`);
    const c = s.dealCluster[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= s.closed.length) throw new RangeError(`${what}: dealCluster ${c} names no cluster`);
  }
  let won = 0;
  for (let i = 0; i < s.closed.length; i++) {
    if (!Number.isInteger(s.closed[i]) || !Number.isInteger(s.won[i]) || s.won[i]! < 0 || s.won[i]! > s.closed[i]!) {
      throw new RangeError(`${what}: cluster ${i} needs whole counts with 0 ≤ won ≤ closed`);
    }
    won += s.won[i]!;
  }
  if (won !== s.dealDays.length) throw new RangeError(`${what}: the clusters' won deals (${won}) must be the won deals listed (${s.dealDays.length})`);
}

/** The statistics of the sample itself. */
function observed(s: ClusterSample): Resampled {
  let closed = 0;
  let won = 0;
  for (let i = 0; i < s.closed.length; i++) {
    closed += s.closed[i]!;
    won += s.won[i]!;
  }
  let amount = 0;
  for (const a of s.dealAmount) amount += a;
  return { closed, won, amount, median: s.dealDays.length ? medianOfSorted(s.dealDays) : null };
}

/**
 * Draws one resample of a side's clusters (k draws with replacement) and returns its sums
 * and the median of the won deals' days, each deal weighted by how often its account was
 * drawn. The median walks the deals in their (ascending) order: O(k + deals), no sorting.
 */
function resampler(s: ClusterSample, random: () => number): () => Resampled {
  const k = s.closed.length;
  const tally = new Uint32Array(k);
  return () => {
    tally.fill(0);
    for (let i = 0; i < k; i++) tally[Math.floor(random() * k)]!++;
    let closed = 0;
    let won = 0;
    for (let i = 0; i < k; i++) {
      closed += tally[i]! * s.closed[i]!;
      won += tally[i]! * s.won[i]!;
    }
    let amount = 0;
    for (let j = 0; j < s.dealAmount.length; j++) amount += tally[s.dealCluster[j]!]! * s.dealAmount[j]!;
    let median: number | null = null;
    if (won > 0) {
      const lowerMiddle = (won - 1) >> 1; // 0-based positions of the middle deal(s); equal when won is odd
      const upperMiddle = won >> 1;
      let seen = 0;
      let lower = 0;
      let haveLower = false;
      for (let j = 0; j < s.dealDays.length; j++) {
        seen += tally[s.dealCluster[j]!]!;
        if (!haveLower && seen > lowerMiddle) {
          lower = s.dealDays[j]!;
          haveLower = true;
        }
        if (seen > upperMiddle) {
          median = (lower + s.dealDays[j]!) / 2;
          break;
        }
      }
    }
    return { closed, won, amount, median };
  };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Percentile interval of one side's replicates (undefined replicates dropped). */
function sideInterval(value: number | null, replicates: (number | null)[], alpha: number, small: string | null): ClusterSide {
  if (value === null) return { value, low: null, high: null, reason: "there are no values" };
  if (small) return { value, low: null, high: null, reason: small };
  const defined = Float64Array.from(replicates.filter((r): r is number => r !== null)).sort();
  if (defined.length < MIN_DEFINED_REPLICATE_SHARE * replicates.length) {
    return { value, low: null, high: null, reason: `${replicates.length - defined.length} of ${replicates.length} resamples had no value, so the interval is not reliable` };
  }
  return { value, low: quantileOfSorted(defined, alpha / 2), high: quantileOfSorted(defined, 1 - alpha / 2), reason: null };
}

/** Lift interval and p-value from paired replicates, as in `bootstrapRatioInterval` (log ratios, percentile, inversion p). */
function liftOf(t: number | null, h: number | null, rt: (number | null)[], rh: (number | null)[], alpha: number, small: string | null, name: string): Omit<ClusterKpi, "treated" | "holdout"> {
  if (t === null || h === null) {
    const which = t === null && h === null ? "both groups have" : t === null ? "the treated group has" : "the holdout group has";
    return { estimate: null, low: null, high: null, pValue: null, reason: `${which} no values, so there is no ratio` };
  }
  if (h === 0) return { estimate: null, low: null, high: null, pValue: null, reason: `the holdout ${name} is 0, so a ratio to it is undefined` };
  const estimate = finiteOrNull(t / h);
  if (small) return { estimate, low: null, high: null, pValue: null, reason: small };
  const logs: number[] = [];
  for (let b = 0; b < rt.length; b++) {
    const x = rt[b];
    const y = rh[b];
    if (x === null || y === null || x === undefined || y === undefined || (x === 0 && y === 0)) continue;
    logs.push(Math.log(x) - Math.log(y));
  }
  if (logs.length < MIN_DEFINED_REPLICATE_SHARE * rt.length) {
    return { estimate, low: null, high: null, pValue: null, reason: `${rt.length - logs.length} of ${rt.length} resamples gave no ratio, so the interval is not reliable` };
  }
  const sorted = Float64Array.from(logs).sort();
  let below = 0;
  let above = 0;
  for (const r of sorted) {
    if (r < 0) below++;
    else if (r > 0) above++;
  }
  const ties = sorted.length - below - above;
  const pValue = Math.min(1, (2 * (Math.min(below, above) + ties / 2 + 1)) / (sorted.length + 1));
  const low = finiteOrNull(Math.exp(quantileOfSorted(sorted, alpha / 2)));
  const high = finiteOrNull(Math.exp(quantileOfSorted(sorted, 1 - alpha / 2)));
  return { estimate, low, high, pValue, reason: high === null ? `the upper limit is unbounded: the holdout ${name} was 0 in too many resamples` : null };
}

/**
 * Cluster bootstrap of win rate (won / closed deals), average won amount (won amount / won
 * deals) and median velocity (days created → closed of the won deals), treated against
 * holdout. The unit resampled is the **account**, not the deal: deals of one account share its
 * buyer, budget and sales team, so they are not independent, and resampling deals makes an
 * account with several deals look like several independent pieces of evidence — intervals too
 * narrow, p-values too small. Resampling whole accounts keeps each account's deals together
 * (the cluster or "block" bootstrap: Field & Welsh, "Bootstrapping clustered data", JRSS B
 * 69(3), 2007, the randomised-cluster scheme; Cameron, Gelbach & Miller, "Bootstrap-based
 * improvements for inference with clustered errors", REStat 90(3), 2008, the pairs cluster
 * bootstrap). Each side is resampled separately at its own number of accounts (a stratified
 * two-sample bootstrap), from one {@link mulberry32}(seed) stream: treated first, then
 * holdout, in every iteration; each resample gives all three statistics.
 *
 * The clusters are the accounts with a deal closed in the window (the others carry no deal to
 * resample), so the number of contributing accounts is held fixed.
 *
 * Per side: the observed statistic (exactly the per-deal figure: Σwon/Σclosed, the mean won
 * amount, the median days) and its percentile interval. Lift: observed treated / holdout; the
 * percentile interval of the replicate ratios (on the log scale, ±∞ allowed as in
 * `bootstrapRatioInterval`) and the two-sided p-value by inverting it:
 * p = min(1, 2·(min(L, U) + ½·ties + 1)/(m + 1)). A resample where a statistic is undefined (no
 * won deal drawn) is dropped; over 10% dropped gives no interval. Fewer than 2 accounts on a
 * side: estimates only.
 *
 * @example
 * // Two accounts a side; treated account 1 closed 3 and won all, account 2 closed 1 and lost.
 * clusterBootstrap(
 *   { closed: [3, 1], won: [3, 0], dealDays: [10, 20, 30], dealAmount: [5, 5, 5], dealCluster: [0, 0, 0] },
 *   { closed: [1, 1], won: [1, 0], dealDays: [40], dealAmount: [8], dealCluster: [0] }, { seed: 1 })
 * // winRate: treated 3/4 = 0.75, holdout 1/2 = 0.5, estimate 1.5; the interval reflects two
 * // accounts a side, not four and two deals.
 * @throws RangeError for misaligned or invalid samples, a non-integer seed, iterations outside
 *   [100, 1 000 000], or confidence outside (0, 1).
 */
export function clusterBootstrap(treated: ClusterSample, holdout: ClusterSample, options: ClusterBootstrapOptions): ClusterComparison {
  const { seed, iterations = DEFAULT_BOOTSTRAP_ITERATIONS, confidence = 0.95 } = options;
  if (!Number.isInteger(seed)) throw new RangeError(`cluster bootstrap: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(iterations) || iterations < MIN_BOOTSTRAP_ITERATIONS || iterations > MAX_BOOTSTRAP_ITERATIONS) {
    throw new RangeError(`cluster bootstrap: iterations must be an integer in [${MIN_BOOTSTRAP_ITERATIONS}, ${MAX_BOOTSTRAP_ITERATIONS}], got ${iterations}`);
  }
  assertConfidence(confidence);
  validateSample(treated, "treated");
  validateSample(holdout, "holdout");
  const alpha = 1 - confidence;
  const ot = observed(treated);
  const oh = observed(holdout);
  const kt = treated.closed.length;
  const kh = holdout.closed.length;
  const tooFew = (k: number) => (k < MIN_BOOTSTRAP_CLUSTERS ? `fewer than ${MIN_BOOTSTRAP_CLUSTERS} accounts with closed deals, so there is no variability between accounts to resample` : null);
  const smallT = tooFew(kt);
  const smallH = tooFew(kh);
  const smallLift = smallT || smallH ? `a group has fewer than ${MIN_BOOTSTRAP_CLUSTERS} accounts with closed deals, so there is no variability between accounts to resample` : null;

  const replicates = { t: [] as Resampled[], h: [] as Resampled[] };
  if (kt > 0 || kh > 0) {
    const random = mulberry32(seed);
    const drawT = kt > 0 ? resampler(treated, random) : null;
    const drawH = kh > 0 ? resampler(holdout, random) : null;
    for (let b = 0; b < iterations; b++) {
      if (drawT) replicates.t.push(drawT());
      if (drawH) replicates.h.push(drawH());
    }
  }
  const kpi = (stat: Stat, name: string): ClusterKpi => {
    const vt = stat(ot);
    const vh = stat(oh);
    const rt = replicates.t.map(stat);
    const rh = replicates.h.map(stat);
    return {
      treated: sideInterval(vt, rt, alpha, smallT),
      holdout: sideInterval(vh, rh, alpha, smallH),
      ...liftOf(vt, vh, rt, rh, alpha, smallLift, name),
    };
  };
  return {
    winRate: kpi(STATS.winRate, "win rate"),
    averageWonAmount: kpi(STATS.averageWonAmount, "average won amount"),
    medianVelocityDays: kpi(STATS.medianVelocityDays, "median velocity"),
    treatedClusters: kt,
    holdoutClusters: kh,
    iterations,
    seed,
    confidence,
  };
}
