import type { ModelDefinition } from "../scoring/model.types";
import { ruleOf } from "./criteria";

/**
 * Raw criterion values: what the fit trains on (DESIGN §9), so a criterion at 0 points stays
 * estimable. A criterion's raw value is its engine value (`parts`) per point:
 *
 * - a fit rule: 1 when it matched, else 0;
 * - an engagement rule: its decayed, role-weighted event count, capped where its points are
 *   capped (the caps divided by its points), rolled up as the engine rolls it up;
 * - an intent rule: Σ strength/100 × decay, capped likewise;
 * - a required role: 1 when an engaged contact holds it; the breadth bonus: 1 when reached.
 *
 * For a criterion with points ≠ 0 that is `part / points` of the base pass, exactly. A criterion
 * at 0 points has part 0 whatever happens, so it is measured by a probe pass: the same model
 * with those criteria at 1 point (caps lifted). Engagement rules and the rest get separate
 * probes, because raising an engagement rule's points would change who counts as engaged and
 * so the committee criteria measured alongside.
 */
export interface RawProbes {
  /** Zero-point engagement rules at 1 point: measured by this pass (null when there are none). */
  readonly engagement: ModelDefinition | null;
  /** Zero-point fit and intent rules, roles and breadth bonus at 1 point (null when there are none). */
  readonly others: ModelDefinition | null;
}

export function rawProbes(def: ModelDefinition): RawProbes {
  const zeroEngagement = def.engagementRules.some((r) => r.points === 0);
  const zeroOthers = def.fitRules.some((r) => r.points === 0) || def.intentRules.some((r) => r.points === 0)
    || (def.committee.requiredRoles.length > 0 && def.committee.pointsPerRole === 0) || def.committee.breadthBonus === 0;
  return {
    engagement: zeroEngagement
      ? { ...def, engagementRules: def.engagementRules.map((r) => (r.points === 0 ? { ...r, points: 1, capPerContact: null, capPerAccount: null } : r)) }
      : null,
    others: zeroOthers
      ? {
          ...def,
          fitRules: def.fitRules.map((r) => (r.points === 0 ? { ...r, points: 1 } : r)),
          intentRules: def.intentRules.map((r) => (r.points === 0 ? { ...r, points: 1, capPerAccount: null } : r)),
          committee: {
            ...def.committee,
            pointsPerRole: def.committee.pointsPerRole === 0 ? 1 : def.committee.pointsPerRole,
            breadthBonus: def.committee.breadthBonus === 0 ? 1 : def.committee.breadthBonus,
          },
        }
      : null,
  };
}

/** A criterion's points per raw unit in a definition (0 when it is at 0 points). */
export function pointsPerUnit(def: ModelDefinition, index: number): number {
  const rule = ruleOf(def, index);
  switch (rule.kind) {
    case "fit": return def.fitRules[rule.position]!.points;
    case "engagement": return def.engagementRules[rule.position]!.points;
    case "intent": return def.intentRules[rule.position]!.points;
    case "role": return def.committee.pointsPerRole;
    case "breadth": return def.committee.breadthBonus;
  }
}

/**
 * Raw values of one deal, from the base pass's parts and, for zero-point criteria, the probes'
 * (see `RawProbes`).
 *
 * @example
 * // fit rule of 30 points matched, engagement rule of 5 points with part 12.5, fit rule at 0 points matched (probe part 1):
 * rawValues(def, [30, 12.5, 0], { others: [30, 12.5, 1] }) → [1, 2.5, 1]
 */
export function rawValues(
  def: ModelDefinition,
  parts: readonly number[],
  probes: { readonly engagement?: readonly number[] | null; readonly others?: readonly number[] | null },
): number[] {
  return parts.map((part, j) => {
    const unit = pointsPerUnit(def, j);
    // `|| 0`: a penalty rule that did not match gives -0, which is 0.
    if (unit !== 0) return part / unit || 0;
    const kind = ruleOf(def, j).kind;
    const probe = kind === "engagement" ? probes.engagement : probes.others;
    return probe?.[j] ?? 0;
  });
}

/**
 * The 95th percentile (nearest rank: the ⌈0.95 n⌉-th smallest) of each column of a row-major
 * matrix: the high end of the values a criterion actually takes in the training deals.
 *
 * @example p95Columns(Float64Array.from([0, 1, 0, 3, 1, 5]), 3, 2) → [1, 5]
 */
export function p95Columns(X: Float64Array, n: number, p: number): number[] {
  const out: number[] = [];
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) col[i] = X[i * p + j]!;
    col.sort();
    out.push(n === 0 ? 0 : col[Math.max(0, Math.ceil(0.95 * n) - 1)]!);
  }
  return out;
}
