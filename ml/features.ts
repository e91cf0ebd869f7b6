import type { DroppedFeature } from "./report";

/** Which input columns the model can use, and why the others were dropped. */
export interface FeatureScreen {
  /** Input column indices kept, ascending. */
  kept: number[];
  dropped: DroppedFeature[];
}

/**
 * Feature values column by column — `cols[j·n + i]` is row i of feature j — so that
 * per-feature passes read memory in order.
 */
export function toColumns(x: Float64Array, n: number, p: number): Float64Array {
  const cols = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const row = i * p;
    for (let j = 0; j < p; j++) cols[j * n + i] = x[row + j];
  }
  return cols;
}

/** Index of the first NaN or ±Infinity in `x`, or −1. */
export function firstNonFinite(x: Float64Array): number {
  // v − v is 0 for finite v and NaN otherwise: one cheap pass, the search only on failure.
  let check = 0;
  for (let k = 0; k < x.length; k++) check += x[k] - x[k];
  if (check === 0) return -1;
  return x.findIndex((v) => !Number.isFinite(v));
}

/**
 * Drops columns that carry no information of their own: constant columns (every row equal)
 * and exact duplicates of an earlier column (equal values in every row; the first is
 * kept). Duplicates are found by comparing a random projection of each column, then
 * confirmed value by value.
 *
 * @param x row-major `n × p` values, as in `TrainingMatrix`.
 * @example
 * // columns: fit (varies), tier_a (always 1), fit_copy (= fit)
 * screenFeatures(X, n, 3, ["fit", "tier_a", "fit_copy"]);
 * // → kept [0]; dropped tier_a (constant), fit_copy (duplicate of fit)
 */
export function screenFeatures(x: Float64Array, n: number, p: number, names: readonly string[]): FeatureScreen {
  return screenColumns(toColumns(x, n, p), n, p, names);
}

/** `screenFeatures` on column-major values (see `toColumns`). */
export function screenColumns(cols: Float64Array, n: number, p: number, names: readonly string[]): FeatureScreen {
  const weights = new Float64Array(n);
  let seed = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    weights[i] = seed / 4294967296 - 0.5;
  }
  const kept: number[] = [];
  const fingerprints: number[] = [];
  const dropped: DroppedFeature[] = [];
  for (let j = 0; j < p; j++) {
    const base = j * n;
    const first = cols[base];
    let constant = true;
    // Identical columns give bitwise-identical sums: same operations in the same order.
    let fingerprint = 0;
    for (let i = 0; i < n; i++) {
      const v = cols[base + i];
      if (v !== first) constant = false;
      fingerprint += weights[i] * v;
    }
    if (constant) {
      dropped.push({
        name: names[j],
        reason: "constant",
        duplicateOf: null,
        detail: `"${names[j]}" has the same value (${first}) in every row, so it cannot explain outcomes`,
      });
      continue;
    }
    const original = kept.find((k, at) => Object.is(fingerprints[at], fingerprint) && sameColumn(cols, n, k, j));
    if (original !== undefined) {
      dropped.push({
        name: names[j],
        reason: "duplicate",
        duplicateOf: names[original],
        detail: `"${names[j]}" is identical to "${names[original]}" in every row; "${names[original]}" is kept`,
      });
      continue;
    }
    kept.push(j);
    fingerprints.push(fingerprint);
  }
  return { kept, dropped };
}

function sameColumn(cols: Float64Array, n: number, a: number, b: number): boolean {
  for (let i = 0; i < n; i++) if (cols[a * n + i] !== cols[b * n + i]) return false;
  return true;
}

/** A standardised design: `z = (x − mean) / scale` for the chosen rows and columns. */
export interface Standardized {
  /** Column-major: `z[k·rows + r]` is design column k of row r. */
  z: Float64Array;
  rows: number;
  /** Input column index of each design column. */
  columns: number[];
  mean: Float64Array;
  /** Population standard deviation (n denominator, as scikit-learn's StandardScaler). */
  scale: Float64Array;
  /** Input columns constant over these rows (possible inside a fold), left out of the design. */
  constantColumns: number[];
}

/**
 * Standardises the given input `columns` over the given `rows` (all rows when null) of
 * column-major values (see `toColumns`). Columns constant over these rows are left out and
 * listed in `constantColumns`.
 *
 * @example
 * // one column x = (1, 2, 3, 4): mean 2.5, scale √1.25 ≈ 1.118, z ≈ (−1.34, −0.45, 0.45, 1.34)
 * standardize(new Float64Array([1, 2, 3, 4]), 4, [0], null);
 */
export function standardize(
  cols: Float64Array,
  n: number,
  columns: readonly number[],
  rows: readonly number[] | null,
): Standardized {
  const m = rows ? rows.length : n;
  const gathered = rows ? new Float64Array(m) : null;
  let z = new Float64Array(m * columns.length);
  const kept: number[] = [];
  const means: number[] = [];
  const scales: number[] = [];
  const constantColumns: number[] = [];
  for (const column of columns) {
    const base = column * n;
    let v: Float64Array;
    if (gathered && rows) {
      for (let r = 0; r < m; r++) gathered[r] = cols[base + rows[r]];
      v = gathered;
    } else {
      v = cols.subarray(base, base + n);
    }
    let sum = 0;
    let varies = false;
    for (let r = 0; r < m; r++) {
      sum += v[r];
      if (v[r] !== v[0]) varies = true;
    }
    // Equal values can still leave ss > 0 by rounding (mean of 0.1s ≠ 0.1): test equality.
    if (!varies) {
      constantColumns.push(column);
      continue;
    }
    const mean = sum / m;
    const out = kept.length * m;
    let ss = 0;
    for (let r = 0; r < m; r++) {
      const centred = v[r] - mean;
      z[out + r] = centred;
      ss += centred * centred;
    }
    const scale = Math.sqrt(ss / m);
    const inverse = 1 / scale;
    for (let r = 0; r < m; r++) z[out + r] *= inverse;
    kept.push(column);
    means.push(mean);
    scales.push(scale);
  }
  if (kept.length < columns.length) z = z.slice(0, kept.length * m);
  return { z, rows: m, columns: kept, mean: Float64Array.from(means), scale: Float64Array.from(scales), constantColumns };
}
