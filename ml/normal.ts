/** The 97.5 % quantile of the standard normal: a 95 % interval is `estimate ± Z_95 · SE`. */
export const Z_95 = 1.959963984540054;

/**
 * Standard normal cumulative distribution Φ(x): Hart's rational approximation (as given by
 * G. West, "Better approximations to cumulative normal functions", Wilmott 2005) for
 * |x| < 3, Laplace's continued fraction beyond. Relative error of the tail below 2e-13
 * for |x| ≤ 37 (checked against `erfc`), so tiny p-values keep their digits.
 *
 * @example
 * normalCdf(-1.959963984540054); // 0.025
 * normalCdf(-8);                  // 6.220960574271e-16 (not 0: the tail keeps its digits)
 */
export function normalCdf(x: number): number {
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) {
    tail = 0;
  } else {
    const e = Math.exp((-a * a) / 2);
    if (a < 3) {
      let num = 3.52624965998911e-2 * a + 0.700383064443688;
      num = num * a + 6.37396220353165;
      num = num * a + 33.912866078383;
      num = num * a + 112.079291497871;
      num = num * a + 221.213596169931;
      num = num * a + 220.206867912376;
      let den = 8.83883476483184e-2 * a + 1.75566716318264;
      den = den * a + 16.064177579207;
      den = den * a + 86.7807322029461;
      den = den * a + 296.564248779674;
      den = den * a + 637.333633378831;
      den = den * a + 793.826512519948;
      den = den * a + 440.413735824752;
      tail = (e * num) / den;
    } else {
      // Laplace's continued fraction φ(a) / (a + 1/(a + 2/(a + 3/(a + …)))), 40 terms deep.
      let b = a;
      for (let k = 40; k >= 1; k--) b = a + k / b;
      tail = e / b / 2.5066282746310002;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/**
 * Two-sided p-value of a z statistic under the standard normal: `2 · Φ(−|z|)`.
 *
 * @example
 * twoSidedPValue(1.959963984540054); // 0.05
 */
export function twoSidedPValue(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}
