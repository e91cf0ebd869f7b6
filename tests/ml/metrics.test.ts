import { describe, expect, it } from "vitest";
import { auc, brier, calibrationTable, logLoss, meanAndSd } from "../../ml/metrics";
import { normalCdf, twoSidedPValue, Z_95 } from "../../ml/normal";
import { mulberry32 } from "../../ml/random";

describe("auc", () => {
  it("matches a hand count of pairs, a tie counting one half", () => {
    // Positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4:
    // 0.35 beats 0.1, loses to 0.4; 0.8 beats both; 0.4 beats 0.1 and ties 0.4 → 4.5 of 6.
    expect(auc([0.1, 0.4, 0.35, 0.8, 0.4], [0, 0, 1, 1, 1])).toBeCloseTo(4.5 / 6, 15);
  });

  it("is 0.5 when every score ties and 1 / 0 for perfect / reversed ranking", () => {
    expect(auc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it("agrees with a brute-force pair count on random scores with many ties", () => {
    const rng = mulberry32(11);
    const scores = Array.from({ length: 300 }, () => Math.round(rng() * 20) / 20);
    const labels = scores.map((s) => (rng() < s ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < scores.length; i++) {
      for (let j = 0; j < scores.length; j++) {
        if (labels[i] !== 1 || labels[j] !== 0) continue;
        pairs++;
        wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(auc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it("is NaN with one class and rejects labels other than 0/1", () => {
    expect(auc([0.2, 0.4], [1, 1])).toBeNaN();
    expect(() => auc([0.2, 0.4], [1, 2])).toThrow(/0 or 1/);
  });
});

describe("logLoss and brier", () => {
  it("match hand computations", () => {
    const p = [0.8, 0.3, 0.6];
    const y = [1, 0, 0];
    expect(logLoss(p, y)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.4)) / 3, 14);
    expect(brier(p, y)).toBeCloseTo((0.04 + 0.09 + 0.36) / 3, 15);
  });

  it("clips certain mistakes instead of returning Infinity", () => {
    expect(logLoss([0], [1])).toBe(-Math.log(1e-15));
    expect(logLoss([1], [0])).toBe(-Math.log1p(-(1 - 1e-15))); // 1 − 1e-15 rounds: ≈ 34.54 too
  });
});

describe("calibrationTable", () => {
  it("cuts sorted predictions into equal-count bins with their observed rates", () => {
    const p = [0.05, 0.9, 0.15, 0.7, 0.25, 0.6, 0.35, 0.55, 0.45, 0.5];
    const y = [0, 1, 0, 1, 0, 1, 1, 0, 0, 1];
    const table = calibrationTable(p, y, 5);
    expect(table.map((b) => b.count)).toEqual([2, 2, 2, 2, 2]);
    expect(table[0]).toEqual({
      bin: 1,
      count: 2,
      minPredicted: 0.05,
      maxPredicted: 0.15,
      meanPredicted: 0.1,
      observedRate: 0,
    });
    // Bin 3 holds 0.45 (lost) and 0.5 (won).
    expect(table[2].meanPredicted).toBeCloseTo(0.475, 15);
    expect(table[2].observedRate).toBe(0.5);
    expect(table[4]).toMatchObject({ minPredicted: 0.7, maxPredicted: 0.9, observedRate: 1 });
  });

  it("spreads rows that do not divide evenly by at most one per bin", () => {
    const p = Array.from({ length: 23 }, (_, i) => i / 23);
    const counts = calibrationTable(p, p.map((v) => (v > 0.5 ? 1 : 0)), 10).map((b) => b.count);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(23);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });
});

describe("normal distribution", () => {
  it("gives textbook quantiles and tail probabilities", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-Z_95)).toBeCloseTo(0.025, 14);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(-3) / 0.0013498980316300957).toBeCloseTo(1, 12);
    expect(normalCdf(-8) / 6.220960574271819e-16).toBeCloseTo(1, 12);
    expect(normalCdf(-20) / 2.7536241186063314e-89).toBeCloseTo(1, 12);
    expect(twoSidedPValue(Z_95)).toBeCloseTo(0.05, 14);
    expect(twoSidedPValue(-2.5758293035489004)).toBeCloseTo(0.01, 14);
  });
});

describe("meanAndSd", () => {
  it("uses the n − 1 denominator", () => {
    expect(meanAndSd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: Math.sqrt(32 / 7) });
    expect(meanAndSd([3])).toEqual({ mean: 3, sd: 0 });
  });
});
