import type { CoefficientEstimate, DroppedFeature } from "../../ml";
import type { ScoringModelInputData } from "../scoring/model-validation";
import { COMPONENTS, type Component, type ModelDefinition } from "../scoring/model.types";
import { type CriterionFeature, ruleOf, weightOf } from "./criteria";

/**
 * A criterion whose 95 % interval spans zero keeps this share of its estimated effect: the data
 * do not pin down its sign, so it is neither trusted fully nor thrown away (and it is flagged).
 * The estimate is already shrunk by the L2 penalty; this halves it once more.
 */
export const SPANS_ZERO_FACTOR = 0.5;

/** What the council should notice about a criterion's proposed points. */
export type ProposalFlag =
  /** The 95 % interval of its effect includes 0: kept at `SPANS_ZERO_FACTOR` of its effect. */
  | "SPANS_ZERO"
  /**
   * Its estimated effect on winning is negative: with an interval below 0 it becomes a penalty
   * (fit, engagement and intent rules may take points away); otherwise (uncertain, or a committee
   * criterion, which cannot be negative) it gets 0 points.
   */
  | "NEGATIVE_EFFECT"
  /** Constant in the training deals (or never able to move): no estimate; 0 points. */
  | "NOT_ESTIMABLE"
  /** An exact copy of another criterion in the training deals: that one carries the effect; this one gets 0. */
  | "DUPLICATE"
  /** A penalty or disqualifier the data could not test: keeps its points. */
  | "KEPT_PENALTY"
  /** The committee's required roles share one `pointsPerRole`: each gets the mean of their proposed points. */
  | "SHARED_POINTS"
  /** Its component had no criterion with a positive effect: the component's weight is 0 and its rules keep their points. */
  | "COMPONENT_UNWEIGHTED";

/** One criterion, current against proposed. */
export interface CriterionChange {
  readonly criterion: string;
  readonly label: string;
  readonly component: Component;
  /** The training feature (column) behind it. */
  readonly feature: string;
  /** Points of the 0–100 total the criterion is worth at full strength: component weight × its full-strength value (signed). */
  readonly before: number;
  readonly after: number;
  /** The rule's own points: per match (fit), per event (engagement), per signal at full strength (intent), per role, the breadth bonus. */
  readonly pointsBefore: number;
  readonly pointsAfter: number;
  /**
   * Log-odds effect on winning of the criterion at full strength (coefficient × full-strength
   * value), with its 95 % interval; null when not estimable. `oddsRatio = e^effect`.
   */
  readonly effect: number | null;
  readonly effectLow: number | null;
  readonly effectHigh: number | null;
  readonly oddsRatio: number | null;
  readonly pValue: number | null;
  readonly spansZero: boolean;
  readonly flags: ProposalFlag[];
  /** A sentence for the council. */
  readonly note: string;
}

export interface ComponentWeightChange {
  readonly component: Component;
  readonly before: number;
  readonly after: number;
}

export interface ProposedWeights {
  /** The new version, ready for `ScoringModelService.create`. */
  readonly input: ScoringModelInputData;
  readonly changes: CriterionChange[];
  readonly weights: ComponentWeightChange[];
  /** Points of the total per unit of log-odds: `c = 100 / Σ max(effect*, 0)`. */
  readonly pointsPerLogOdds: number;
  /** The committee's engaged threshold moves with the engagement rules' overall scale. */
  readonly engagedThreshold: { readonly before: number; readonly after: number };
}

export interface ProposalInput {
  readonly base: { readonly id: string; readonly name: string; readonly version: number; readonly definition: ModelDefinition };
  readonly runId: string;
  readonly features: readonly CriterionFeature[];
  /** The final fit's coefficients by feature name (features left out of the fit have none). */
  readonly coefficients: ReadonlyMap<string, CoefficientEstimate>;
  readonly dropped: ReadonlyMap<string, DroppedFeature>;
}

/**
 * A new version of the base model whose points are proportional to each criterion's log-odds
 * effect on winning, with the attainable total still 0–100.
 *
 * For criterion j with full-strength value `M_j` (see `CriterionFeature`) and coefficient `β_j`
 * per unit of its value, the effect at full strength is `δ_j = β_j × M_j`; the proposal uses
 * `δ*_j = δ_j`, halved when its interval spans zero; a negative effect stays negative (a
 * penalty) only when its interval lies below 0 and the criterion may have negative points —
 * otherwise it is 0.
 * With `S = Σ max(δ*_j, 0)`:
 *
 * - component weight `w'_k = Σ_{j∈k} max(δ*_j, 0) / S`,
 * - criterion j's full-strength value inside its component `P_j = 100 × δ*_j / Σ_{i∈k} max(δ*_i, 0)`,
 *   so each component's positive criteria sum to exactly 100 and contribute `w'_k × P_j =
 *   (100 / S) × δ*_j` points of the total: **points ∝ log-odds effect**, and the total of every
 *   criterion at full strength is 100.
 * - the rule parameters are scaled by `r_j = P_j / M_j`: a fit rule's points; an engagement
 *   rule's points and both caps (|r|) — decay and role multipliers are linear, so its value
 *   scales by exactly r; an intent rule's points and cap. Required roles share one
 *   `pointsPerRole` (their mean P, which keeps the component's sum).
 *
 * Criteria the fit could not estimate get 0 points, except penalties and disqualifiers, which
 * keep theirs. Bands, thresholds, roll-up, role multipliers and lead rules are unchanged; the
 * committee's `engagedThreshold` is multiplied by the engagement rules' overall scale
 * `Σ|r_j|·|M_j| / Σ|M_j|`, so "engaged" keeps roughly its meaning.
 *
 * Returns null when no criterion has a clearly positive effect (one whose 95 % interval lies
 * above 0): the data then support no re-weighting.
 *
 * @example
 * // Two fit rules of 50 points (weight fit 1): effects 1.2 and 0.4 log-odds at full strength →
 * // S = 1.6; points 75 and 25; 100 / 1.6 = 62.5 points of the total per unit of log-odds.
 */
export function proposeWeights(input: ProposalInput): ProposedWeights | null {
  const def = input.base.definition;
  type Row = {
    f: CriterionFeature; component: Component; coef: CoefficientEstimate | null; effect: number | null; low: number | null; high: number | null;
    used: number; flags: ProposalFlag[]; keep: boolean;
  };
  const rows: Row[] = input.features.map((f) => {
    const { component } = ruleOf(def, f.index);
    const coef = input.coefficients.get(f.feature) ?? null;
    const flags: ProposalFlag[] = [];
    const rule = ruleOf(def, f.index);
    const isPenalty = f.fullStrength < 0 || (rule.kind === "fit" && def.fitRules[rule.position]!.disqualify);
    if (!coef || f.fullStrength === 0) {
      const drop = input.dropped.get(f.feature);
      if (isPenalty) flags.push("KEPT_PENALTY");
      else flags.push(drop?.reason === "duplicate" ? "DUPLICATE" : "NOT_ESTIMABLE");
      return { f, component, coef: null, effect: null, low: null, high: null, used: 0, flags, keep: isPenalty };
    }
    const effect = coef.estimate * f.fullStrength;
    const [low, high] = [coef.ciLow * f.fullStrength, coef.ciHigh * f.fullStrength].sort((a, b) => a - b) as [number, number];
    let used = effect;
    if (coef.spansZero) {
      flags.push("SPANS_ZERO");
      used *= SPANS_ZERO_FACTOR;
    }
    if (used < 0) {
      flags.push("NEGATIVE_EFFECT");
      // Only a clearly harmful criterion becomes a penalty, and only where points may be negative.
      if (coef.spansZero || component === "COMMITTEE") used = 0;
    }
    return { f, component, coef, effect, low, high, used, flags, keep: false };
  });

  const S = rows.reduce((s, r) => s + Math.max(r.used, 0), 0);
  // Weights resting only on effects the data cannot tell from zero would be noise dressed up.
  if (!(S > 0) || !rows.some((r) => r.coef && r.effect! > 0 && !r.coef.spansZero)) return null;
  const positiveIn = (k: Component) => rows.filter((r) => r.component === k).reduce((s, r) => s + Math.max(r.used, 0), 0);
  const rawWeights = Object.fromEntries(COMPONENTS.map((k) => [k, positiveIn(k) / S])) as Record<Component, number>;
  const weights = roundWeights(rawWeights);

  // Full-strength value of each criterion inside its component.
  const P = rows.map((r) => {
    if (r.keep || weights[r.component] === 0) return r.f.fullStrength;
    return clamp((100 * r.used) / positiveIn(r.component), -100, 100);
  });
  rows.forEach((r) => {
    if (!r.keep && weights[r.component] === 0 && positiveIn(r.component) === 0 && r.coef) r.flags.push("COMPONENT_UNWEIGHTED");
  });
  const scale = rows.map((r, j) => (r.f.fullStrength === 0 ? 0 : P[j]! / r.f.fullStrength));

  const fitRules = def.fitRules.map((rule, i) => {
    const j = rows.findIndex((r) => r.f.index === i);
    return { ...rule, values: [...rule.values], points: round(rule.points * scale[j]!, 4) };
  });
  const F = def.fitRules.length;
  const E = def.engagementRules.length;
  const engagementRules = def.engagementRules.map((rule, i) => {
    const r = scale[F + i]!;
    if (r === 0) return { ...rule, eventTypes: [...rule.eventTypes], points: 0 };
    return {
      ...rule, eventTypes: [...rule.eventTypes], points: bounded(round(rule.points * r, 4), 1000),
      capPerContact: rule.capPerContact === null ? null : bounded(positive(rule.capPerContact * Math.abs(r)), 1000),
      capPerAccount: rule.capPerAccount === null ? null : bounded(positive(rule.capPerAccount * Math.abs(r)), 1000),
    };
  });
  const intentRules = def.intentRules.map((rule, i) => {
    const r = scale[F + E + i]!;
    if (r === 0) return { ...rule, topics: [...rule.topics], points: 0 };
    return {
      ...rule, topics: [...rule.topics], points: bounded(round(rule.points * r, 4), 1000),
      capPerAccount: rule.capPerAccount === null ? null : bounded(positive(rule.capPerAccount * Math.abs(r)), 1000),
    };
  });
  const roleRows = rows.filter((r) => ruleOf(def, r.f.index).kind === "role");
  const breadthRow = rows.find((r) => ruleOf(def, r.f.index).kind === "breadth")!;
  const roleValue = (r: Row) => Math.max(P[rows.indexOf(r)]!, 0);
  const pointsPerRole = weights.COMMITTEE === 0 || roleRows.length === 0
    ? def.committee.pointsPerRole
    : clamp(round(roleRows.reduce((s, r) => s + roleValue(r), 0) / roleRows.length, 4), 0, 100);
  if (weights.COMMITTEE > 0 && roleRows.length > 1) roleRows.forEach((r) => r.flags.push("SHARED_POINTS"));
  const breadthBonus = weights.COMMITTEE === 0 ? def.committee.breadthBonus : clamp(round(roleValue(breadthRow), 4), 0, 100);

  // "Engaged" moves with the engagement rules' overall scale.
  const engagementRows = rows.slice(F, F + E);
  const fullSum = engagementRows.reduce((s, r) => s + Math.abs(r.f.fullStrength), 0);
  const rho = fullSum > 0 ? engagementRows.reduce((s, r, i) => s + Math.abs(scale[F + i]!) * Math.abs(r.f.fullStrength), 0) / fullSum : 1;
  const engagedThreshold = weights.ENGAGEMENT === 0 || !(rho > 0)
    ? def.committee.engagedThreshold
    : clamp(round(def.committee.engagedThreshold * rho, 2), 0.01, 100);

  const newStrength = (r: Row, j: number): { after: number; pointsAfter: number; pointsBefore: number } => {
    const rule = ruleOf(def, r.f.index);
    switch (rule.kind) {
      case "fit": return { pointsBefore: def.fitRules[rule.position]!.points, pointsAfter: fitRules[rule.position]!.points, after: fitRules[rule.position]!.points };
      case "engagement": return { pointsBefore: def.engagementRules[rule.position]!.points, pointsAfter: engagementRules[rule.position]!.points, after: r.f.fullStrength * scale[j]! };
      case "intent": return { pointsBefore: def.intentRules[rule.position]!.points, pointsAfter: intentRules[rule.position]!.points, after: r.f.fullStrength * scale[j]! };
      case "role": return { pointsBefore: def.committee.pointsPerRole, pointsAfter: pointsPerRole, after: pointsPerRole };
      case "breadth": return { pointsBefore: def.committee.breadthBonus, pointsAfter: breadthBonus, after: breadthBonus };
    }
  };
  const changes: CriterionChange[] = rows.map((r, j) => {
    const s = newStrength(r, j);
    return {
      criterion: r.f.criterion.key, label: r.f.criterion.label, component: r.component, feature: r.f.feature,
      before: round(weightOf(def, r.component) * r.f.fullStrength, 2),
      after: round(weights[r.component] * s.after, 2),
      pointsBefore: s.pointsBefore, pointsAfter: s.pointsAfter,
      effect: r.effect, effectLow: r.low, effectHigh: r.high, oddsRatio: r.effect === null ? null : Math.exp(r.effect),
      pValue: r.coef?.pValue ?? null, spansZero: r.coef?.spansZero ?? false, flags: r.flags, note: noteFor(r.flags, r.effect, r.low, r.high, r.component === "COMMITTEE"),
    };
  });

  const modelInput: ScoringModelInputData = {
    name: input.base.name,
    description: `Proposed by training run ${input.runId} from ${input.base.name} v${input.base.version}: points proportional to each criterion's log-odds effect on winning, as of each deal's creation.`,
    basedOnId: input.base.id,
    weights: { fit: weights.FIT, engagement: weights.ENGAGEMENT, intent: weights.INTENT, committee: weights.COMMITTEE },
    fitRules: fitRules.map((r) => ({ ...r, values: r.values.length ? r.values : null })),
    engagementRules,
    roleMultipliers: def.roleMultipliers.map((m) => ({ ...m })),
    intentRules,
    committee: { ...def.committee, requiredRoles: [...def.committee.requiredRoles], pointsPerRole, breadthBonus, engagedThreshold },
    bands: def.bands.map((b) => ({ ...b })),
    thresholds: { ...def.thresholds },
    rollup: def.rollup,
    leadRules: {
      weights: { ...def.leadRules.weights },
      fitRules: def.leadRules.fitRules.map((r) => ({ ...r, values: r.values.length ? [...r.values] : null })),
      thresholds: { ...def.leadRules.thresholds },
    },
  };
  return {
    input: modelInput,
    changes,
    weights: COMPONENTS.map((k) => ({ component: k, before: weightOf(def, k), after: weights[k] })),
    pointsPerLogOdds: 100 / S,
    engagedThreshold: { before: def.committee.engagedThreshold, after: engagedThreshold },
  };
}

function noteFor(flags: readonly ProposalFlag[], effect: number | null, low: number | null, high: number | null, penaltyZeroed: boolean): string {
  const odds = (x: number) => `×${formatOdds(Math.exp(x))}`;
  const parts: string[] = [];
  if (effect !== null && low !== null && high !== null) parts.push(`Full strength multiplies the odds of winning by ${odds(effect)} (95% interval ${odds(low)} to ${odds(high)}).`);
  if (flags.includes("SPANS_ZERO") && !flags.includes("NEGATIVE_EFFECT")) parts.push(`The interval spans no effect, so it keeps ${SPANS_ZERO_FACTOR * 100}% of its estimated effect.`);
  if (flags.includes("NEGATIVE_EFFECT")) {
    parts.push(flags.includes("SPANS_ZERO") || (effect ?? 0) >= 0 || penaltyZeroed
      ? "Deals with it were won less often, all else equal, but not clearly so: 0 points."
      : "Deals with it were won clearly less often, all else equal: it now takes points away.");
  }
  if (flags.includes("NOT_ESTIMABLE")) parts.push("It never varies in the training deals, so the data cannot weigh it: 0 points.");
  if (flags.includes("DUPLICATE")) parts.push("It is identical to another criterion in the training deals, which carries the effect: 0 points.");
  if (flags.includes("KEPT_PENALTY")) parts.push("A penalty or disqualifier the training deals cannot test: it keeps its points.");
  if (flags.includes("SHARED_POINTS")) parts.push("Required roles share one points value: the mean of their proposed points.");
  if (flags.includes("COMPONENT_UNWEIGHTED")) parts.push("No criterion of its component helps win deals: the component's weight is 0.");
  return parts.join(" ");
}

function formatOdds(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Weights rounded to 4 decimals that still sum to exactly 1 (the largest absorbs the rounding). */
function roundWeights(raw: Record<Component, number>): Record<Component, number> {
  const out = Object.fromEntries(COMPONENTS.map((k) => [k, Math.round(raw[k] * 10_000) / 10_000])) as Record<Component, number>;
  const largest = COMPONENTS.reduce((a, b) => (out[b] > out[a] ? b : a));
  out[largest] = Math.round((1 - COMPONENTS.filter((k) => k !== largest).reduce((s, k) => s + out[k], 0)) * 10_000) / 10_000;
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function bounded(x: number, limit: number): number {
  return clamp(x, -limit, limit);
}

/** A cap scaled down stays a valid (positive) cap. */
function positive(x: number): number {
  return Math.max(round(x, 4), 0.0001);
}

/** A band minimum or status threshold, current against proposed. */
export interface CutoffChange {
  /** `band:<name>`, or the threshold's name (`nurture`, `mqa`, `sqa`, `minFit`). */
  readonly name: string;
  readonly before: number;
  readonly after: number;
  /** Training deals at or above it: under the current model, and under the proposed one. */
  readonly dealsBefore: number;
  readonly dealsAfter: number;
}

/**
 * Cut-offs that keep each band's and status's share of the training deals: for a current
 * cut-off t reached by k deals, the proposed cut-off is the k-th highest proposed value (rounded
 * down to 0.1, so at least those k deals reach it). A cut-off of 0 is kept; one no deal reaches
 * stays out of reach (just above the highest proposed value, or unchanged). Results are made non-decreasing (band minimums strictly increasing by 0.1) and ≤ 100.
 * The proposed weights rescale totals (every criterion at full strength adds up to 100), so
 * without this a band could empty or swell; with it, "Hot" keeps its volume and SLA load, and
 * win rates by band compare bands of the same size.
 *
 * @example matchCutoffs([10, 40, 60, 80], [5, 20, 30, 50], [0, 35, 55], true) → [0, 20, 30]
 */
export function matchCutoffs(current: readonly number[], proposed: readonly number[], cutoffs: readonly number[], strict: boolean): number[] {
  const desc = [...proposed].sort((a, b) => b - a);
  const out: number[] = [];
  for (const t of cutoffs) {
    const k = current.filter((v) => v >= t).length;
    // No deal reaches it now: it stays out of reach of every proposed total too (or as it is).
    let next = t <= 0 ? t
      : k > 0 ? Math.floor(desc[k - 1]! * 10) / 10
        : desc.length > 0 && desc[0]! >= t ? (Math.floor(desc[0]! * 10) + 1) / 10 : t;
    const previous = out[out.length - 1];
    if (previous !== undefined) next = Math.max(next, strict ? Math.round((previous + 0.1) * 10) / 10 : previous);
    out.push(Math.min(100, Math.max(0, next)));
  }
  return out;
}

/**
 * Re-sets a proposed model's band minimums and total thresholds (nurture, MQA, SQA) by the
 * totals, and `minFit` by the fit component, so each keeps its share of the training deals
 * (see `matchCutoffs`). Returns the updated input and what moved.
 */
export function withMatchedCutoffs(
  input: ScoringModelInputData,
  current: readonly { total: number; fit: number }[],
  proposed: readonly { total: number; fit: number }[],
): { input: ScoringModelInputData; cutoffs: CutoffChange[] } {
  const totalsNow = current.map((r) => r.total);
  const totalsNew = proposed.map((r) => r.total);
  const bands = input.bands;
  const bandMins = matchCutoffs(totalsNow, totalsNew, bands.map((b) => b.minScore), true);
  const t = input.thresholds;
  const [nurture, mqa, sqa] = matchCutoffs(totalsNow, totalsNew, [t.nurture, t.mqa, t.sqa], false) as [number, number, number];
  const [minFit] = matchCutoffs(current.map((r) => r.fit), proposed.map((r) => r.fit), [t.minFit], false) as [number];
  const reach = (values: readonly number[], cut: number) => values.filter((v) => v >= cut).length;
  const fitsNow = current.map((r) => r.fit);
  const fitsNew = proposed.map((r) => r.fit);
  const cutoffs: CutoffChange[] = [
    ...bands.map((b, i) => ({ name: `band:${b.name}`, before: b.minScore, after: bandMins[i]!, dealsBefore: reach(totalsNow, b.minScore), dealsAfter: reach(totalsNew, bandMins[i]!) })),
    { name: "nurture", before: t.nurture, after: nurture, dealsBefore: reach(totalsNow, t.nurture), dealsAfter: reach(totalsNew, nurture) },
    { name: "mqa", before: t.mqa, after: mqa, dealsBefore: reach(totalsNow, t.mqa), dealsAfter: reach(totalsNew, mqa) },
    { name: "sqa", before: t.sqa, after: sqa, dealsBefore: reach(totalsNow, t.sqa), dealsAfter: reach(totalsNew, sqa) },
    { name: "minFit", before: t.minFit, after: minFit, dealsBefore: reach(fitsNow, t.minFit), dealsAfter: reach(fitsNew, minFit) },
  ];
  return {
    input: { ...input, bands: bands.map((b, i) => ({ ...b, minScore: bandMins[i]! })), thresholds: { ...t, nurture, mqa, sqa, minFit } },
    cutoffs,
  };
}
