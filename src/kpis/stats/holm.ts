/**
 * Holm's step-down adjustment of many p-values (Holm, "A simple sequentially rejective
 * multiple test procedure", Scandinavian Journal of Statistics 6(2), 1979).
 *
 * @packageDocumentation
 */

/**
 * Holm-adjusted p-values, in the order given; nulls (comparisons without a p-value) stay null
 * and do not count. With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
 * `adj₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎)`. Rejecting where adj < α controls the
 * family-wise error rate at α for any dependence between the tests, and rejects at least as
 * much as Bonferroni (m·p). Ties keep their input order; the result does not depend on it.
 *
 * @example
 * holmAdjust([0.01, 0.04, 0.03, null, 0.005])
 * // m = 4; sorted 0.005, 0.01, 0.03, 0.04 → 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 → max so far 0.06
 * // → [0.03, 0.06, 0.06, null, 0.02]
 * @throws RangeError for a p-value outside [0, 1].
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues.flatMap((p, i) => {
    if (p === null) return [];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-values must be in [0, 1], got ${p}`);
    return [{ p, i }];
  });
  const m = present.length;
  present.sort((a, b) => a.p - b.p || a.i - b.i);
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  present.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
