import { mulberry32, shuffleInPlace } from "./random";

/** Row indices (ascending) of one train/test partition. */
export interface Split {
  train: number[];
  test: number[];
}

/** Row indices of each class, classes in ascending label order, rows ascending. */
function rowsByClass(labels: ArrayLike<number>): number[][] {
  const classes = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = classes.get(labels[i]);
    if (rows) rows.push(i);
    else classes.set(labels[i], [i]);
  }
  return [...classes.entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
}

const ascending = (a: number, b: number) => a - b;

/**
 * Seeded stratified train/test split: each class is shuffled on its own and
 * `round(testShare × classSize)` of its rows go to the test side, so both sides keep the
 * class ratio. A class with at least two rows always has at least one row on each side
 * (when `0 < testShare < 1`).
 *
 * @example
 * // 40 won and 60 lost deals, 25 % holdout → test has 10 won + 15 lost, train 30 + 45.
 * const { train, test } = stratifiedSplit(labels, 0.25, 42);
 */
export function stratifiedSplit(labels: ArrayLike<number>, testShare: number, seed: number): Split {
  if (!(testShare >= 0 && testShare < 1)) {
    throw new RangeError(`testShare must be in [0, 1); got ${testShare}`);
  }
  const rng = mulberry32(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of rowsByClass(labels)) {
    shuffleInPlace(rows, rng);
    let take = Math.round(testShare * rows.length);
    if (testShare > 0 && rows.length >= 2) take = Math.min(Math.max(take, 1), rows.length - 1);
    for (let i = 0; i < rows.length; i++) (i < take ? test : train).push(rows[i]);
  }
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/**
 * Seeded stratified k-fold partition: each class is shuffled and dealt round-robin to the
 * folds (continuing where the previous class stopped), so every fold's class counts differ
 * by at most one from any other fold's and fold sizes differ by at most one.
 *
 * @returns `k` splits; fold `f`'s `test` rows are disjoint from every other fold's and
 *   together cover all rows once.
 * @example
 * // 12 won, 18 lost, k = 3 → each test fold has 4 won and 6 lost rows.
 * const folds = stratifiedFolds(labels, 3, 7);
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Split[] {
  if (!Number.isInteger(k) || k < 2 || k > labels.length) {
    throw new RangeError(`k must be an integer in [2, ${labels.length}]; got ${k}`);
  }
  const rng = mulberry32(seed);
  const foldOf = new Int32Array(labels.length);
  let dealt = 0;
  for (const rows of rowsByClass(labels)) {
    shuffleInPlace(rows, rng);
    for (const row of rows) foldOf[row] = dealt++ % k;
  }
  const folds: Split[] = Array.from({ length: k }, () => ({ train: [], test: [] }));
  for (let i = 0; i < labels.length; i++) {
    for (let f = 0; f < k; f++) (foldOf[i] === f ? folds[f].test : folds[f].train).push(i);
  }
  return folds;
}
