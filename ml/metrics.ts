/**
 * Classification metrics for predicted probabilities against 0/1 outcomes
 * (1 = won / positive, 0 = lost / negative).
 */

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
}

function isPositive(label: number, index: number): boolean {
  if (label === 1) return true;
  if (label === 0) return false;
  throw new RangeError(`labels must be 0 or 1; labels[${index}] = ${label}`);
}

/**
 * Area under the ROC curve, computed from ranks (Mann–Whitney U), ties given their average
 * rank — equal to the probability that a random positive scores above a random negative,
 * counting a tie as one half:
 *
 * `AUC = (Σ rank(positive) − P·(P+1)/2) / (P·N)`
 *
 * @returns a number in [0, 1], or `NaN` when either class is absent.
 * @example
 * // positives score 0.35, 0.8, 0.4; negatives 0.1, 0.4. Of the 6 pairs the positive wins
 * // 4, ties 1 (0.4 vs 0.4) and loses 1 → (4 + 0.5) / 6 = 0.75.
 * auc([0.1, 0.4, 0.35, 0.8, 0.4], [0, 0, 1, 1, 1]); // 0.75
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start..end-1 are 1-based start+1..end
    for (let k = start; k < end; k++) {
      if (isPositive(labels[order[k]], order[k])) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Mean negative log-likelihood (cross-entropy), natural log, probabilities clipped to
 * `[eps, 1 − eps]` so that a confident miss costs `−ln(eps)` rather than infinity:
 *
 * `logLoss = −(1/n) Σ [ y·ln p + (1 − y)·ln(1 − p) ]`
 *
 * @example
 * logLoss([0.8, 0.3], [1, 0]); // −(ln 0.8 + ln 0.7) / 2 = 0.2899092476264711
 */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>, eps = 1e-15): number {
  checkLengths(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(Math.max(probabilities[i], eps), 1 - eps);
    sum -= isPositive(labels[i], i) ? Math.log(p) : Math.log1p(-p);
  }
  return sum / probabilities.length;
}

/**
 * Brier score: mean squared difference between probability and outcome (0 is perfect,
 * 0.25 is a constant guess of 0.5).
 *
 * `brier = (1/n) Σ (p − y)²`
 *
 * @example
 * brier([0.8, 0.3], [1, 0]); // (0.04 + 0.09) / 2 = 0.065
 */
export function brier(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = probabilities[i] - (isPositive(labels[i], i) ? 1 : 0);
    sum += d * d;
  }
  return sum / probabilities.length;
}

/** One row of a calibration table. */
export interface CalibrationBin {
  /** 1-based bin number, in ascending order of predicted probability. */
  bin: number;
  count: number;
  /** Lowest and highest predicted probability in the bin. */
  minPredicted: number;
  maxPredicted: number;
  meanPredicted: number;
  /** Share of rows in the bin whose outcome is 1. */
  observedRate: number;
}

/**
 * Calibration by quantile of predicted probability: rows are sorted by prediction (ties by
 * row order) and cut into `bins` groups of equal size (sizes differ by at most one; row at
 * sorted position `r` goes to bin `floor(r · bins / n) + 1`). A well-calibrated model has
 * `meanPredicted ≈ observedRate` in every bin. Empty bins (fewer rows than bins) are omitted.
 *
 * @example
 * // 20 rows, bins = 10 → ten bins of two rows; bin 1 holds the two lowest predictions.
 * calibrationTable(probabilities, labels, 10);
 */
export function calibrationTable(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  checkLengths(probabilities, labels);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer; got ${bins}`);
  const n = probabilities.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => probabilities[a] - probabilities[b] || a - b,
  );
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.ceil((b * n) / bins);
    const to = Math.ceil(((b + 1) * n) / bins);
    if (to <= from) continue;
    let sumP = 0;
    let wins = 0;
    for (let r = from; r < to; r++) {
      sumP += probabilities[order[r]];
      if (isPositive(labels[order[r]], order[r])) wins++;
    }
    const count = to - from;
    table.push({
      bin: b + 1,
      count,
      minPredicted: probabilities[order[from]],
      maxPredicted: probabilities[order[to - 1]],
      meanPredicted: sumP / count,
      observedRate: wins / count,
    });
  }
  return table;
}

/** Mean and sample standard deviation (n − 1 denominator; 0 for a single value). */
export function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, sd: 0 };
  const ss = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}
