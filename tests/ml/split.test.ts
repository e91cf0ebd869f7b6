import { describe, expect, it } from "vitest";
import { mulberry32, shuffleInPlace } from "../../ml/random";
import { stratifiedFolds, stratifiedSplit } from "../../ml/split";

/** 137 won and 863 lost in a scrambled order. */
function labels(): number[] {
  return shuffleInPlace(
    Array.from({ length: 1000 }, (_, i) => (i < 137 ? 1 : 0)),
    mulberry32(5),
  );
}

const positivesIn = (y: number[], rows: number[]) => rows.filter((r) => y[r] === 1).length;

describe("mulberry32", () => {
  it("is reproducible for a seed and differs across seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(first[0]).toBe(0.6011037519201636);
    expect(mulberry32(43)()).not.toBe(first[0]);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe("stratifiedSplit", () => {
  it("keeps the class ratio on both sides and partitions the rows", () => {
    const y = labels();
    const { train, test } = stratifiedSplit(y, 0.25, 7);
    expect(test.length).toBe(Math.round(0.25 * 137) + Math.round(0.25 * 863));
    expect(positivesIn(y, test)).toBe(34);
    expect(positivesIn(y, train)).toBe(103);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it("is reproducible for a seed and changes with it", () => {
    const y = labels();
    expect(stratifiedSplit(y, 0.25, 7)).toEqual(stratifiedSplit(y, 0.25, 7));
    expect(stratifiedSplit(y, 0.25, 8).test).not.toEqual(stratifiedSplit(y, 0.25, 7).test);
  });

  it("leaves at least one row of each class on each side", () => {
    const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const { train, test } = stratifiedSplit(y, 0.1, 1);
    expect(positivesIn(y, test)).toBe(1);
    expect(positivesIn(y, train)).toBe(1);
  });
});

describe("stratifiedFolds", () => {
  it("gives every fold the class ratio, within one row", () => {
    const y = labels();
    const folds = stratifiedFolds(y, 5, 3);
    const positives = folds.map((f) => positivesIn(y, f.test));
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...positives) - Math.min(...positives)).toBeLessThanOrEqual(1);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(positives.reduce((a, b) => a + b, 0)).toBe(137);
  });

  it("covers each row in exactly one test fold, and trains on the rest", () => {
    const y = labels();
    const folds = stratifiedFolds(y, 4, 3);
    const seen = new Array<number>(y.length).fill(0);
    for (const { train, test } of folds) {
      for (const r of test) seen[r]++;
      expect(train.length + test.length).toBe(y.length);
      expect(new Set([...train, ...test]).size).toBe(y.length);
    }
    expect(seen.every((count) => count === 1)).toBe(true);
  });

  it("is reproducible for a seed and changes with it", () => {
    const y = labels();
    expect(stratifiedFolds(y, 5, 9)).toEqual(stratifiedFolds(y, 5, 9));
    expect(stratifiedFolds(y, 5, 10)[0].test).not.toEqual(stratifiedFolds(y, 5, 9)[0].test);
  });
});
