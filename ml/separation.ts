import type { Standardized } from "./features";

/** Standardised coefficients beyond this many log-odds per standard deviation suggest separation. */
export const HUGE_STANDARDIZED_COEFFICIENT = 10;
/** Fitted probabilities this close to 0 or 1 count as saturated. */
export const SATURATED_PROBABILITY = 1e-6;
/** Saturated, correctly classified rows needed (and at least 0.5 % of rows) to call it separation. */
const MIN_SATURATED_ROWS = 5;

/**
 * Warnings for complete or quasi-complete separation: the unpenalised maximum-likelihood
 * estimate does not exist (some coefficient runs to ±∞), and only the L2 penalty keeps it
 * finite. Checked per feature (one feature's range splits the classes), on the fitted
 * score (it splits the classes), on standardised coefficients beyond ±10, and on a
 * class-pure block of rows with fitted probabilities at 0 or 1.
 *
 * @returns one warning naming what was found, or none.
 * @example
 * // "demo_request" is 1 on 40 won deals and on no lost deal:
 * // ["Separation: \"demo_request\" quasi-separates the outcomes: every row with
 * //   demo_request > 0 is won. The unpenalised fit would not exist: …"]
 */
export function separationWarnings(
  featureNames: readonly string[],
  cols: Float64Array,
  n: number,
  y: Float64Array,
  std: Standardized,
  beta: Float64Array,
  eta: Float64Array,
  fitted: Float64Array,
  l2: number,
): string[] {
  const found: string[] = [];
  for (const j of std.columns) {
    let minPos = Infinity;
    let maxPos = -Infinity;
    let minNeg = Infinity;
    let maxNeg = -Infinity;
    const base = j * n;
    for (let i = 0; i < n; i++) {
      const v = cols[base + i];
      if (y[i] === 1) {
        if (v < minPos) minPos = v;
        if (v > maxPos) maxPos = v;
      } else {
        if (v < minNeg) minNeg = v;
        if (v > maxNeg) maxNeg = v;
      }
    }
    const name = featureNames[j];
    if (maxNeg < minPos) {
      found.push(`"${name}" alone separates the outcomes: every won row has ${name} ≥ ${fmt(minPos)}, every lost row ≤ ${fmt(maxNeg)}.`);
    } else if (maxPos < minNeg) {
      found.push(`"${name}" alone separates the outcomes: every won row has ${name} ≤ ${fmt(maxPos)}, every lost row ≥ ${fmt(minNeg)}.`);
    } else if (maxNeg === minPos) {
      found.push(`"${name}" quasi-separates the outcomes: every row with ${name} > ${fmt(minPos)} is won.`);
    } else if (maxPos === minNeg) {
      found.push(`"${name}" quasi-separates the outcomes: every row with ${name} < ${fmt(maxPos)} is won.`);
    }
  }
  if (found.length === 0) {
    let minPos = Infinity;
    let maxNeg = -Infinity;
    for (let i = 0; i < eta.length; i++) {
      if (y[i] === 1) minPos = Math.min(minPos, eta[i]);
      else maxNeg = Math.max(maxNeg, eta[i]);
    }
    if (minPos > maxNeg) found.push("The features together separate the outcomes: the fitted score ranks every won row above every lost row.");
  }
  const huge = std.columns
    .map((j, k) => ({ name: featureNames[j], value: beta[k + 1] }))
    .filter((c) => Math.abs(c.value) > HUGE_STANDARDIZED_COEFFICIENT);
  if (huge.length > 0) {
    found.push(
      `Standardised coefficients beyond ±${HUGE_STANDARDIZED_COEFFICIENT} (${huge
        .map((c) => `${c.name} ${c.value.toFixed(1)}`)
        .join(", ")}) point to separation.`,
    );
  }
  let saturated = 0;
  let saturatedWrong = 0;
  for (let i = 0; i < fitted.length; i++) {
    if (fitted[i] > 1 - SATURATED_PROBABILITY || fitted[i] < SATURATED_PROBABILITY) {
      saturated++;
      if ((fitted[i] > 0.5 ? 1 : 0) !== y[i]) saturatedWrong++;
    }
  }
  // A few saturated rows can be honest outliers; a class-pure block of them is separation.
  if (saturatedWrong === 0 && saturated >= Math.max(MIN_SATURATED_ROWS, 0.005 * fitted.length)) {
    found.push(`${saturated} rows have fitted probabilities within ${SATURATED_PROBABILITY.toExponential()} of 0 or 1, all on the right side.`);
  }
  if (found.length === 0) return [];
  const consequence =
    l2 > 0
      ? `The unpenalised fit would not exist: these coefficients are finite only because of the L2 penalty ` +
        `(l2 = ${l2}), so their size reflects the penalty more than the data`
      : `With l2 = 0 the fit stopped where the likelihood went flat; the coefficients would grow without bound`;
  return [
    `Separation: ${found.join(" ")} ${consequence}, and their standard errors and p-values are not reliable. ` +
      `Check these features for leakage (values recorded after the deal was created) or drop them.`,
  ];
}

const fmt = (v: number) => String(Number(v.toPrecision(6)));
