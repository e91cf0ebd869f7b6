import type { Tensor2D } from "@tensorflow/tfjs";
import type { TfBackend } from "./backend";
import type { Standardized } from "./features";
import { choleskySolve, factorSpd, type SpdFactor } from "./linalg";

/** Logistic function `σ(t) = 1 / (1 + e^(−t))`, without overflow for large |t|. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** `ln(1 + eᵗ)` without overflow: the negative log-likelihood of a loss at linear predictor t. */
export function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

export interface NewtonOptions {
  l2: number;
  maxIter: number;
  tol: number;
  /** Starting point (β₀ … β_q, standardised); default: the intercept-only fit, β = (logit ȳ, 0, …). */
  start?: Float64Array;
  /** Return the Hessian at the solution (for standard errors). Default true. */
  needHessian?: boolean;
  /** Allow starting from a fit on a row subsample when there is no `start`. Default true. */
  presolve?: boolean;
}

export interface NewtonResult {
  /** (β₀, β₁ … β_q) on the standardised scale. */
  beta: Float64Array;
  /** Penalised Hessian `ZᵀWZ + λP` at the solution, row-major (q+1)²; null unless `needHessian`. */
  hessian: Float64Array | null;
  /** Linear predictor per row at the solution. */
  eta: Float64Array;
  iterations: number;
  /** `ZᵀWZ` products computed (fewer than iterations once small steps reuse the last one). */
  hessianEvaluations: number;
  converged: boolean;
  /** Largest coefficient change of the last step. */
  lastStep: number;
  negLogLik: number;
  /** `negLogLik + (λ/2)·Σⱼ≥₁ βⱼ²`. */
  objective: number;
}

/**
 * Rows per block of the `ZᵀWZ` product. tfjs kernels accumulate in float32; over 100k rows
 * that costs ~2e-5 relative error on the Hessian (and on standard errors), while summing
 * 2048-row blocks in Float64 keeps it near 2e-7 at the same speed.
 */
const GRAM_BLOCK_ROWS = 2048;

/**
 * Once steps are this small the previous Hessian is reused (a chord step): it differs from
 * the current one by O(step), which slows the final, already tiny steps only slightly and
 * saves the O(n·p²) product.
 */
const REUSE_HESSIAN_BELOW = 1e-3;

/**
 * Without a starting point, fits of at least PRESOLVE_MIN_ROWS rows first solve the same
 * problem on every k-th row (about PRESOLVE_ROWS of them, λ scaled by the row share) and
 * start from that: the full-data Newton then needs ~3 instead of ~7 O(n·p²) steps.
 */
const PRESOLVE_MIN_ROWS = 20_000;
const PRESOLVE_ROWS = 5_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Damped Newton–Raphson (IRLS) for L2-penalised logistic regression on a standardised
 * design `Z` with an unpenalised intercept (objective in `trainLogistic`'s TSDoc):
 *
 * `β ← β + t·Δ`, `Δ = (ZᵀWZ + λP)⁻¹ · (Zᵀ(y − p) − λPβ)`, `t` halved until the objective
 * decreases enough (Armijo).
 *
 * `ZᵀWZ` — the O(n·p²) part — runs on the TensorFlow.js backend (float32, Float64 sums of
 * row blocks). The linear predictor, gradient and objective — O(n·p) — run in Float64:
 * they fix the point the iteration converges to, and in float32 the steps stall at a few
 * 1e-8 (measured at n = 500…100k) instead of reaching `tol` = 1e-8. An inexact Hessian only
 * slows convergence. The Newton system is solved by Cholesky in Float64. Yields to the
 * event loop between iterations so a server stays responsive.
 *
 * @example
 * // x = (1, 2, 3, 4) standardised to z = (x − 2.5)/1.118, y = (0, 1, 0, 1), λ = 0:
 * // 4 iterations to β = (0, 1.0154), i.e. 0.9082 log-odds per unit of x — the
 * // maximum-likelihood fit.
 */
export async function newton(
  backend: TfBackend,
  std: Standardized,
  y: Float64Array,
  opts: NewtonOptions,
  onIteration?: (iteration: number) => void,
): Promise<NewtonResult> {
  const { z, rows: m } = std;
  const q = std.columns.length;
  const d = q + 1;
  const { l2, maxIter, tol } = opts;

  const linearPredictors = (beta: Float64Array, out: Float64Array) => {
    out.fill(beta[0]);
    addColumnsTimes(z, m, q, beta, out);
  };
  const objectiveAt = (beta: Float64Array, eta: Float64Array) => {
    let nll = 0;
    for (let r = 0; r < m; r++) nll += softplus(eta[r]) - y[r] * eta[r];
    let penalty = 0;
    for (let j = 1; j < d; j++) penalty += beta[j] * beta[j];
    return { nll, objective: nll + (l2 / 2) * penalty };
  };

  const start = opts.start ?? (opts.presolve !== false ? await presolve(backend, std, y, opts) : undefined);
  const gram = uploadDesign(backend, z, m, q);
  try {
    let beta = new Float64Array(d);
    if (start) {
      beta.set(start);
    } else {
      const mean = y.reduce((s, v) => s + v, 0) / m;
      beta[0] = Math.log(mean / (1 - mean));
    }
    let eta = new Float64Array(m);
    linearPredictors(beta, eta);
    let { nll, objective } = objectiveAt(beta, eta);
    let trial = new Float64Array(d);
    let etaTrial = new Float64Array(m);
    const w = new Float32Array(m);
    const residual = new Float64Array(m);
    const g = new Float64Array(d);
    let hessian: Float64Array | null = null;
    let hessianAt: Float64Array | null = null;
    let factor: SpdFactor | null = null;
    let hessianEvaluations = 0;
    let iterations = 0;
    let converged = false;
    let lastStep = Number.POSITIVE_INFINITY;

    /** Fills `w` with pᵢ(1 − pᵢ) and `g` with the ascent gradient; returns max |g|. */
    const gradientAndWeights = () => {
      let g0 = 0;
      for (let r = 0; r < m; r++) {
        const p = sigmoid(eta[r]);
        w[r] = p * (1 - p);
        residual[r] = y[r] - p;
        g0 += residual[r];
      }
      g[0] = g0;
      columnDots(z, m, q, residual, g);
      let gMax = Math.abs(g0);
      for (let j = 1; j < d; j++) {
        g[j] -= l2 * beta[j];
        gMax = Math.max(gMax, Math.abs(g[j]));
      }
      return gMax;
    };
    const penalisedHessian = () => {
      const h = gram.weighted(w);
      for (let j = 1; j < d; j++) h[j * d + j] += l2;
      return h;
    };

    while (iterations < maxIter) {
      if (gradientAndWeights() < tol) {
        converged = true;
        break;
      }
      // The final fit needs a fresh Hessian at the solution anyway, so it never reuses.
      const reused = factor !== null && lastStep < REUSE_HESSIAN_BELOW && opts.needHessian === false;
      if (!reused || !factor) {
        hessian = penalisedHessian();
        hessianAt = beta.slice();
        factor = factorSpd(hessian, d);
        hessianEvaluations++;
      }
      iterations++;
      const delta = choleskySolve(factor.l, d, g);
      let slope = 0;
      for (let j = 0; j < d; j++) slope += g[j] * delta[j];
      let step = 1;
      let accepted = false;
      for (let halving = 0; halving < 50; halving++) {
        for (let j = 0; j < d; j++) trial[j] = beta[j] + step * delta[j];
        linearPredictors(trial, etaTrial);
        const next = objectiveAt(trial, etaTrial);
        // Armijo, with slack for rounding once steps are down at machine precision.
        if (next.objective <= objective - 1e-4 * step * slope + 1e-12 * Math.abs(objective)) {
          nll = next.nll;
          objective = next.objective;
          accepted = true;
          break;
        }
        step /= 2;
      }
      if (!accepted) {
        if (!reused) break;
        factor = null; // the stale Hessian misled: take a fresh one
        continue;
      }
      const previousStep = lastStep;
      lastStep = 0;
      for (let j = 0; j < d; j++) lastStep = Math.max(lastStep, Math.abs(step * delta[j]));
      if (reused && (step < 1 || lastStep > 0.1 * previousStep)) factor = null;
      [beta, trial] = [trial, beta];
      [eta, etaTrial] = [etaTrial, eta];
      onIteration?.(iterations);
      if (lastStep < tol) {
        converged = true;
        break;
      }
      await yieldToEventLoop();
    }
    // Standard errors need the Hessian at the solution; the last one serves if β barely moved.
    let moved = 0;
    if (hessianAt) for (let j = 0; j < d; j++) moved = Math.max(moved, Math.abs(beta[j] - hessianAt[j]));
    if (opts.needHessian === false) {
      hessian = null;
    } else if (!hessian || moved > 1e-7) {
      gradientAndWeights();
      hessian = penalisedHessian();
      hessianEvaluations++;
    }
    return {
      beta,
      hessian,
      eta,
      iterations,
      hessianEvaluations,
      converged,
      lastStep,
      negLogLik: nll,
      objective,
    };
  } finally {
    gram.dispose();
  }
}

/** The solution on every k-th row, as a starting point; undefined when not worth it or unusable. */
async function presolve(
  backend: TfBackend,
  std: Standardized,
  y: Float64Array,
  opts: NewtonOptions,
): Promise<Float64Array | undefined> {
  const m = std.rows;
  if (m < PRESOLVE_MIN_ROWS) return undefined;
  const stride = Math.floor(m / PRESOLVE_ROWS);
  const rows = Math.ceil(m / stride);
  const q = std.columns.length;
  const z = new Float64Array(rows * q);
  const ySub = new Float64Array(rows);
  for (let r = 0; r < rows; r++) ySub[r] = y[r * stride];
  for (let k = 0; k < q; k++) {
    for (let r = 0; r < rows; r++) z[k * rows + r] = std.z[k * m + r * stride];
  }
  const won = ySub.reduce((s, v) => s + v, 0);
  if (won === 0 || won === rows) return undefined;
  const sub = await newton(
    backend,
    { ...std, z, rows },
    ySub,
    { l2: (opts.l2 * rows) / m, maxIter: 50, tol: 1e-4, needHessian: false, presolve: false },
  );
  // A subsample can separate when the full data do not; a wild start is worse than none.
  const usable = sub.converged && sub.beta.every((b) => Number.isFinite(b) && Math.abs(b) < 20);
  return usable ? sub.beta : undefined;
}

/**
 * `out[r] += Σₖ z[k·m + r] · beta[k + 1]` for column-major `z` (m × q). Four columns per
 * pass over `out`: about 3× faster in V8 than one column at a time.
 */
function addColumnsTimes(z: Float64Array, m: number, q: number, beta: Float64Array, out: Float64Array): void {
  let k = 0;
  for (; k + 4 <= q; k += 4) {
    const b0 = beta[k + 1];
    const b1 = beta[k + 2];
    const b2 = beta[k + 3];
    const b3 = beta[k + 4];
    const o0 = k * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    for (let r = 0; r < m; r++) out[r] += z[o0 + r] * b0 + z[o1 + r] * b1 + z[o2 + r] * b2 + z[o3 + r] * b3;
  }
  for (; k < q; k++) {
    const b = beta[k + 1];
    const o = k * m;
    for (let r = 0; r < m; r++) out[r] += z[o + r] * b;
  }
}

/** `out[k + 1] = Σᵣ z[k·m + r] · v[r]` for column-major `z` (m × q), four columns per pass. */
function columnDots(z: Float64Array, m: number, q: number, v: Float64Array, out: Float64Array): void {
  let k = 0;
  for (; k + 4 <= q; k += 4) {
    const o0 = k * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let r = 0; r < m; r++) {
      const x = v[r];
      s0 += z[o0 + r] * x;
      s1 += z[o1 + r] * x;
      s2 += z[o2 + r] * x;
      s3 += z[o3 + r] * x;
    }
    out[k + 1] = s0;
    out[k + 2] = s1;
    out[k + 3] = s2;
    out[k + 4] = s3;
  }
  for (; k < q; k++) {
    const o = k * m;
    let s = 0;
    for (let r = 0; r < m; r++) s += z[o + r] * v[r];
    out[k + 1] = s;
  }
}

/** The design `[1 | Z]` on the backend, in row blocks, ready for repeated `ZᵀWZ` products. */
interface UploadedDesign {
  /** `[1 | Z]ᵀ · diag(w) · [1 | Z]`, symmetric, Float64. */
  weighted(w: Float32Array): Float64Array;
  dispose(): void;
}

function uploadDesign(backend: TfBackend, z: Float64Array, m: number, q: number): UploadedDesign {
  const { tf } = backend;
  const d = q + 1;
  // Each block twice, as Bᵀ (d × rows, copied from the column-major z) and B (transposed on
  // the device): tfjs-wasm's matMul runs ~10× faster on Bᵀ·B than with transposeA.
  const blocks: { start: number; rows: number; b: Tensor2D; bt: Tensor2D }[] = [];
  backend.activate();
  try {
    for (let start = 0; start < m; start += GRAM_BLOCK_ROWS) {
      const rows = Math.min(GRAM_BLOCK_ROWS, m - start);
      const flatT = new Float32Array(d * rows);
      flatT.fill(1, 0, rows);
      for (let k = 0; k < q; k++) flatT.set(z.subarray(k * m + start, k * m + start + rows), (k + 1) * rows);
      const bt = tf.tensor2d(flatT, [d, rows]);
      blocks.push({ start, rows, bt, b: bt });
      blocks[blocks.length - 1].b = tf.transpose(bt);
    }
  } catch (error) {
    for (const block of blocks) tf.dispose(block.b === block.bt ? [block.bt] : [block.b, block.bt]);
    throw error;
  }
  return {
    weighted(w) {
      backend.activate();
      // A tidy per block frees each weighted copy at once: the wasm heap never shrinks.
      const products = blocks.map(({ start, rows, b, bt }) =>
        tf.tidy(() => tf.matMul(tf.mul(bt, tf.tensor2d(w.subarray(start, start + rows), [1, rows])), b)),
      );
      let raw: Float32Array | Int32Array | Uint8Array;
      try {
        const stacked = tf.stack(products);
        raw = stacked.dataSync();
        stacked.dispose();
      } finally {
        tf.dispose(products);
      }
      const sum = new Float64Array(d * d);
      for (let offset = 0; offset < raw.length; offset += d * d) {
        for (let k = 0; k < d * d; k++) sum[k] += raw[offset + k];
      }
      const h = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          const v = (sum[i * d + j] + sum[j * d + i]) / 2;
          h[i * d + j] = v;
          h[j * d + i] = v;
        }
      }
      return h;
    },
    dispose() {
      for (const block of blocks) tf.dispose([block.b, block.bt]);
    },
  };
}
