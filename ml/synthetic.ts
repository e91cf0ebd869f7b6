import type { TrainingMatrix } from "./logistic";
import { gaussian, mulberry32 } from "./random";

/** A feature of simulated data: normal with this mean and standard deviation, and its true weight. */
export interface SimulatedFeature {
  name: string;
  mean: number;
  sd: number;
  /** True change in log-odds per unit of the feature. */
  weight: number;
}

/**
 * Seeded data from a known logistic model, for tests, benchmarks and demos:
 * `xᵢⱼ ~ N(meanⱼ, sdⱼ²)`, `yᵢ ~ Bernoulli(σ(intercept + Σⱼ weightⱼ·(xᵢⱼ − meanⱼ)))`.
 * Centring inside the model keeps the win rate near `σ(intercept)` whatever the means.
 *
 * @returns the matrix and the true intercept on the original scale
 *   (`intercept − Σⱼ weightⱼ·meanⱼ`), comparable with a fitted intercept.
 * @example
 * const { matrix } = simulateLogistic(
 *   [{ name: "fit", mean: 50, sd: 15, weight: 0.03 }], { n: 1000, intercept: -0.5, seed: 1 });
 * // matrix.n === 1000; about 38 % of rows won (σ(−0.5) ≈ 0.38)
 */
export function simulateLogistic(
  features: readonly SimulatedFeature[],
  { n, intercept = 0, seed = 1 }: { n: number; intercept?: number; seed?: number },
): { matrix: TrainingMatrix; trueIntercept: number } {
  const rng = mulberry32(seed);
  const normal = gaussian(rng);
  const p = features.length;
  const X = new Float64Array(n * p);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let eta = intercept;
    for (let j = 0; j < p; j++) {
      const f = features[j];
      const value = f.mean + f.sd * normal();
      X[i * p + j] = value;
      eta += f.weight * (value - f.mean);
    }
    y[i] = rng() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  const trueIntercept = features.reduce((b, f) => b - f.weight * f.mean, intercept);
  return { matrix: { X, n, p, y, featureNames: features.map((f) => f.name) }, trueIntercept };
}
