import type { Component, Criterion, ModelDefinition } from "../scoring/model.types";

/** One column of the training matrix: a criterion of the base model and how far it can go. */
export interface CriterionFeature {
  /** Position in `definition.criteria` (and in the engine's `parts`). */
  readonly index: number;
  readonly criterion: Criterion;
  /** Column name in the fit and in the dumped data set: the rule key; committee criteria as `committee.<key>`. */
  readonly feature: string;
  /**
   * The criterion's value at full strength, signed as its points: a fit rule's points; an
   * engagement or intent rule's account cap (100 when it has none: the component clamps at
   * 100), with the sign of its points; a required role's points; the breadth bonus.
   * Zero when the criterion can never move (0 points).
   */
  readonly fullStrength: number;
}

/**
 * The training features of a model: one per criterion, in criteria order.
 *
 * @example
 * // default model: [{ index: 0, feature: "industry_core", fullStrength: 30 }, …,
 * //   { feature: "careers", fullStrength: -10 }, …, { feature: "committee.breadth", fullStrength: 25 }]
 */
export function criterionFeatures(def: ModelDefinition): CriterionFeature[] {
  const used = new Set<string>();
  return def.criteria.map((criterion, index) => {
    const rule = ruleOf(def, index);
    const fullStrength = rule.kind === "fit" ? def.fitRules[rule.position]!.points
      : rule.kind === "engagement" ? capped(def.engagementRules[rule.position]!)
        : rule.kind === "intent" ? capped(def.intentRules[rule.position]!)
          : rule.kind === "breadth" ? def.committee.breadthBonus
            : def.committee.pointsPerRole;
    let feature = criterion.component === "COMMITTEE" ? `committee.${criterion.key}` : criterion.key;
    while (used.has(feature)) feature = `${criterion.component.toLowerCase()}.${feature}`;
    used.add(feature);
    return { index, criterion, feature, fullStrength };
  });
}

function capped(rule: { points: number; capPerAccount: number | null }): number {
  return Math.sign(rule.points) * Math.min(rule.capPerAccount ?? 100, 100);
}

/** Which part of a definition holds criterion `index`. */
export function ruleOf(def: ModelDefinition, index: number): { component: Component; kind: "fit" | "engagement" | "intent" | "role" | "breadth"; position: number } {
  const F = def.fitRules.length;
  const E = def.engagementRules.length;
  const I = def.intentRules.length;
  if (index < F) return { component: "FIT", kind: "fit", position: index };
  if (index < F + E) return { component: "ENGAGEMENT", kind: "engagement", position: index - F };
  if (index < F + E + I) return { component: "INTENT", kind: "intent", position: index - F - E };
  if (index === def.criteria.length - 1) return { component: "COMMITTEE", kind: "breadth", position: 0 };
  return { component: "COMMITTEE", kind: "role", position: index - F - E - I };
}

/** The component weight of a definition. */
export function weightOf(def: ModelDefinition, component: Component): number {
  return { FIT: def.weights.fit, ENGAGEMENT: def.weights.engagement, INTENT: def.weights.intent, COMMITTEE: def.weights.committee }[component];
}
