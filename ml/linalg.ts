/**
 * Small dense symmetric positive-definite algebra in Float64 (row-major `d × d` arrays).
 * Only ever used on the `(p+1) × (p+1)` Newton system, so O(d³) is nothing.
 */

/** Lower Cholesky factor `L` with `A = L·Lᵀ`, or `null` when `A` is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j];
    for (let k = 0; k < j; k++) diag -= l[j * d + k] * l[j * d + k];
    if (!(diag > 0) || !Number.isFinite(diag)) return null;
    const ljj = Math.sqrt(diag);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = s / ljj;
    }
  }
  return l;
}

/** Solves `L·Lᵀ·x = b` by forward and back substitution. */
export function choleskySolve(l: Float64Array, d: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * z[k];
    z[i] = s / l[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}

/** A Cholesky factor, and the ridge `jitter` that had to be added to the diagonal to get it. */
export interface SpdFactor {
  l: Float64Array;
  jitter: number;
}

/**
 * Cholesky of `A`, falling back to `A + τ·I` with τ growing tenfold from
 * `1e-12 · max(1, max |Aᵢᵢ|)` when `A` is not (numerically) positive definite — a
 * Levenberg-style damping that keeps Newton steps finite when the Hessian is singular
 * (e.g. every fitted probability saturated at 0 or 1).
 */
export function factorSpd(a: Float64Array, d: number): SpdFactor {
  const plain = cholesky(a, d);
  if (plain) return { l: plain, jitter: 0 };
  let maxDiag = 1;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * d + i]));
  const shifted = new Float64Array(a);
  for (let jitter = 1e-12 * maxDiag; jitter < 1e6 * maxDiag; jitter *= 10) {
    for (let i = 0; i < d; i++) shifted[i * d + i] = a[i * d + i] + jitter;
    const l = cholesky(shifted, d);
    if (l) return { l, jitter };
  }
  throw new Error("matrix is not positive definite even after a large ridge (non-finite entries?)");
}

/** `A⁻¹` from its Cholesky factor, column by column. */
export function choleskyInverse(l: Float64Array, d: number): Float64Array {
  const inverse = new Float64Array(d * d);
  const unit = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    unit.fill(0);
    unit[j] = 1;
    const column = choleskySolve(l, d, unit);
    for (let i = 0; i < d; i++) inverse[i * d + j] = column[i];
  }
  return inverse;
}
